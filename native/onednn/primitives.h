// oneDNN primitives as the kernels keep them: each with its tensor arguments (Port: the tensor's own layout and the
// primitive's, with the reorder between when they differ), in a cache per thread (an entry's reorder buffers serve
// one call at a time) bounded in entries, the least recently used dropped first. conv.cc keeps its convolutions so,
// conv_gemm.cc its bf16 matrix products.
#pragma once
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "kernels.h"

namespace sc {

// The process's CPU engine, and the calling thread's stream (a oneDNN stream is not to be used by two threads).
dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();

// One tensor argument of a primitive: the tensor's own layout and the primitive's; when they differ, a buffer in the
// primitive's layout and the reorder that fills it (inputs) or empties it (outputs).
struct Port {
  int arg;
  bool output;
  dnnl::memory::desc user;
  bool reorder = false;
  dnnl::reorder re;
  dnnl::memory buffer;

  Port(int arg, bool output, const dnnl::memory::desc& user, const dnnl::memory::desc& chosen);
};

struct Entry {
  dnnl::primitive prim;
  std::vector<Port> ports;
};

// Runs the primitive on the tensors' memory (in the order of e.ports), through the reorder buffers where needed.
void run(Entry& e, const std::vector<const float*>& tensors);

using Key = std::vector<int>;

// Entries by key, most recently used first; at most `capacity` of them.
class PrimitiveCache {
 public:
  explicit PrimitiveCache(int64_t capacity) : capacity_(capacity) {}
  // The entry, now the most recently used; nullptr on a miss.
  Entry* find(const Key& key);
  Entry& insert(const Key& key, std::unique_ptr<Entry> e);
  void set_capacity(int64_t capacity);  // throws below 1
  CacheStats stats() const { return {int64_t(order_.size()), capacity_, hits_, misses_, evictions_}; }

 private:
  void trim();

  std::list<std::pair<Key, std::unique_ptr<Entry>>> order_;
  std::map<Key, std::list<std::pair<Key, std::unique_ptr<Entry>>>::iterator> index_;
  int64_t capacity_, hits_ = 0, misses_ = 0, evictions_ = 0;
};

}  // namespace sc

// oneDNN primitives with their ports and the per-thread cache that keeps them (primitives.h).
#include "primitives.h"

#include <stdexcept>
#include <unordered_map>

namespace sc {

using dnnl::memory;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

Port::Port(int arg_, bool output_, const memory::desc& user_, const memory::desc& chosen)
    : arg(arg_), output(output_), user(user_) {
  reorder = chosen != user;
  if (!reorder) return;
  buffer = memory(chosen, cpu_engine());
  memory u(user, cpu_engine(), DNNL_MEMORY_NONE);
  re = output ? dnnl::reorder(buffer, u) : dnnl::reorder(u, buffer);
}

namespace {
memory wrap(const memory::desc& md, const float* p) { return memory(md, cpu_engine(), const_cast<float*>(p)); }
}  // namespace

void run(Entry& e, const std::vector<const float*>& tensors) {
  std::unordered_map<int, memory> args;
  for (size_t i = 0; i < e.ports.size(); i++) {
    Port& p = e.ports[i];
    memory user = wrap(p.user, tensors[i]);
    if (p.reorder && !p.output) p.re.execute(cpu_stream(), user, p.buffer);
    args[p.arg] = p.reorder ? p.buffer : user;
  }
  e.prim.execute(cpu_stream(), args);
  for (size_t i = 0; i < e.ports.size(); i++) {
    Port& p = e.ports[i];
    if (!p.reorder || !p.output) continue;
    memory user = wrap(p.user, tensors[i]);
    p.re.execute(cpu_stream(), p.buffer, user);
  }
  cpu_stream().wait();
}

Entry* PrimitiveCache::find(const Key& key) {
  auto at = index_.find(key);
  if (at == index_.end()) {
    misses_++;
    return nullptr;
  }
  hits_++;
  order_.splice(order_.begin(), order_, at->second);
  return order_.front().second.get();
}

Entry& PrimitiveCache::insert(const Key& key, std::unique_ptr<Entry> e) {
  order_.emplace_front(key, std::move(e));
  index_[key] = order_.begin();
  trim();
  return *order_.front().second;
}

void PrimitiveCache::set_capacity(int64_t capacity) {
  if (capacity < 1) throw std::invalid_argument("the primitive cache needs room for at least one entry");
  capacity_ = capacity;
  trim();
}

void PrimitiveCache::trim() {
  while (int64_t(order_.size()) > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
    evictions_++;
  }
}

}  // namespace sc

// N-API glue: each export takes the tensors' Float32Arrays (inputs and a preallocated output) and a typed array of
// sizes laid out as a struct of contract.h, checks that the arrays are as large as the sizes say (a mismatch would
// read or write out of bounds), and runs the kernel synchronously on the arrays' own memory. oneDNN errors become JS
// exceptions. The addon also exports its contract: `layouts` (each struct's field names in order) and `ops` (each
// enum's name -> number), which lib/backend/onednn/contract.ts checks when it loads the addon.
#include <malloc.h>
#include <node_api.h>
#include <pthread.h>

#include <csignal>

#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "kernels.h"

namespace {

struct JsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(napi_status status, const char* what) {
  if (status != napi_ok) throw JsError(what);
}

// Each struct of contract.h with the element type of its typed array, its field names and its unpacking, all from
// its list (contract.h asserts that the struct is exactly that list).
template <typename S>
struct Layout;
#define SC_NAME(f) #f,
#define SC_UNPACK(f) s.f = p[i++];
#define SC_LAYOUT(Struct, Element, LIST)                             \
  template <>                                                        \
  struct Layout<Struct> {                                            \
    using element = Element;                                         \
    static constexpr const char* names[] = {LIST(SC_NAME)};          \
    static constexpr size_t size = sizeof(names) / sizeof(names[0]); \
    static Struct unpack(const Element* p) {                         \
      Struct s;                                                      \
      size_t i = 0;                                                  \
      LIST(SC_UNPACK)                                                \
      return s;                                                      \
    }                                                                \
  };
SC_LAYOUT(sc::ConvShape, int32_t, SC_CONV_SHAPE)
SC_LAYOUT(sc::PoolShape, int32_t, SC_POOL_SHAPE)
SC_LAYOUT(sc::MatMulShape, int32_t, SC_MATMUL_SHAPE)
SC_LAYOUT(sc::ReduceShape, int32_t, SC_REDUCE_SHAPE)
SC_LAYOUT(sc::AdamScalars, float, SC_ADAM_SCALARS)

constexpr const char* BINARY_NAMES[] = {SC_BINARY_OPS(SC_NAME)};
constexpr const char* UNARY_NAMES[] = {SC_UNARY_OPS(SC_NAME)};
constexpr const char* REDUCE_NAMES[] = {SC_REDUCE_OPS(SC_NAME)};

template <typename S>
std::string field_list() {
  std::string out;
  for (const char* f : Layout<S>::names) out += (out.empty() ? "" : ", ") + std::string(f);
  return out;
}

struct Args {
  napi_env env;
  std::vector<napi_value> v;
  Args(napi_env e, napi_callback_info info, size_t expected) : env(e), v(expected) {
    size_t argc = expected;
    check(napi_get_cb_info(env, info, &argc, v.data(), nullptr, nullptr), "bad arguments");
    if (argc != expected) throw JsError("expected " + std::to_string(expected) + " arguments");
  }

  template <typename T>
  T* typed(size_t i, napi_typedarray_type want, int64_t min_length, const char* name) {
    bool is_typed = false;
    check(napi_is_typedarray(env, v[i], &is_typed), name);
    if (!is_typed) throw JsError(std::string(name) + ": expected a typed array");
    napi_typedarray_type type;
    size_t length;
    void* data;
    check(napi_get_typedarray_info(env, v[i], &type, &length, &data, nullptr, nullptr), name);
    if (type != want) throw JsError(std::string(name) + ": wrong typed array type");
    if (int64_t(length) < min_length)
      throw JsError(std::string(name) + ": " + std::to_string(length) + " elements, need " +
                    std::to_string(min_length));
    return static_cast<T*>(data);
  }
  float* f32(size_t i, int64_t n, const char* name) { return typed<float>(i, napi_float32_array, n, name); }
  std::vector<int> ints(size_t i, size_t n, const char* name) {
    const int32_t* p = typed<int32_t>(i, napi_int32_array, n, name);
    for (size_t k = 0; k < n; k++)
      if (p[k] < 0) throw JsError(std::string(name) + ": negative size");
    return std::vector<int>(p, p + n);
  }
  // The struct S from argument i, a typed array of exactly S's fields (negative sizes refused). Another length
  // means the caller packed another list than this addon's: said with the addon's fields.
  template <typename S>
  S unpack(size_t i, const char* name) {
    using E = typename Layout<S>::element;
    constexpr auto type = std::is_same<E, float>::value ? napi_float32_array : napi_int32_array;
    const E* p = typed<E>(i, type, 0, name);
    if (length(i) != Layout<S>::size)
      throw JsError(std::string(name) + ": " + std::to_string(length(i)) + " values, but this addon's layout has " +
                    std::to_string(Layout<S>::size) + " (" + field_list<S>() + ")");
    if (std::is_integral<E>::value)
      for (size_t k = 0; k < Layout<S>::size; k++)
        if (p[k] < 0) throw JsError(std::string(name) + ": negative " + Layout<S>::names[k]);
    return Layout<S>::unpack(p);
  }
  size_t length(size_t i) {
    size_t n;
    check(napi_get_typedarray_info(env, v[i], nullptr, &n, nullptr, nullptr, nullptr), "expected a typed array");
    return n;
  }
  int64_t i64(size_t i) {
    int64_t out;
    check(napi_get_value_int64(env, v[i], &out), "expected an integer");
    return out;
  }
  double f64(size_t i) {
    double out;
    check(napi_get_value_double(env, v[i], &out), "expected a number");
    return out;
  }
};

// oneDNN 2.6.3's JIT sgemm (dnnl_sgemm, the MatMul kernel and the small convolutions of conv_gemm.cc) corrupts the
// heap when a signal handler runs on the stack of a thread inside it: a C++ loop of sgemm calls under a 200 us
// profiling timer aborts ("corrupted size vs. prev_size"), the same loop with signals blocked, or of matmul or
// convolution primitives, does not; `node --cpu-prof` aborted `starcluster evaluate` so. Every kernel therefore
// runs with the calling thread's signals blocked. The OpenMP workers are created inside kernels and keep that mask
// for good, so a signal for the process goes to one of Node's other threads, and one for this thread (the
// profiler's) waits until the kernel returns.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &saved_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t saved_;
};

template <typename F>
napi_value guarded(napi_env env, F body) {
  const SignalsBlocked blocked;
  try {
    return body();
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

int64_t x_size(const sc::ConvShape& s) { return int64_t(s.n) * s.h * s.w * s.ci; }
int64_t y_size(const sc::ConvShape& s) { return int64_t(s.n) * s.oh * s.ow * s.co; }
int64_t w_size(const sc::ConvShape& s) { return int64_t(s.kh) * s.kw * s.ci * s.co; }

// (x, filter, y, shape)
napi_value Conv2D(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    auto s = a.unpack<sc::ConvShape>(3, "shape");
    sc::conv2d_forward(s, a.f32(0, x_size(s), "x"), a.f32(1, w_size(s), "filter"), a.f32(2, y_size(s), "y"));
    return undefined(env);
  });
}

// (dy, filter, dx, shape)
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    auto s = a.unpack<sc::ConvShape>(3, "shape");
    sc::conv2d_backward_data(s, a.f32(0, y_size(s), "dy"), a.f32(1, w_size(s), "filter"), a.f32(2, x_size(s), "dx"));
    return undefined(env);
  });
}

// (x, dy, dw, shape)
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    auto s = a.unpack<sc::ConvShape>(3, "shape");
    sc::conv2d_backward_weights(s, a.f32(0, x_size(s), "x"), a.f32(1, y_size(s), "dy"), a.f32(2, w_size(s), "dw"));
    return undefined(env);
  });
}

// (a, b, c, MatMulShape)
napi_value MatMul(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    auto s = a.unpack<sc::MatMulShape>(3, "shape");
    const int64_t batch = s.batch, m = s.m, n = s.n, k = s.k;
    const int64_t as = s.a_batched ? m * k : 0, bs = s.b_batched ? k * n : 0;
    sc::matmul(int(batch), int(m), int(n), int(k), s.trans_a != 0, s.trans_b != 0,
               a.f32(0, (s.a_batched ? batch : 1) * m * k, "a"), as, a.f32(1, (s.b_batched ? batch : 1) * k * n, "b"),
               bs, a.f32(2, batch * m * n, "c"));
    return undefined(env);
  });
}

// (x, y, shape)
napi_value MaxPool(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 3);
    auto s = a.unpack<sc::PoolShape>(2, "shape");
    sc::max_pool(s, a.f32(0, int64_t(s.n) * s.h * s.w * s.c, "x"), a.f32(1, int64_t(s.n) * s.oh * s.ow * s.c, "y"));
    return undefined(env);
  });
}

// (dy, x, dx, shape)
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    auto s = a.unpack<sc::PoolShape>(3, "shape");
    const int64_t in = int64_t(s.n) * s.h * s.w * s.c;
    sc::max_pool_grad(s, a.f32(0, int64_t(s.n) * s.oh * s.ow * s.c, "dy"), a.f32(1, in, "x"), a.f32(2, in, "dx"));
    return undefined(env);
  });
}

// Extent of the region an operand with these strides touches over `shape`: 1 + sum of (extent - 1) * stride.
int64_t span(const std::vector<int>& shape, const std::vector<int>& strides) {
  int64_t last = 0;
  for (size_t d = 0; d < shape.size(); d++) {
    if (shape[d] == 0) return 0;
    last += int64_t(shape[d] - 1) * strides[d];
  }
  return last + 1;
}

// (op, a, aStrides, b, bStrides, out, outShape): strides and shape as Int32Arrays of one length, the rank.
napi_value Binary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 7);
    const int64_t op = a.i64(0);
    if (op < 0 || op >= sc::BINARY_OPS) throw JsError("unknown binary op " + std::to_string(op));
    const size_t rank = a.length(6);
    if (rank < 1 || rank > size_t(sc::MAX_DIMS))
      throw JsError("binary: rank must be 1.." + std::to_string(sc::MAX_DIMS));
    auto shape = a.ints(6, rank, "outShape");
    auto as = a.ints(2, rank, "aStrides"), bs = a.ints(4, rank, "bStrides");
    int64_t size = 1;
    for (int d : shape) size *= d;
    const float* pa = a.f32(1, span(shape, as), "a");
    const float* pb = a.f32(3, span(shape, bs), "b");
    float* out = a.f32(5, size, "out");
    if (size == 0) return undefined(env);
    std::vector<int64_t> as64(as.begin(), as.end()), bs64(bs.begin(), bs.end());
    sc::binary(sc::Binary(op), int(rank), shape.data(), pa, as64.data(), pb, bs64.data(), out);
    return undefined(env);
  });
}

// (src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape): strides and shape as Int32Arrays of the rank.
napi_value Copy(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 7);
    const size_t rank = a.length(6);
    if (rank < 1 || rank > size_t(sc::MAX_DIMS)) throw JsError("copy: rank must be 1.." + std::to_string(sc::MAX_DIMS));
    auto shape = a.ints(6, rank, "shape");
    auto ss = a.ints(2, rank, "srcStrides"), ds = a.ints(5, rank, "dstStrides");
    const int64_t so = a.i64(1), dof = a.i64(4);
    if (so < 0 || dof < 0) throw JsError("copy: negative offset");
    const float* src = a.f32(0, so + span(shape, ss), "src");
    float* dst = a.f32(3, dof + span(shape, ds), "dst");
    if (span(shape, ss) == 0) return undefined(env);
    std::vector<int64_t> ss64(ss.begin(), ss.end()), ds64(ds.begin(), ds.end());
    sc::copy(int(rank), shape.data(), src + so, ss64.data(), dst + dof, ds64.data());
    return undefined(env);
  });
}

// (op, x, out, alpha)
napi_value Unary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    const int64_t op = a.i64(0);
    if (op < 0 || op >= sc::UNARY_OPS) throw JsError("unknown unary op " + std::to_string(op));
    const int64_t n = int64_t(a.length(1));
    sc::unary(sc::Unary(op), n, a.f32(1, n, "x"), a.f32(2, n, "out"), float(a.f64(3)));
    return undefined(env);
  });
}

// (x, scale, shift, out): rows of scale's length
napi_value ScaleShift(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    const int64_t c = int64_t(a.length(1)), size = int64_t(a.length(0));
    if (c == 0 || size % c != 0) throw JsError("scaleShift: x's size is not a multiple of the channel count");
    sc::scale_shift(size / c, c, a.f32(0, size, "x"), a.f32(1, c, "scale"), a.f32(2, c, "shift"),
                    a.f32(3, size, "out"));
    return undefined(env);
  });
}

// (op, x, out, ReduceShape)
napi_value Reduce(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    const int64_t op = a.i64(0);
    if (op < 0 || op >= sc::REDUCE_OPS) throw JsError("unknown reduce op " + std::to_string(op));
    auto s = a.unpack<sc::ReduceShape>(3, "shape");
    if (s.length == 0) throw JsError("reduce: empty reduction");
    const int64_t outer = s.outer, len = s.length, inner = s.inner;
    sc::reduce(sc::Reduce(op), outer, len, inner, a.f32(1, outer * len * inner, "x"), a.f32(2, outer * inner, "out"));
    return undefined(env);
  });
}

// (p, m, v, g, pOut, mOut, vOut, AdamScalars)
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 8);
    const int64_t n = int64_t(a.length(0));
    const auto s = a.unpack<sc::AdamScalars>(7, "scalars");
    sc::adam_update(n, s, a.f32(0, n, "p"), a.f32(1, n, "m"), a.f32(2, n, "v"), a.f32(3, n, "g"), a.f32(4, n, "pOut"),
                    a.f32(5, n, "mOut"), a.f32(6, n, "vOut"));
    return undefined(env);
  });
}

// (x, w, b, y, xhat, mean, variance, invStd, eps): x, y, xhat [rows, c]; the others [c].
napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 9);
    const int64_t c = int64_t(a.length(1)), size = int64_t(a.length(0));
    if (c == 0 || size % c != 0) throw JsError("batch norm: x's size is not a multiple of the channel count");
    sc::batch_norm_forward(size / c, c, float(a.f64(8)), a.f32(0, size, "x"), a.f32(1, c, "w"), a.f32(2, c, "b"),
                           a.f32(3, size, "y"), a.f32(4, size, "xhat"), a.f32(5, c, "mean"), a.f32(6, c, "variance"),
                           a.f32(7, c, "invStd"));
    return undefined(env);
  });
}

// (g, xhat, w, invStd, dx, dw, db)
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 7);
    const int64_t c = int64_t(a.length(2)), size = int64_t(a.length(0));
    if (c == 0 || size % c != 0) throw JsError("batch norm: dy's size is not a multiple of the channel count");
    sc::batch_norm_backward(size / c, c, a.f32(0, size, "dy"), a.f32(1, size, "xhat"), a.f32(2, c, "w"),
                            a.f32(3, c, "invStd"), a.f32(4, size, "dx"), a.f32(5, c, "dw"), a.f32(6, c, "db"));
    return undefined(env);
  });
}

// (n): sets the OpenMP team size oneDNN and the loops use; returns it.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 1);
    const int64_t n = a.i64(0);
    if (n < 1) throw JsError("threads must be >= 1");
    sc::set_threads(int(n));
    napi_value out;
    check(napi_create_int32(env, sc::threads(), &out), "threads");
    return out;
  });
}

// ("fp32" | "bf16"): the arithmetic of convolutions from now on (kernels.h); throws when the CPU cannot run bf16.
napi_value SetPrecision(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 1);
    char name[8] = {0};
    size_t length = 0;
    check(napi_get_value_string_utf8(env, a.v[0], name, sizeof(name), &length), "precision must be a string");
    const std::string p(name, length);
    if (p != "fp32" && p != "bf16") throw JsError("precision must be fp32 or bf16, got '" + p + "'");
    sc::set_precision(p == "bf16" ? sc::Precision::BF16 : sc::Precision::F32);
    return undefined(env);
  });
}

// (): whether this CPU runs bf16 convolutions natively (AVX512_BF16 or AMX, as oneDNN detects it).
napi_value Bf16Supported(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    napi_value out;
    check(napi_get_boolean(env, sc::bf16_supported(), &out), "bf16Supported");
    return out;
  });
}

// (): keeps freed memory in the process heap for reuse instead of handing it back to the OS. Every kernel output is a
// fresh Float32Array (calloc), and glibc serves large ones with mmap and returns them with munmap, so each step
// faulted in every page of its activations again: on this project's VMs a first-touch fault costs ~10 us (a 64 MB
// array took 170 ms to allocate and fill, 30 ms from the heap) and faults were most of the time of the elementwise
// kernels. The process's peak memory stays reserved; that is the price. Returns true if glibc accepted both settings.
napi_value RetainFreedMemory(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    const bool ok = mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
    napi_value out;
    check(napi_get_boolean(env, ok, &out), "retainFreedMemory");
    return out;
  });
}

napi_value number_property(napi_env env, napi_value object, const char* name, double value) {
  napi_value v;
  check(napi_create_double(env, value, &v), name);
  check(napi_set_named_property(env, object, name, v), name);
  return object;
}

napi_value cache_stats(napi_env env) {
  const sc::CacheStats c = sc::conv_cache_stats();
  napi_value out;
  check(napi_create_object(env, &out), "convCache");
  number_property(env, out, "entries", double(c.entries));
  number_property(env, out, "capacity", double(c.capacity));
  number_property(env, out, "hits", double(c.hits));
  number_property(env, out, "misses", double(c.misses));
  number_property(env, out, "evictions", double(c.evictions));
  return out;
}

// () -> {entries, capacity, hits, misses, evictions} of the calling thread's convolution primitive cache.
napi_value ConvCache(napi_env env, napi_callback_info) {
  return guarded(env, [&] { return cache_stats(env); });
}

// (capacity): the calling thread's cache bound (>= 1; entries beyond it are dropped); returns the stats after.
napi_value SetConvCacheCapacity(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 1);
    sc::set_conv_cache_capacity(a.i64(0));
    return cache_stats(env);
  });
}

// () -> "major.minor.patch" of the oneDNN library loaded at run time.
napi_value Version(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    const dnnl_version_t* v = dnnl_version();
    std::string s = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
    napi_value out;
    check(napi_create_string_utf8(env, s.c_str(), s.size(), &out), "version");
    return out;
  });
}

napi_value frozen(napi_env env, napi_value v) {
  check(napi_object_freeze(env, v), "freeze");
  return v;
}

napi_value string_array(napi_env env, const char* const* names, size_t n) {
  napi_value out;
  check(napi_create_array_with_length(env, n, &out), "layouts");
  for (size_t i = 0; i < n; i++) {
    napi_value s;
    check(napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &s), "layouts");
    check(napi_set_element(env, out, uint32_t(i), s), "layouts");
  }
  return frozen(env, out);
}

template <typename S>
napi_value field_names(napi_env env) {
  return string_array(env, Layout<S>::names, Layout<S>::size);
}

// {Name: number} of one enum: its enumerators are numbered in list order.
napi_value enum_table(napi_env env, const char* const* names, size_t n) {
  napi_value out;
  check(napi_create_object(env, &out), "ops");
  for (size_t i = 0; i < n; i++) number_property(env, out, names[i], double(i));
  return frozen(env, out);
}

napi_value set(napi_env env, napi_value object, const char* name, napi_value value) {
  check(napi_set_named_property(env, object, name, value), name);
  return object;
}

// exports.layouts and exports.ops (frozen): the contract lib/backend/onednn/contract.ts checks at load.
void export_contract(napi_env env, napi_value exports) {
  napi_value layouts, ops;
  check(napi_create_object(env, &layouts), "layouts");
  set(env, layouts, "conv", field_names<sc::ConvShape>(env));
  set(env, layouts, "pool", field_names<sc::PoolShape>(env));
  set(env, layouts, "matMul", field_names<sc::MatMulShape>(env));
  set(env, layouts, "reduce", field_names<sc::ReduceShape>(env));
  set(env, layouts, "adam", field_names<sc::AdamScalars>(env));
  check(napi_create_object(env, &ops), "ops");
  set(env, ops, "binary", enum_table(env, BINARY_NAMES, sc::BINARY_OPS));
  set(env, ops, "unary", enum_table(env, UNARY_NAMES, sc::UNARY_OPS));
  set(env, ops, "reduce", enum_table(env, REDUCE_NAMES, sc::REDUCE_OPS));
  set(env, exports, "layouts", frozen(env, layouts));
  set(env, exports, "ops", frozen(env, ops));
}

static_assert(sizeof(BINARY_NAMES) / sizeof(*BINARY_NAMES) == size_t(sc::BINARY_OPS), "binary names");
static_assert(sizeof(UNARY_NAMES) / sizeof(*UNARY_NAMES) == size_t(sc::UNARY_OPS), "unary names");
static_assert(sizeof(REDUCE_NAMES) / sizeof(*REDUCE_NAMES) == size_t(sc::REDUCE_OPS), "reduce names");

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"conv2d", nullptr, Conv2D, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2DBackpropInput, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2DBackpropFilter, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"matMul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPool", nullptr, MaxPool, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"copy", nullptr, Copy, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"scaleShift", nullptr, ScaleShift, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adamUpdate", nullptr, AdamUpdate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormForward", nullptr, BatchNormForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormBackward", nullptr, BatchNormBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"retainFreedMemory", nullptr, RetainFreedMemory, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setPrecision", nullptr, SetPrecision, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"bf16Supported", nullptr, Bf16Supported, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"convCache", nullptr, ConvCache, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setConvCacheCapacity", nullptr, SetConvCacheCapacity, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  try {
    export_contract(env, exports);
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
    return nullptr;
  }
  return exports;
}

}  // namespace

NAPI_MODULE(starcluster_onednn, Init)

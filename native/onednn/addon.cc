// N-API glue: each export takes the tensors' Float32Arrays (inputs and a preallocated output) and an Int32Array of
// sizes, checks that the arrays are as large as the sizes say (a mismatch would read or write out of bounds), and
// runs the kernel synchronously on the arrays' own memory. oneDNN errors become JS exceptions.
#include <malloc.h>
#include <node_api.h>

#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
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

template <typename F>
napi_value guarded(napi_env env, F body) {
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

sc::ConvShape conv_shape(const std::vector<int>& p) {
  return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16]};
}
int64_t x_size(const sc::ConvShape& s) { return int64_t(s.n) * s.h * s.w * s.ci; }
int64_t y_size(const sc::ConvShape& s) { return int64_t(s.n) * s.oh * s.ow * s.co; }
int64_t w_size(const sc::ConvShape& s) { return int64_t(s.kh) * s.kw * s.ci * s.co; }

// (x, filter, y, shape)
napi_value Conv2D(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    auto s = conv_shape(a.ints(3, 17, "shape"));
    sc::conv2d_forward(s, a.f32(0, x_size(s), "x"), a.f32(1, w_size(s), "filter"), a.f32(2, y_size(s), "y"));
    return undefined(env);
  });
}

// (dy, filter, dx, shape)
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    auto s = conv_shape(a.ints(3, 17, "shape"));
    sc::conv2d_backward_data(s, a.f32(0, y_size(s), "dy"), a.f32(1, w_size(s), "filter"), a.f32(2, x_size(s), "dx"));
    return undefined(env);
  });
}

// (x, dy, dw, shape)
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    auto s = conv_shape(a.ints(3, 17, "shape"));
    sc::conv2d_backward_weights(s, a.f32(0, x_size(s), "x"), a.f32(1, y_size(s), "dy"), a.f32(2, w_size(s), "dw"));
    return undefined(env);
  });
}

// (a, b, c, [batch, m, n, k, transA, transB, aBatched, bBatched])
napi_value MatMul(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    auto p = a.ints(3, 8, "shape");
    const int64_t batch = p[0], m = p[1], n = p[2], k = p[3];
    const int64_t as = p[6] ? m * k : 0, bs = p[7] ? k * n : 0;
    sc::matmul(int(batch), int(m), int(n), int(k), p[4] != 0, p[5] != 0, a.f32(0, (p[6] ? batch : 1) * m * k, "a"), as,
               a.f32(1, (p[7] ? batch : 1) * k * n, "b"), bs, a.f32(2, batch * m * n, "c"));
    return undefined(env);
  });
}

sc::PoolShape pool_shape(const std::vector<int>& p) {
  return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13]};
}

// (x, y, shape)
napi_value MaxPool(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 3);
    auto s = pool_shape(a.ints(2, 14, "shape"));
    sc::max_pool(s, a.f32(0, int64_t(s.n) * s.h * s.w * s.c, "x"), a.f32(1, int64_t(s.n) * s.oh * s.ow * s.c, "y"));
    return undefined(env);
  });
}

// (dy, x, dx, shape)
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    auto s = pool_shape(a.ints(3, 14, "shape"));
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
    if (op < 0 || op > int64_t(sc::Binary::ReluGrad)) throw JsError("unknown binary op");
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
    if (op < 0 || op > int64_t(sc::Unary::Reciprocal)) throw JsError("unknown unary op");
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

// (op, x, out, [outer, reduce, inner])
napi_value Reduce(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 4);
    const int64_t op = a.i64(0);
    if (op < 0 || op > int64_t(sc::Reduce::Max)) throw JsError("unknown reduce op");
    auto p = a.ints(3, 3, "shape");
    if (p[1] == 0) throw JsError("reduce: empty reduction");
    const int64_t outer = p[0], len = p[1], inner = p[2];
    sc::reduce(sc::Reduce(op), outer, len, inner, a.f32(1, outer * len * inner, "x"), a.f32(2, outer * inner, "out"));
    return undefined(env);
  });
}

// (p, m, v, g, pOut, mOut, vOut, [beta1, 1 - beta1, beta2, 1 - beta2, sqrt(1 - beta2^t), eps, lr / (1 - beta1^t)])
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 8);
    const int64_t n = int64_t(a.length(0));
    const float* k = a.f32(7, 7, "scalars");
    const sc::AdamScalars s{k[0], k[1], k[2], k[3], k[4], k[5], k[6]};
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
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(starcluster_onednn, Init)

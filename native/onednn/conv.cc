// Convolutions on oneDNN. Activations stay NHWC (the tensors' own memory); filters are reordered each call from
// tfjs's HWIO into the layout the chosen implementation wants (the weights change every training step, so there
// is nothing to cache but the reorder primitive). Primitives are created once per shape, pass and precision and
// kept in a cache per thread (its entries hold reorder buffers, so two threads never share one), bounded: the least
// recently used entry goes when a new one would exceed PRIMITIVE_CACHE_ENTRIES. Outputs of very few positions go to
// im2col + a matrix product instead (conv_gemm.cc).
// In bf16 precision the operands a convolution reads (x, filter, dy) are rounded to bfloat16 on the way in and
// every result it writes (y, dx, dw) stays float32, as PyTorch's CPU autocast does; accumulation is float32.
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "conv_gemm.h"
#include "kernels.h"
#include "primitives.h"

namespace sc {

using dnnl::memory;
using tag = memory::format_tag;

namespace {

constexpr auto f32 = memory::data_type::f32;
constexpr auto bf16 = memory::data_type::bf16;
thread_local Precision current_precision = Precision::F32;

// The default bound of each thread's primitive cache. A run meets each convolution shape in three passes (forward,
// backward data, backward weights) at its training batch size and again at the last partial batch, and forward at
// its evaluation batch sizes: the dual ResNet18 at 50 px, trained and evaluated so, made 61 entries, VGG19-BN 61, so
// 256 holds both networks at two input sizes. An entry holds a JIT-compiled kernel and a filter-sized reorder buffer
// (up to 9 MB for 3x3x512x512 in fp32).
constexpr int64_t PRIMITIVE_CACHE_ENTRIES = 256;

struct Descs {
  memory::desc src, weights, dst;
  memory::dims strides, dilates, pad_l, pad_r;
};

// The tensors' own layouts: NHWC activations, HWIO filters.
Descs user_descs(const ConvShape& s) {
  return {
      memory::desc({s.n, s.ci, s.h, s.w}, f32, tag::nhwc),
      memory::desc({s.co, s.ci, s.kh, s.kw}, f32, tag::hwio),
      memory::desc({s.n, s.co, s.oh, s.ow}, f32, tag::nhwc),
      {s.sh, s.sw},
      {s.dh - 1, s.dw - 1},
      {s.pt, s.pl},
      {s.pb, s.pr},
  };
}

enum Kind { FORWARD, BACKWARD_DATA, BACKWARD_WEIGHTS };

// What the primitive is created with: filters in the layout the implementation prefers ("any"), activations NHWC
// (letting oneDNN choose its blocked nChw8c layout, as PyTorch does, cost two reorders per call and measured no
// faster here). In bf16, the operands the pass reads are bf16 and the one it writes float32.
Descs primitive_descs(const ConvShape& s, Kind kind, Precision precision) {
  const bool low = precision == Precision::BF16;
  const auto src = low && kind != BACKWARD_DATA ? bf16 : f32;
  const auto weights = low && kind != BACKWARD_WEIGHTS ? bf16 : f32;
  const auto dst = low && kind != FORWARD ? bf16 : f32;
  Descs d = user_descs(s);
  d.src = memory::desc({s.n, s.ci, s.h, s.w}, src, tag::nhwc);
  d.weights = memory::desc({s.co, s.ci, s.kh, s.kw}, weights, tag::any);
  d.dst = memory::desc({s.n, s.co, s.oh, s.ow}, dst, tag::nhwc);
  return d;
}

// The forward pass backward primitives are created against (oneDNN's hint): all operands in the run's precision.
dnnl::convolution_forward::primitive_desc training_hint(const ConvShape& s, Precision precision);

// Rows (columns) of x a convolution reads: fewer than it has when stride > 1 leaves trailing ones unused.
int used(int in, int out, int stride, int kernel, int dilation, int pad_before) {
  return std::min(in, (out - 1) * stride + (kernel - 1) * dilation + 1 - pad_before);
}

dnnl::convolution_forward::primitive_desc forward_pd(const Descs& d, dnnl::prop_kind kind) {
  auto desc = dnnl::convolution_forward::desc(kind, dnnl::algorithm::convolution_direct, d.src, d.weights, d.dst,
                                              d.strides, d.dilates, d.pad_l, d.pad_r);
  return dnnl::convolution_forward::primitive_desc(desc, cpu_engine());
}

dnnl::convolution_forward::primitive_desc training_hint(const ConvShape& s, Precision precision) {
  Descs d = primitive_descs(s, FORWARD, precision);
  if (precision == Precision::BF16) d.dst = memory::desc({s.n, s.co, s.oh, s.ow}, bf16, tag::nhwc);
  return forward_pd(d, dnnl::prop_kind::forward_training);
}

// Pass, precision and every field of the shape.
#define SC_KEY_FIELD(f) s.f,
Key key_of(Kind kind, Precision precision, const ConvShape& s) {
  return {kind, int(precision), SC_CONV_SHAPE(SC_KEY_FIELD)};
}
#undef SC_KEY_FIELD

thread_local PrimitiveCache primitive_cache(PRIMITIVE_CACHE_ENTRIES);

// The cached primitive for this pass, shape and the thread's precision, created on a miss. The reference is valid
// until the thread's next call of entry().
Entry& entry(Kind kind, const ConvShape& s) {
  const Precision precision = current_precision;
  const Key key = key_of(kind, precision, s);
  if (Entry* hit = primitive_cache.find(key)) return *hit;
  auto e = std::make_unique<Entry>();
  const Descs u = user_descs(s), d = primitive_descs(s, kind, precision);
  if (kind == FORWARD) {
    auto pd = forward_pd(d, dnnl::prop_kind::forward_inference);
    e->prim = dnnl::convolution_forward(pd);
    e->ports = {{DNNL_ARG_SRC, false, u.src, pd.src_desc()},
                {DNNL_ARG_WEIGHTS, false, u.weights, pd.weights_desc()},
                {DNNL_ARG_DST, true, u.dst, pd.dst_desc()}};
  } else if (kind == BACKWARD_DATA) {
    auto hint = training_hint(s, precision);
    auto desc = dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, d.src, d.weights, d.dst,
                                                      d.strides, d.dilates, d.pad_l, d.pad_r);
    auto pd = dnnl::convolution_backward_data::primitive_desc(desc, cpu_engine(), hint);
    e->prim = dnnl::convolution_backward_data(pd);
    e->ports = {{DNNL_ARG_DIFF_DST, false, u.dst, pd.diff_dst_desc()},
                {DNNL_ARG_WEIGHTS, false, u.weights, pd.weights_desc()},
                {DNNL_ARG_DIFF_SRC, true, u.src, pd.diff_src_desc()}};
  } else {
    auto hint = training_hint(s, precision);
    auto desc = dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, d.src, d.weights, d.dst,
                                                         d.strides, d.dilates, d.pad_l, d.pad_r);
    auto pd = dnnl::convolution_backward_weights::primitive_desc(desc, cpu_engine(), hint);
    e->prim = dnnl::convolution_backward_weights(pd);
    e->ports = {{DNNL_ARG_SRC, false, u.src, pd.src_desc()},
                {DNNL_ARG_DIFF_DST, false, u.dst, pd.diff_dst_desc()},
                {DNNL_ARG_DIFF_WEIGHTS, true, u.weights, pd.diff_weights_desc()}};
  }
  return primitive_cache.insert(key, std::move(e));
}

}  // namespace

bool bf16_supported() {
  const auto isa = int(dnnl::get_effective_cpu_isa()), need = int(dnnl::cpu_isa::avx512_core_bf16);
  return (isa & need) == need;
}

void set_precision(Precision p) {
  if (p == Precision::BF16 && !bf16_supported()) throw std::runtime_error("bf16 needs a CPU with AVX512_BF16 or AMX");
  current_precision = p;
}

Precision precision() { return current_precision; }

CacheStats conv_cache_stats() { return primitive_cache.stats(); }

void set_conv_cache_capacity(int64_t capacity) { primitive_cache.set_capacity(capacity); }

void conv2d_forward(const ConvShape& s, const float* x, const float* w, float* y) {
  if (gemm_preferred(s)) return gemm_conv2d_forward(s, x, w, y);
  run(entry(FORWARD, s), {x, w, y});
}

void conv2d_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx) {
  if (gemm_preferred(s)) return gemm_conv2d_backward_data(s, dy, w, dx);
  run(entry(BACKWARD_DATA, s), {dy, w, dx});
}

// oneDNN 2.6's backward-weights kernels give wrong results when trailing input rows are unused (1x1 stride 2 on an
// even size, as in ResNet's downsample branches; both with exact and with negative padding after), so x is first
// cropped to the rows it uses, into a buffer of this call's own (from the heap, which keeps freed memory: see
// RetainFreedMemory in addon.cc; left uninitialised, as every element is written).
void conv2d_backward_weights(const ConvShape& s, const float* x, const float* dy, float* dw) {
  if (gemm_preferred(s)) return gemm_conv2d_backward_weights(s, x, dy, dw);
  const int h = used(s.h, s.oh, s.sh, s.kh, s.dh, s.pt), w = used(s.w, s.ow, s.sw, s.kw, s.dw, s.pl);
  if (h < s.h || w < s.w) {
    ConvShape cropped = s;
    cropped.h = h;
    cropped.w = w;
    cropped.pb = std::max(0, s.pb);
    cropped.pr = std::max(0, s.pr);
    std::unique_ptr<float[]> buffer(new float[size_t(s.n) * h * w * s.ci]);
    for (int b = 0; b < s.n; b++)
      for (int y = 0; y < h; y++)
        std::copy_n(x + ((int64_t(b) * s.h + y) * s.w) * s.ci, int64_t(w) * s.ci,
                    buffer.get() + ((int64_t(b) * h + y) * w) * s.ci);
    return conv2d_backward_weights(cropped, buffer.get(), dy, dw);
  }
  run(entry(BACKWARD_WEIGHTS, s), {x, dy, dw});
}

}  // namespace sc

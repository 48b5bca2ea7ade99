// Convolutions on oneDNN. Activations stay NHWC (the tensors' own memory); filters are reordered each call from
// tfjs's HWIO into the layout the chosen implementation wants (the weights change every training step, so there
// is nothing to cache but the reorder primitive). Primitives are created once per shape and kept.
#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "kernels.h"

namespace sc {

using dnnl::memory;
using tag = memory::format_tag;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  static dnnl::stream stream(cpu_engine());
  return stream;
}

namespace {

constexpr auto f32 = memory::data_type::f32;

struct Descs {
  memory::desc src, weights_any, weights_user, dst;
  memory::dims strides, dilates, pad_l, pad_r;
};

Descs descs(const ConvShape& s) {
  return {
      memory::desc({s.n, s.ci, s.h, s.w}, f32, tag::nhwc),
      memory::desc({s.co, s.ci, s.kh, s.kw}, f32, tag::any),
      memory::desc({s.co, s.ci, s.kh, s.kw}, f32, tag::hwio),
      memory::desc({s.n, s.co, s.oh, s.ow}, f32, tag::nhwc),
      {s.sh, s.sw}, {s.dh - 1, s.dw - 1}, {s.pt, s.pl}, {s.pb, s.pr},
  };
}

// Rows (columns) of x a convolution reads: fewer than it has when stride > 1 leaves trailing ones unused.
int used(int in, int out, int stride, int kernel, int dilation, int pad_before) {
  return std::min(in, (out - 1) * stride + (kernel - 1) * dilation + 1 - pad_before);
}

dnnl::convolution_forward::primitive_desc forward_pd(const Descs& d, dnnl::prop_kind kind) {
  auto desc = dnnl::convolution_forward::desc(kind, dnnl::algorithm::convolution_direct, d.src, d.weights_any, d.dst,
                                              d.strides, d.dilates, d.pad_l, d.pad_r);
  return dnnl::convolution_forward::primitive_desc(desc, cpu_engine());
}

// A convolution primitive and, when its filter layout is not HWIO, the reorder between the two and a buffer in the
// primitive's layout.
struct Entry {
  dnnl::primitive prim;
  memory::desc weights;
  bool reorder_weights = false;
  dnnl::reorder weights_reorder;
  memory weights_buffer;
};

using Key = std::vector<int>;

Key key_of(int kind, const ConvShape& s) {
  return {kind, s.n, s.h, s.w, s.ci, s.kh, s.kw, s.co, s.oh, s.ow, s.sh, s.sw, s.dh, s.dw, s.pt, s.pb, s.pl, s.pr};
}

// For forward and backward-data the filter is an input (HWIO -> primitive layout); for backward-weights it is the
// output (primitive layout -> HWIO).
void attach_weights(Entry& e, const memory::desc& user, const memory::desc& chosen, bool is_output) {
  e.weights = chosen;
  e.reorder_weights = chosen != user;
  if (!e.reorder_weights) return;
  e.weights_buffer = memory(chosen, cpu_engine());
  e.weights_reorder = is_output ? dnnl::reorder(e.weights_buffer, memory(user, cpu_engine(), DNNL_MEMORY_NONE))
                                : dnnl::reorder(memory(user, cpu_engine(), DNNL_MEMORY_NONE), e.weights_buffer);
}

enum Kind { FORWARD, BACKWARD_DATA, BACKWARD_WEIGHTS };

Entry& entry(Kind kind, const ConvShape& s) {
  static std::map<Key, std::unique_ptr<Entry>> cache;
  auto& slot = cache[key_of(kind, s)];
  if (slot) return *slot;
  auto e = std::make_unique<Entry>();
  Descs d = descs(s);
  if (kind == FORWARD) {
    auto pd = forward_pd(d, dnnl::prop_kind::forward_inference);
    e->prim = dnnl::convolution_forward(pd);
    attach_weights(*e, d.weights_user, pd.weights_desc(), false);
  } else if (kind == BACKWARD_DATA) {
    auto hint = forward_pd(d, dnnl::prop_kind::forward_training);
    auto desc = dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, d.src, d.weights_any, d.dst,
                                                      d.strides, d.dilates, d.pad_l, d.pad_r);
    auto pd = dnnl::convolution_backward_data::primitive_desc(desc, cpu_engine(), hint);
    e->prim = dnnl::convolution_backward_data(pd);
    attach_weights(*e, d.weights_user, pd.weights_desc(), false);
  } else {
    auto hint = forward_pd(d, dnnl::prop_kind::forward_training);
    auto desc = dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, d.src, d.weights_any,
                                                         d.dst, d.strides, d.dilates, d.pad_l, d.pad_r);
    auto pd = dnnl::convolution_backward_weights::primitive_desc(desc, cpu_engine(), hint);
    e->prim = dnnl::convolution_backward_weights(pd);
    attach_weights(*e, d.weights_user, pd.diff_weights_desc(), true);
  }
  slot = std::move(e);
  return *slot;
}

memory wrap(const memory::desc& md, const float* p) { return memory(md, cpu_engine(), const_cast<float*>(p)); }

// The filter as the primitive wants it: the tensor itself, or the reorder buffer filled from it.
memory filter_in(Entry& e, const Descs& d, const float* w) {
  memory user = wrap(d.weights_user, w);
  if (!e.reorder_weights) return user;
  e.weights_reorder.execute(cpu_stream(), user, e.weights_buffer);
  return e.weights_buffer;
}

}  // namespace

void conv2d_forward(const ConvShape& s, const float* x, const float* w, float* y) {
  Entry& e = entry(FORWARD, s);
  Descs d = descs(s);
  e.prim.execute(cpu_stream(), {{DNNL_ARG_SRC, wrap(d.src, x)}, {DNNL_ARG_WEIGHTS, filter_in(e, d, w)}, {DNNL_ARG_DST, wrap(d.dst, y)}});
  cpu_stream().wait();
}

void conv2d_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx) {
  Entry& e = entry(BACKWARD_DATA, s);
  Descs d = descs(s);
  e.prim.execute(cpu_stream(), {{DNNL_ARG_DIFF_DST, wrap(d.dst, dy)}, {DNNL_ARG_WEIGHTS, filter_in(e, d, w)}, {DNNL_ARG_DIFF_SRC, wrap(d.src, dx)}});
  cpu_stream().wait();
}

// oneDNN 2.6's backward-weights kernels give wrong results when trailing input rows are unused (1x1 stride 2 on an
// even size, as in ResNet's downsample branches; both with exact and with negative padding after), so x is first
// cropped to the rows it uses, into a buffer kept per shape.
void conv2d_backward_weights(const ConvShape& s, const float* x, const float* dy, float* dw) {
  const int h = used(s.h, s.oh, s.sh, s.kh, s.dh, s.pt), w = used(s.w, s.ow, s.sw, s.kw, s.dw, s.pl);
  if (h < s.h || w < s.w) {
    ConvShape cropped = s;
    cropped.h = h;
    cropped.w = w;
    cropped.pb = std::max(0, s.pb);
    cropped.pr = std::max(0, s.pr);
    static std::vector<float> buffer;
    buffer.resize(size_t(s.n) * h * w * s.ci);
    for (int b = 0; b < s.n; b++)
      for (int y = 0; y < h; y++)
        std::copy_n(x + ((int64_t(b) * s.h + y) * s.w) * s.ci, int64_t(w) * s.ci, buffer.data() + ((int64_t(b) * h + y) * w) * s.ci);
    return conv2d_backward_weights(cropped, buffer.data(), dy, dw);
  }
  Entry& e = entry(BACKWARD_WEIGHTS, s);
  Descs d = descs(s);
  memory user = wrap(d.weights_user, dw);
  memory out = e.reorder_weights ? e.weights_buffer : user;
  e.prim.execute(cpu_stream(), {{DNNL_ARG_SRC, wrap(d.src, x)}, {DNNL_ARG_DIFF_DST, wrap(d.dst, dy)}, {DNNL_ARG_DIFF_WEIGHTS, out}});
  if (e.reorder_weights) e.weights_reorder.execute(cpu_stream(), e.weights_buffer, user);
  cpu_stream().wait();
}

}  // namespace sc

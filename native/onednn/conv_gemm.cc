// Convolutions as im2col + a matrix product, for outputs of very few positions (ResNet18's last stage at 64 px:
// 2x2). There oneDNN 2.6's direct kernels ran 2-3x slower here (backward-weights ~4 GFLOP/s), while one gemm of
// [N*OH*OW, KH*KW*Ci] x [KH*KW*Ci, Co] does not care: HWIO filters are that matrix already. At 4x4 the two were
// even, so the direct kernels keep it. In bf16 precision the product is oneDNN's matmul primitive on operands
// rounded to bfloat16 (float32 result and accumulation), as conv.cc's bf16 convolutions; its direct bf16 kernels
// were no faster at 2x2 than sgemm (~80 GFLOP/s, measured here beside a training job), the bf16 product 1.5-1.7x.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include <oneapi/dnnl/dnnl.hpp>

#include "conv_gemm.h"
#include "parallel.h"
#include "primitives.h"

namespace sc {

namespace {

using dnnl::memory;

// The bound of each thread's cache of products. A run meets a few shapes (3 passes x ResNet18's last-stage
// convolutions x its batch sizes: 24 for training and evaluation at 64 px, ~10 MB at batch 64).
constexpr int64_t PRODUCT_CACHE_ENTRIES = 64;

// c[m, n] = a[m, k] b[k, n] (a, b read transposed where asked: row-major [k, m], [n, k]), operands rounded to
// bfloat16 by the ports' reorders into buffers of the primitive's own (b in the layout it prefers: 10% faster than
// row-major here), the product accumulated and written in float32.
Entry& low_precision_product(int m, int n, int k, bool trans_a, bool trans_b) {
  thread_local PrimitiveCache cache(PRODUCT_CACHE_ENTRIES);
  const Key key{m, n, k, trans_a, trans_b};
  if (Entry* hit = cache.find(key)) return *hit;
  const auto f32 = memory::data_type::f32, bf16 = memory::data_type::bf16;
  const memory::desc a_user({m, k}, f32, trans_a ? memory::dims{1, m} : memory::dims{k, 1});
  const memory::desc b_user({k, n}, f32, trans_b ? memory::dims{1, k} : memory::dims{n, 1});
  const memory::desc c({m, n}, f32, memory::format_tag::ab);
  const memory::desc a_low({m, k}, bf16, memory::format_tag::ab), b_any({k, n}, bf16, memory::format_tag::any);
  const auto pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a_low, b_any, c), cpu_engine());
  auto e = std::make_unique<Entry>();
  e->prim = dnnl::matmul(pd);
  e->ports = {{DNNL_ARG_SRC, false, a_user, pd.src_desc()},
              {DNNL_ARG_WEIGHTS, false, b_user, pd.weights_desc()},
              {DNNL_ARG_DST, true, c, pd.dst_desc()}};
  return cache.insert(key, std::move(e));
}

void matmul_bf16(int m, int n, int k, bool trans_a, bool trans_b, const float* a, const float* b, float* c) {
  run(low_precision_product(m, n, k, trans_a, trans_b), {a, b, c});
}

// The product in the thread's precision.
void product(int m, int n, int k, bool trans_a, bool trans_b, const float* a, const float* b, float* c) {
  if (precision() == Precision::BF16) return matmul_bf16(m, n, k, trans_a, trans_b, a, b, c);
  matmul(1, m, n, k, trans_a, trans_b, a, 0, b, 0, c);
}

// col[p, (kh*KW + kw)*Ci + c] = x at output position p's tap (kh, kw), channel c; 0 in the padding.
void im2col(const ConvShape& s, const float* x, float* col) {
  const int64_t taps = int64_t(s.kh) * s.kw * s.ci;
#pragma omp parallel for collapse(2) schedule(static) num_threads(team(int64_t(s.n) * s.oh * s.ow * taps))
  for (int b = 0; b < s.n; b++)
    for (int oy = 0; oy < s.oh; oy++)
      for (int ox = 0; ox < s.ow; ox++) {
        float* row = col + ((int64_t(b) * s.oh + oy) * s.ow + ox) * taps;
        for (int ky = 0; ky < s.kh; ky++)
          for (int kx = 0; kx < s.kw; kx++) {
            float* dst = row + (int64_t(ky) * s.kw + kx) * s.ci;
            const int iy = oy * s.sh - s.pt + ky * s.dh, ix = ox * s.sw - s.pl + kx * s.dw;
            if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w)
              std::memset(dst, 0, sizeof(float) * s.ci);
            else
              std::memcpy(dst, x + ((int64_t(b) * s.h + iy) * s.w + ix) * s.ci, sizeof(float) * s.ci);
          }
      }
}

// dx += col scattered back to the taps' input positions (the transpose of im2col); one task per image, so the sums
// are in a fixed order.
void col2im(const ConvShape& s, const float* col, float* dx) {
  const int64_t taps = int64_t(s.kh) * s.kw * s.ci;
#pragma omp parallel for schedule(static) num_threads(team(int64_t(s.n) * s.oh * s.ow * taps))
  for (int b = 0; b < s.n; b++) {
    float* img = dx + int64_t(b) * s.h * s.w * s.ci;
    std::memset(img, 0, sizeof(float) * s.h * s.w * s.ci);
    for (int oy = 0; oy < s.oh; oy++)
      for (int ox = 0; ox < s.ow; ox++) {
        const float* row = col + ((int64_t(b) * s.oh + oy) * s.ow + ox) * taps;
        for (int ky = 0; ky < s.kh; ky++)
          for (int kx = 0; kx < s.kw; kx++) {
            const int iy = oy * s.sh - s.pt + ky * s.dh, ix = ox * s.sw - s.pl + kx * s.dw;
            if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
            float* dst = img + (int64_t(iy) * s.w + ix) * s.ci;
            const float* src = row + (int64_t(ky) * s.kw + kx) * s.ci;
            for (int c = 0; c < s.ci; c++) dst[c] += src[c];
          }
      }
  }
}

// The column matrix of one call, uninitialised (im2col and the gemm write every element). Per call, so that calls
// from two threads never share it; the heap keeps freed memory (RetainFreedMemory in addon.cc), so taking it again
// each call costs no page faults.
std::unique_ptr<float[]> columns(const ConvShape& s) {
  return std::unique_ptr<float[]>(new float[size_t(s.n) * s.oh * s.ow * s.kh * s.kw * s.ci]);
}

}  // namespace

bool gemm_preferred(const ConvShape& s) { return s.oh * s.ow <= 4 && (s.kh > 1 || s.kw > 1); }

void gemm_conv2d_forward(const ConvShape& s, const float* x, const float* w, float* y) {
  const int positions = s.n * s.oh * s.ow, taps = s.kh * s.kw * s.ci;
  auto col = columns(s);
  im2col(s, x, col.get());
  product(positions, s.co, taps, false, false, col.get(), w, y);
}

void gemm_conv2d_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx) {
  const int positions = s.n * s.oh * s.ow, taps = s.kh * s.kw * s.ci;
  auto col = columns(s);
  product(positions, taps, s.co, false, true, dy, w, col.get());
  col2im(s, col.get(), dx);
}

void gemm_conv2d_backward_weights(const ConvShape& s, const float* x, const float* dy, float* dw) {
  const int positions = s.n * s.oh * s.ow, taps = s.kh * s.kw * s.ci;
  auto col = columns(s);
  im2col(s, x, col.get());
  product(taps, s.co, positions, true, false, col.get(), dy, dw);
}

}  // namespace sc

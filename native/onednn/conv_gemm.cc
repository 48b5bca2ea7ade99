// Convolutions as im2col + sgemm, for outputs of very few positions (ResNet18's last stage at 64 px: 2x2). There
// oneDNN 2.6's direct kernels ran 2-3x slower here (backward-weights ~4 GFLOP/s), while one gemm of
// [N*OH*OW, KH*KW*Ci] x [KH*KW*Ci, Co] does not care: HWIO filters are that matrix already. At 4x4 the two were
// even, so the direct kernels keep it.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "conv_gemm.h"
#include "parallel.h"

namespace sc {

namespace {

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
  matmul(1, positions, s.co, taps, false, false, col.get(), 0, w, 0, y);
}

void gemm_conv2d_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx) {
  const int positions = s.n * s.oh * s.ow, taps = s.kh * s.kw * s.ci;
  auto col = columns(s);
  matmul(1, positions, taps, s.co, false, true, dy, 0, w, 0, col.get());
  col2im(s, col.get(), dx);
}

void gemm_conv2d_backward_weights(const ConvShape& s, const float* x, const float* dy, float* dw) {
  const int positions = s.n * s.oh * s.ow, taps = s.kh * s.kw * s.ci;
  auto col = columns(s);
  im2col(s, x, col.get());
  matmul(1, taps, s.co, positions, true, false, col.get(), 0, dy, 0, dw);
}

}  // namespace sc

// Max pooling and its gradient, NHWC, with tfjs cpu's rules: positions outside the input are skipped, and the first
// strict maximum in row-major window order is the one that receives the gradient (ties matter after ReLU, where many
// windows are all zeros). Plain loops: pooling is memory-bound, and oneDNN's backward needs the forward's workspace,
// which tfjs's MaxPoolGrad (given x, y and dy) does not carry.
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels.h"
#include "parallel.h"

namespace sc {

namespace {

// Index (into x, relative to the image) of the winning input of output (oy, ox) in channel ch; -1 if none.
inline int64_t argmax(const PoolShape& s, const float* img, int oy, int ox, int ch) {
  float best = -std::numeric_limits<float>::infinity();
  int64_t where = -1;
  for (int ky = 0; ky < s.kh; ky++) {
    const int iy = oy * s.sh - s.pt + ky * s.dh;
    if (iy < 0 || iy >= s.h) continue;
    for (int kx = 0; kx < s.kw; kx++) {
      const int ix = ox * s.sw - s.pl + kx * s.dw;
      if (ix < 0 || ix >= s.w) continue;
      const int64_t at = (int64_t(iy) * s.w + ix) * s.c + ch;
      if (img[at] > best) {
        best = img[at];
        where = at;
      }
    }
  }
  return where;
}

}  // namespace

void max_pool(const PoolShape& s, const float* x, float* y) {
  const int64_t image = int64_t(s.h) * s.w * s.c;
#pragma omp parallel for collapse(2) schedule(static) if (int64_t(s.n) * s.h * s.w * s.c >= PARALLEL_MIN)
  for (int b = 0; b < s.n; b++) {
    for (int oy = 0; oy < s.oh; oy++) {
      const float* img = x + b * image;
      float* out = y + ((int64_t(b) * s.oh + oy) * s.ow) * s.c;
      for (int ox = 0; ox < s.ow; ox++) {
        for (int ch = 0; ch < s.c; ch++) {
          const int64_t at = argmax(s, img, oy, ox, ch);
          out[int64_t(ox) * s.c + ch] = at < 0 ? -std::numeric_limits<float>::infinity() : img[at];
        }
      }
    }
  }
}

void max_pool_grad(const PoolShape& s, const float* dy, const float* x, float* dx) {
  const int64_t image = int64_t(s.h) * s.w * s.c;
  // Windows of one image overlap, so each image is one task: the scatter order is fixed, the result reproducible.
#pragma omp parallel for schedule(static) if (int64_t(s.n) * s.h * s.w * s.c >= PARALLEL_MIN)
  for (int b = 0; b < s.n; b++) {
    const float* img = x + b * image;
    float* grad = dx + b * image;
    std::memset(grad, 0, sizeof(float) * image);
    const float* g = dy + int64_t(b) * s.oh * s.ow * s.c;
    for (int oy = 0; oy < s.oh; oy++)
      for (int ox = 0; ox < s.ow; ox++)
        for (int ch = 0; ch < s.c; ch++) {
          const int64_t at = argmax(s, img, oy, ox, ch);
          if (at >= 0) grad[at] += g[(int64_t(oy) * s.ow + ox) * s.c + ch];
        }
  }
}

}  // namespace sc

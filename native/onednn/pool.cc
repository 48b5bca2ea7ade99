// Max pooling and its gradient, NHWC, with tfjs cpu's rules: positions outside the input are skipped, and the first
// strict maximum in row-major window order is the one that receives the gradient (ties matter after ReLU, where many
// windows are all zeros). Plain loops: pooling is memory-bound, and oneDNN's backward needs the forward's workspace,
// which tfjs's MaxPoolGrad (given x, y and dy) does not carry.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels.h"
#include "parallel.h"

namespace sc {

namespace {

constexpr float NEG_INF = -std::numeric_limits<float>::infinity();

// Calls f(at) for each tap of output (oy, ox)'s window that lies inside the image, in row-major window order; at is
// the tap's offset in the image (its first channel).
template <class F>
inline void for_each_tap(const PoolShape& s, int oy, int ox, F f) {
  for (int ky = 0; ky < s.kh; ky++) {
    const int iy = oy * s.sh - s.pt + ky * s.dh;
    if (iy < 0 || iy >= s.h) continue;
    for (int kx = 0; kx < s.kw; kx++) {
      const int ix = ox * s.sw - s.pl + kx * s.dw;
      if (ix >= 0 && ix < s.w) f((iy * s.w + ix) * s.c);
    }
  }
}

// For output (oy, ox) of one image, over all channels at once (vectorised along them): best[ch] = the maximum of the
// window (-inf if none; NaN never wins, as `>` is false for it).
inline void window_max(const PoolShape& s, const float* img, int oy, int ox, float* best) {
  for (int ch = 0; ch < s.c; ch++) best[ch] = NEG_INF;
  for_each_tap(s, oy, ox, [&](int at) {
    const float* in = img + at;
#pragma omp simd
    for (int ch = 0; ch < s.c; ch++) best[ch] = in[ch] > best[ch] ? in[ch] : best[ch];
  });
}

}  // namespace

void max_pool(const PoolShape& s, const float* x, float* y) {
  const int64_t image = int64_t(s.h) * s.w * s.c;
#pragma omp parallel for collapse(2) schedule(static) num_threads(team(int64_t(s.n) * s.h * s.w * s.c))
  for (int b = 0; b < s.n; b++)
    for (int oy = 0; oy < s.oh; oy++)
      for (int ox = 0; ox < s.ow; ox++)
        window_max(s, x + b * image, oy, ox, y + ((int64_t(b) * s.oh + oy) * s.ow + ox) * s.c);
}

void max_pool_grad(const PoolShape& s, const float* dy, const float* x, float* dx) {
  const int64_t image = int64_t(s.h) * s.w * s.c;
  // Windows of one image overlap, so each image is one task: the scatter order is fixed, the result reproducible.
  // The first strict maximum in window order is the first tap equal to the window's maximum (none when that is
  // -inf); adding 0 elsewhere keeps the channel loop branch-free and vectorised.
#pragma omp parallel for schedule(static) num_threads(team(int64_t(s.n) * s.h * s.w * s.c))
  for (int b = 0; b < s.n; b++) {
    std::vector<float> best(s.c);
    std::vector<int32_t> open(s.c);  // all bits set while the channel's winner is still to come
    const float* img = x + b * image;
    float* grad = dx + b * image;
    std::memset(grad, 0, sizeof(float) * image);
    for (int oy = 0; oy < s.oh; oy++)
      for (int ox = 0; ox < s.ow; ox++) {
        window_max(s, img, oy, ox, best.data());
        for (int ch = 0; ch < s.c; ch++) open[ch] = best[ch] != NEG_INF ? -1 : 0;
        const float* g = dy + ((int64_t(b) * s.oh + oy) * s.ow + ox) * s.c;
        for_each_tap(s, oy, ox, [&](int at) {
          const float* in = img + at;
          float* out = grad + at;
          int32_t* o = open.data();
          const float* m = best.data();
#pragma omp simd
          for (int ch = 0; ch < s.c; ch++) {
            const int32_t wins = -int32_t(in[ch] == m[ch]) & o[ch];  // all bits set at the winner
            int32_t bits;
            std::memcpy(&bits, g + ch, sizeof bits);
            bits &= wins;  // g at the winner, +0 elsewhere: bit masks, as GCC vectorises no float select here
            float add;
            std::memcpy(&add, &bits, sizeof add);
            out[ch] += add;
            o[ch] &= ~wins;
          }
        });
      }
  }
}

}  // namespace sc

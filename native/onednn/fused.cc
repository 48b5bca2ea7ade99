// Fused kernels for what the JS side otherwise composes from a dozen elementwise ops, each a pass over memory:
// Adam's update of one parameter, and batch norm's training-mode forward and backward. Per-element arithmetic is in
// float in the same order as lib/train/adam.ts and lib/models/layers.ts compose it (the build disables FMA
// contraction), so Adam's result is bit-identical to the composed ops; batch-norm statistics are summed in double.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"
#include "parallel.h"

namespace sc {

namespace {

constexpr int64_t BLOCK = 256;

// sums[c] = sum over rows r of value(r, c), in double, over fixed blocks of rows (reproducible for any thread count).
template <typename F>
void column_sums(int64_t rows, int64_t cols, F value, double* sums) {
  const int64_t blocks = (rows + BLOCK - 1) / BLOCK;
  std::vector<double> partial(blocks * cols, 0.0);
#pragma omp parallel for schedule(static) num_threads(team(rows* cols))
  for (int64_t k = 0; k < blocks; k++) {
    double* acc = &partial[k * cols];
    for (int64_t r = k * BLOCK; r < std::min(rows, (k + 1) * BLOCK); r++)
      for (int64_t c = 0; c < cols; c++) acc[c] += value(r, c);
  }
  for (int64_t c = 0; c < cols; c++) sums[c] = 0;
  for (int64_t k = 0; k < blocks; k++)
    for (int64_t c = 0; c < cols; c++) sums[c] += partial[k * cols + c];
}

}  // namespace

// The outputs may be the inputs themselves (in-place update): each element is read before it is written. Compiled
// for AVX-512 and AVX2 too, picked at run time (the build has no -march): square root and division dominate, and
// wider vectors do more of them per instruction; IEEE rounds them the same in every instruction set.
__attribute__((target_clones("avx512f", "avx2", "default"))) void adam_update(int64_t n, const AdamScalars& s,
                                                                              const float* p, const float* m,
                                                                              const float* v, const float* g,
                                                                              float* p_out, float* m_out,
                                                                              float* v_out) {
  // The scalars as locals: read through `s` inside the loop they kept it from vectorising.
  const float beta1 = s.beta1, one_minus_beta1 = s.one_minus_beta1, beta2 = s.beta2,
              one_minus_beta2 = s.one_minus_beta2;
  const float bc2_sqrt = s.bc2_sqrt, eps = s.eps, step_size = s.step_size;
#pragma omp parallel for simd schedule(static) num_threads(team(n, 16))
  for (int64_t i = 0; i < n; i++) {
    const float m1 = m[i] * beta1 + g[i] * one_minus_beta1;
    const float g2 = g[i] * g[i];
    const float v1 = v[i] * beta2 + g2 * one_minus_beta2;
    const float denom = std::sqrt(v1) / bc2_sqrt + eps;
    m_out[i] = m1;
    v_out[i] = v1;
    p_out[i] = p[i] - (m1 / denom) * step_size;
  }
}

void batch_norm_forward(int64_t rows, int64_t c, float eps, const float* x, const float* w, const float* b, float* y,
                        float* xhat, float* mean, float* variance, float* inv_std) {
  std::vector<double> sum(c), sq(c);
  column_sums(
      rows, c, [&](int64_t r, int64_t j) { return double(x[r * c + j]); }, sum.data());
  for (int64_t j = 0; j < c; j++) sum[j] /= double(rows);
  column_sums(
      rows, c,
      [&](int64_t r, int64_t j) {
        const double d = x[r * c + j] - sum[j];
        return d * d;
      },
      sq.data());
  for (int64_t j = 0; j < c; j++) {
    mean[j] = float(sum[j]);
    variance[j] = float(sq[j] / double(rows));
    inv_std[j] = 1.0f / std::sqrt(variance[j] + eps);
  }
#pragma omp parallel for schedule(static) num_threads(team(rows* c))
  for (int64_t r = 0; r < rows; r++)
#pragma omp simd
    for (int64_t j = 0; j < c; j++) {
      const float h = (x[r * c + j] - mean[j]) * inv_std[j];
      xhat[r * c + j] = h;
      y[r * c + j] = h * w[j] + b[j];
    }
}

void batch_norm_backward(int64_t rows, int64_t c, const float* g, const float* xhat, const float* w,
                         const float* inv_std, float* dx, float* dw, float* db) {
  std::vector<double> sg(c), sgx(c);
  column_sums(
      rows, c, [&](int64_t r, int64_t j) { return double(g[r * c + j]); }, sg.data());
  column_sums(
      rows, c, [&](int64_t r, int64_t j) { return double(g[r * c + j]) * xhat[r * c + j]; }, sgx.data());
  std::vector<float> mean_g(c), mean_gx(c), scale(c);
  for (int64_t j = 0; j < c; j++) {
    mean_g[j] = float(sg[j] / double(rows));
    mean_gx[j] = float(sgx[j] / double(rows));
    scale[j] = w[j] * inv_std[j];
    dw[j] = float(sgx[j]);
    db[j] = float(sg[j]);
  }
#pragma omp parallel for schedule(static) num_threads(team(rows* c))
  for (int64_t r = 0; r < rows; r++)
    for (int64_t j = 0; j < c; j++) {
      const int64_t i = r * c + j;
      dx[i] = scale[j] * ((g[i] - mean_g[j]) - xhat[i] * mean_gx[j]);
    }
}

}  // namespace sc

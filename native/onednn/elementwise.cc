// Elementwise ops and reductions that the JS cpu backend runs slowly on large tensors (batch norm's arithmetic on
// activations, Adam on 23M weights). OpenMP over large arrays with a static schedule, so results do not depend on
// timing; reductions accumulate in double over fixed-size blocks, so they do not depend on the thread count either.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"
#include "parallel.h"

namespace sc {

namespace {

// Rows per partial sum in reductions.
constexpr int64_t BLOCK = 256;

template <typename F>
inline void for_each_binary(F f, int rank, const int* shape, const float* a, const int64_t* as, const float* b,
                            const int64_t* bs, float* out) {
  const int last = rank - 1;
  const int64_t inner = shape[last];
  int64_t rows = 1;
  for (int d = 0; d < last; d++) rows *= shape[d];
  const int64_t ai = as[last], bi = bs[last];
#pragma omp parallel for schedule(static) num_threads(team(rows* inner))
  for (int64_t r = 0; r < rows; r++) {
    int64_t ao = 0, bo = 0, rem = r;
    for (int d = last - 1; d >= 0; d--) {
      const int64_t i = rem % shape[d];
      rem /= shape[d];
      ao += i * as[d];
      bo += i * bs[d];
    }
    float* o = out + r * inner;
    const float* pa = a + ao;
    const float* pb = b + bo;
    if (ai == 1 && bi == 1) {
#pragma omp simd
      for (int64_t j = 0; j < inner; j++) o[j] = f(pa[j], pb[j]);
    } else {
      for (int64_t j = 0; j < inner; j++) o[j] = f(pa[j * ai], pb[j * bi]);
    }
  }
}

template <typename F>
inline void for_each_unary(F f, int64_t size, const float* x, float* out) {
#pragma omp parallel for simd schedule(static) num_threads(team(size)) firstprivate(f)
  for (int64_t i = 0; i < size; i++) out[i] = f(x[i]);
}

}  // namespace

void binary(Binary op, int rank, const int* shape, const float* a, const int64_t* as, const float* b, const int64_t* bs,
            float* out) {
  switch (op) {
    case Binary::Add: return for_each_binary([](float x, float y) { return x + y; }, rank, shape, a, as, b, bs, out);
    case Binary::Sub: return for_each_binary([](float x, float y) { return x - y; }, rank, shape, a, as, b, bs, out);
    case Binary::Mul: return for_each_binary([](float x, float y) { return x * y; }, rank, shape, a, as, b, bs, out);
    case Binary::Div: return for_each_binary([](float x, float y) { return x / y; }, rank, shape, a, as, b, bs, out);
    case Binary::SquaredDifference:
      return for_each_binary([](float x, float y) { return (x - y) * (x - y); }, rank, shape, a, as, b, bs, out);
    case Binary::Maximum:
      // tfjs: NaN if either is NaN, else the larger.
      return for_each_binary([](float x, float y) { return (x != x || y != y) ? NAN : (x > y ? x : y); }, rank, shape,
                             a, as, b, bs, out);
    case Binary::ReluGrad:
      // dy * step(x), step as tfjs has it (1 above 0, NaN for NaN, else 0), written without branches so it vectorises.
      return for_each_binary(
          [](float x, float dy) {
            float step = x > 0 ? 1.0f : 0.0f;
            step = x != x ? x : step;
            return dy * step;
          },
          rank, shape, a, as, b, bs, out);
  }
}

void unary(Unary op, int64_t n, const float* x, float* out, float alpha) {
  switch (op) {
    case Unary::Relu: return for_each_unary([](float v) { return v < 0 ? 0.0f : v; }, n, x, out);
    case Unary::Step:
      return for_each_unary(
          [alpha](float v) {
            const float s = v > 0 ? 1.0f : alpha;
            return v != v ? v : s;
          },
          n, x, out);
    case Unary::Neg: return for_each_unary([](float v) { return -v; }, n, x, out);
    case Unary::Square: return for_each_unary([](float v) { return v * v; }, n, x, out);
    case Unary::Sqrt: return for_each_unary([](float v) { return std::sqrt(v); }, n, x, out);
    case Unary::Rsqrt: return for_each_unary([](float v) { return 1.0f / std::sqrt(v); }, n, x, out);
    case Unary::Exp: return for_each_unary([](float v) { return std::exp(v); }, n, x, out);
    case Unary::Log: return for_each_unary([](float v) { return std::log(v); }, n, x, out);
    case Unary::Abs: return for_each_unary([](float v) { return std::fabs(v); }, n, x, out);
    case Unary::Reciprocal: return for_each_unary([](float v) { return 1.0f / v; }, n, x, out);
  }
}

void scale_shift(int64_t rows, int64_t c, const float* x, const float* scale, const float* shift, float* out) {
#pragma omp parallel for schedule(static) num_threads(team(rows* c))
  for (int64_t r = 0; r < rows; r++)
#pragma omp simd
    for (int64_t j = 0; j < c; j++) out[r * c + j] = x[r * c + j] * scale[j] + shift[j];
}

void copy(int rank, const int* shape, const float* src, const int64_t* ss, float* dst, const int64_t* ds) {
  const int last = rank - 1;
  const int64_t inner = shape[last];
  int64_t rows = 1;
  for (int d = 0; d < last; d++) rows *= shape[d];
  const int64_t si = ss[last], di = ds[last];
#pragma omp parallel for schedule(static) num_threads(team(rows* inner))
  for (int64_t r = 0; r < rows; r++) {
    int64_t so = 0, dof = 0, rem = r;
    for (int d = last - 1; d >= 0; d--) {
      const int64_t i = rem % shape[d];
      rem /= shape[d];
      so += i * ss[d];
      dof += i * ds[d];
    }
    if (si == 1 && di == 1) {
      std::copy(src + so, src + so + inner, dst + dof);
    } else {
      for (int64_t j = 0; j < inner; j++) dst[dof + j * di] = src[so + j * si];
    }
  }
}

void reduce(Reduce op, int64_t outer, int64_t len, int64_t inner, const float* x, float* out) {
  const int64_t blocks = (len + BLOCK - 1) / BLOCK;
  const bool is_max = op == Reduce::Max;
  // partial[(o * blocks + k) * inner + j]: block k's sum (or max) of column j of slice o.
  std::vector<double> partial(outer * blocks * inner);
#pragma omp parallel for collapse(2) schedule(static) num_threads(team(outer* len* inner))
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t k = 0; k < blocks; k++) {
      double* acc = &partial[(o * blocks + k) * inner];
      const int64_t end = std::min(len, (k + 1) * BLOCK);
      for (int64_t j = 0; j < inner; j++) acc[j] = is_max ? -INFINITY : 0.0;
      for (int64_t r = k * BLOCK; r < end; r++) {
        const float* row = x + (o * len + r) * inner;
        if (is_max) {
          for (int64_t j = 0; j < inner; j++)
            if (row[j] > acc[j] || row[j] != row[j]) acc[j] = row[j];
        } else {
          for (int64_t j = 0; j < inner; j++) acc[j] += row[j];
        }
      }
    }
  }
#pragma omp parallel for schedule(static) num_threads(team(outer* inner* blocks))
  for (int64_t oj = 0; oj < outer * inner; oj++) {
    const int64_t o = oj / inner, j = oj % inner;
    double acc = partial[(o * blocks) * inner + j];
    for (int64_t k = 1; k < blocks; k++) {
      const double v = partial[(o * blocks + k) * inner + j];
      if (is_max) {
        if (v > acc || v != v) acc = v;
      } else
        acc += v;
    }
    out[oj] = float(op == Reduce::Mean ? acc / double(len) : acc);
  }
}

void set_threads(int n) { omp_set_num_threads(n); }

int threads() { return omp_get_max_threads(); }

}  // namespace sc

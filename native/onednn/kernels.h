// The native kernels behind the "onednn" tfjs backend. All tensors are float32, dense, row-major, in tfjs's layouts
// (activations NHWC, conv filters HWIO, matrices row-major); they are the typed arrays of the JS tensors, never copied.
// The structs and enums that cross N-API (ConvShape, PoolShape, AdamScalars; Binary, Unary, Reduce) are declared in
// contract.h, from the lists the addon exports.
#pragma once
#include <cstdint>

#include "contract.h"

namespace sc {

// 2-D convolutions on oneDNN (conv.cc). Their primitives are kept per thread in a cache of at most
// conv_cache_stats().capacity entries (least recently used dropped first).
void conv2d_forward(const ConvShape& s, const float* x, const float* w, float* y);
void conv2d_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx);
void conv2d_backward_weights(const ConvShape& s, const float* x, const float* dy, float* dw);

// The calling thread's primitive cache: entries now, its bound, and lookups since the thread started.
struct CacheStats {
  int64_t entries, capacity, hits, misses, evictions;
};
CacheStats conv_cache_stats();
// Sets the calling thread's bound (>= 1), dropping the least recently used entries beyond it.
void set_conv_cache_capacity(int64_t capacity);

// C[b] = op(A[b]) * op(B[b]) for b < batch; a batch stride of 0 broadcasts that operand.
void matmul(int batch, int m, int n, int k, bool trans_a, bool trans_b, const float* a, int64_t a_stride,
            const float* b, int64_t b_stride, float* c);

// Max pooling, NHWC, windows clipped at the borders (implicit padding never wins), first maximum in row-major window
// order wins, as tfjs's cpu backend decides.
void max_pool(const PoolShape& s, const float* x, float* y);
void max_pool_grad(const PoolShape& s, const float* dy, const float* x, float* dx);

// Elementwise. A binary op broadcasts by the strides of each operand over the output shape (stride 0 = broadcast).
// ReluGrad: a = x, b = dy; dy where x > 0, else dy * 0 (NaN where x is NaN), as tfjs's mul(dy, step(x)).
constexpr int MAX_DIMS = 6;
void binary(Binary op, int rank, const int* out_shape, const float* a, const int64_t* a_strides, const float* b,
            const int64_t* b_strides, float* out);
// alpha: Step's value for x <= 0 (ignored by the others).
void unary(Unary op, int64_t size, const float* x, float* out, float alpha);
// out[r, j] = x[r, j] * scale[j] + shift[j] over rows x c (eval-mode batch norm in one pass).
void scale_shift(int64_t rows, int64_t c, const float* x, const float* scale, const float* shift, float* out);

// dst[i . dst_strides] = src[i . src_strides] for every index i of `shape`: Slice, PadV2 and Transpose.
void copy(int rank, const int* shape, const float* src, const int64_t* src_strides, float* dst,
          const int64_t* dst_strides);

// Reduction of the middle axis of a tensor viewed as [outer, reduce, inner].
void reduce(Reduce op, int64_t outer, int64_t reduce, int64_t inner, const float* x, float* out);

// Adam (torch.optim.Adam) on one parameter of n values: new p, m, v into the *_out arrays.
void adam_update(int64_t n, const AdamScalars& s, const float* p, const float* m, const float* v, const float* g,
                 float* p_out, float* m_out, float* v_out);

// Training-mode batch norm over [rows, c] (NHWC flattened): batch mean and biased variance, xhat, y = xhat * w + b;
// and its gradient given dy = g: dx, dw = sum(g * xhat), db = sum(g).
void batch_norm_forward(int64_t rows, int64_t c, float eps, const float* x, const float* w, const float* b, float* y,
                        float* xhat, float* mean, float* variance, float* inv_std);
void batch_norm_backward(int64_t rows, int64_t c, const float* g, const float* xhat, const float* w,
                         const float* inv_std, float* dx, float* dw, float* db);

// The arithmetic of convolutions: F32 (the default; torchvision's results) or BF16 (operands rounded to bfloat16,
// float32 results and accumulation; needs AVX512_BF16, which oneDNN uses, or AMX), also where a convolution is
// computed as a matrix product (conv_gemm.cc). The MatMul kernels (dense layers) stay float32.
enum class Precision { F32 = 0, BF16 = 1 };
bool bf16_supported();
// The precision is the calling thread's (as the primitive cache is): each JS thread sets its own.
void set_precision(Precision p);  // throws when the CPU cannot run bf16
Precision precision();

void set_threads(int n);
int threads();

}  // namespace sc

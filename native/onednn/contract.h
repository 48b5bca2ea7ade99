// What crosses N-API by position, declared once. Each struct that JS passes as a typed array is an X-macro list of
// its fields in order, and each enum JS passes as a number is a list of its names: the structs, the enums, the field
// and op names the addon exports (exports.layouts, exports.ops in addon.cc) and the addon's unpacking are all
// generated from these lists. lib/backend/onednn/contract.ts packs the arrays by field name and takes op numbers
// from exports.ops; when the addon loads it compares its own lists with the exported ones and refuses an addon built
// from other lists (a stale build/native/). Adding, removing or reordering a field here is a contract change: change
// contract.ts the same way.
#pragma once
#include <cstddef>

// One 2-D convolution as tfjs's computeConv2DInfo describes it: batch, input height, width, channels; filter height,
// width, output channels; output height, width; strides, dilations (tfjs's: 1 = none); padding top, bottom, left,
// right.
#define SC_CONV_SHAPE(X) \
  X(n) X(h) X(w) X(ci) X(kh) X(kw) X(co) X(oh) X(ow) X(sh) X(sw) X(dh) X(dw) X(pt) X(pb) X(pl) X(pr)
// Max pooling: as a convolution without output channels, padding top and left only (the rest is implied).
#define SC_POOL_SHAPE(X) X(n) X(h) X(w) X(c) X(kh) X(kw) X(oh) X(ow) X(sh) X(sw) X(dh) X(dw) X(pt) X(pl)
// C[b] = op(A[b]) * op(B[b]), b < batch; the flags are 0 or 1 (a_batched 0: one A for every b).
#define SC_MATMUL_SHAPE(X) X(batch) X(m) X(n) X(k) X(trans_a) X(trans_b) X(a_batched) X(b_batched)
// A reduction of the middle axis of x viewed as [outer, length, inner].
#define SC_REDUCE_SHAPE(X) X(outer) X(length) X(inner)
// Adam's scalars for one step (a Float32Array): bc2_sqrt = sqrt(1 - beta2^t), step_size = lr / (1 - beta1^t).
#define SC_ADAM_SCALARS(X) X(beta1) X(one_minus_beta1) X(beta2) X(one_minus_beta2) X(bc2_sqrt) X(eps) X(step_size)

// Elementwise binary ops (ReluGrad: a = x, b = dy), unary ops and reductions, by name.
#define SC_BINARY_OPS(X) X(Add) X(Sub) X(Mul) X(Div) X(SquaredDifference) X(Maximum) X(ReluGrad)
#define SC_UNARY_OPS(X) X(Relu) X(Step) X(Neg) X(Square) X(Sqrt) X(Rsqrt) X(Exp) X(Log) X(Abs) X(Reciprocal)
#define SC_REDUCE_OPS(X) X(Sum) X(Mean) X(Max)

#define SC_INT_FIELD(name) int name;
#define SC_FLOAT_FIELD(name) float name;
#define SC_ENUMERATOR(name) name,
#define SC_PLUS_ONE(name) +1

namespace sc {

struct ConvShape {
  SC_CONV_SHAPE(SC_INT_FIELD)
};
struct PoolShape {
  SC_POOL_SHAPE(SC_INT_FIELD)
};
struct MatMulShape {
  SC_MATMUL_SHAPE(SC_INT_FIELD)
};
struct ReduceShape {
  SC_REDUCE_SHAPE(SC_INT_FIELD)
};
struct AdamScalars {
  SC_ADAM_SCALARS(SC_FLOAT_FIELD)
};

enum class Binary { SC_BINARY_OPS(SC_ENUMERATOR) };
enum class Unary { SC_UNARY_OPS(SC_ENUMERATOR) };
enum class Reduce { SC_REDUCE_OPS(SC_ENUMERATOR) };
constexpr int BINARY_OPS = 0 SC_BINARY_OPS(SC_PLUS_ONE);
constexpr int UNARY_OPS = 0 SC_UNARY_OPS(SC_PLUS_ONE);
constexpr int REDUCE_OPS = 0 SC_REDUCE_OPS(SC_PLUS_ONE);

// Each struct is exactly its list: no field declared outside it, none padded.
static_assert(sizeof(ConvShape) == (0 SC_CONV_SHAPE(SC_PLUS_ONE)) * sizeof(int), "ConvShape is not its list");
static_assert(sizeof(PoolShape) == (0 SC_POOL_SHAPE(SC_PLUS_ONE)) * sizeof(int), "PoolShape is not its list");
static_assert(sizeof(MatMulShape) == (0 SC_MATMUL_SHAPE(SC_PLUS_ONE)) * sizeof(int), "MatMulShape is not its list");
static_assert(sizeof(ReduceShape) == (0 SC_REDUCE_SHAPE(SC_PLUS_ONE)) * sizeof(int), "ReduceShape is not its list");
static_assert(sizeof(AdamScalars) == (0 SC_ADAM_SCALARS(SC_PLUS_ONE)) * sizeof(float), "AdamScalars is not its list");

}  // namespace sc

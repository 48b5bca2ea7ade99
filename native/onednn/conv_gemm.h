// im2col + matrix-product convolutions (conv_gemm.cc), used by conv.cc where they beat oneDNN's direct kernels.
#pragma once
#include "kernels.h"

namespace sc {

bool gemm_preferred(const ConvShape& s);
void gemm_conv2d_forward(const ConvShape& s, const float* x, const float* w, float* y);
void gemm_conv2d_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx);
void gemm_conv2d_backward_weights(const ConvShape& s, const float* x, const float* dy, float* dw);

}  // namespace sc

// Matrix products through oneDNN's sgemm (row-major, JIT-compiled for the CPU it runs on).
#include <oneapi/dnnl/dnnl.hpp>

#include "kernels.h"

namespace sc {

void matmul(int batch, int m, int n, int k, bool trans_a, bool trans_b, const float* a, int64_t a_stride,
            const float* b, int64_t b_stride, float* c) {
  const int64_t lda = trans_a ? m : k, ldb = trans_b ? k : n;
  for (int i = 0; i < batch; i++) {
    auto status = dnnl::sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, 1.0f, a + i * a_stride, lda,
                              b + i * b_stride, ldb, 0.0f, c + int64_t(i) * m * n, n);
    if (status != dnnl::status::success) throw dnnl::error(dnnl_status_t(status), "sgemm failed");
  }
}

}  // namespace sc

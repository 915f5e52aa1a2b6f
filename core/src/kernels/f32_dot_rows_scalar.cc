#include "vitrine/kernels.h"

namespace vitrine {

void f32_dot_rows_scalar(const float* query, const float* rows, size_t n_rows, size_t dim, size_t row_stride,
                         float* out) {
  for (size_t r = 0; r < n_rows; ++r) {
    const float* row = rows + r * row_stride;
    float acc = 0.0f;
    for (size_t k = 0; k < dim; ++k) acc += query[k] * row[k];
    out[r] = acc;
  }
}

}  // namespace vitrine

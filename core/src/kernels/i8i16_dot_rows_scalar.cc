#include "vitrine/kernels.h"

namespace vitrine {

void i8i16_dot_rows_scalar(const int16_t* query, const int8_t* rows, size_t n_rows, size_t dim, int32_t* out) {
  for (size_t r = 0; r < n_rows; ++r) {
    const int8_t* row = rows + r * dim;
    int32_t acc = 0;
    for (size_t k = 0; k < dim; ++k) acc += int32_t{query[k]} * int32_t{row[k]};
    out[r] = acc;
  }
}

}  // namespace vitrine

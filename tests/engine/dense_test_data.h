// Dense test matrices shared by the tests of the dense scans and of batch scoring.
#ifndef CIRCMATCH_TESTS_ENGINE_DENSE_TEST_DATA_H_
#define CIRCMATCH_TESTS_ENGINE_DENSE_TEST_DATA_H_

#include <cstdint>
#include <random>
#include <vector>

#include "circmatch/row_major_matrix.h"

namespace circmatch {
namespace testing_util {

// rows x cols standard normal values, deterministic by seed.
inline RowMajorMatrixXf Gaussian(int64_t rows, int64_t cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  RowMajorMatrixXf m(rows, cols);
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) m(i, j) = normal(rng);
  }
  return m;
}

// Row i of `m` as a vector (the form the single-query scans take).
inline std::vector<float> Row(const RowMajorMatrixXf& m, int64_t i) {
  return std::vector<float>(m.row(i).data(), m.row(i).data() + m.cols());
}

}  // namespace testing_util
}  // namespace circmatch

#endif  // CIRCMATCH_TESTS_ENGINE_DENSE_TEST_DATA_H_

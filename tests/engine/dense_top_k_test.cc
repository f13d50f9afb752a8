#include "circmatch/dense_top_k.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "circmatch/internal/dot_kernel.h"
#include "dense_test_data.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace circmatch {
namespace {

using ::testing::HasSubstr;
using testing_util::Gaussian;
using testing_util::Row;

double ExactDot(const std::vector<float>& query, const RowMajorMatrixXf& m, int64_t row) {
  double sum = 0;
  for (int64_t j = 0; j < m.cols(); ++j) sum += static_cast<double>(query[static_cast<size_t>(j)]) * m(row, j);
  return sum;
}

// Every row's inner product in double, best first.
std::vector<double> ReferenceScores(const std::vector<float>& query, const RowMajorMatrixXf& m) {
  std::vector<double> scores(static_cast<size_t>(m.rows()));
  for (int64_t i = 0; i < m.rows(); ++i) scores[static_cast<size_t>(i)] = ExactDot(query, m, i);
  std::sort(scores.begin(), scores.end(), std::greater<double>());
  return scores;
}

TEST(DenseTopKTest, FindsTheBestRowsOfADoubleReference) {
  // 37 columns: neither the 16- nor the 8-wide steps divide it, so every tail path runs.
  const RowMajorMatrixXf candidates = Gaussian(20000, 37, 1);
  const RowMajorMatrixXf queries = Gaussian(20, 37, 2);
  for (int64_t q = 0; q < queries.rows(); ++q) {
    const std::vector<float> query = Row(queries, q);
    DenseTopKOptions options;
    options.k = 10;
    absl::StatusOr<std::vector<DenseMatch>> best = DenseTopK(query, candidates, options);
    ASSERT_TRUE(best.ok()) << best.status();
    ASSERT_EQ(best->size(), 10u);
    const std::vector<double> reference = ReferenceScores(query, candidates);
    for (size_t i = 0; i < best->size(); ++i) {
      const DenseMatch& match = (*best)[i];
      EXPECT_NEAR(match.score, ExactDot(query, candidates, match.row), 1e-4) << "query " << q << " rank " << i;
      // The i-th best score: a missed row would shift every later one.
      EXPECT_NEAR(match.score, reference[i], 1e-4) << "query " << q << " rank " << i;
      if (i > 0) {
        EXPECT_GE((*best)[i - 1].score, match.score);
      }
    }
  }
}

TEST(DenseTopKTest, SameResultForEveryThreadCount) {
  const RowMajorMatrixXf candidates = Gaussian(100000, 16, 3);
  const std::vector<float> query = Row(Gaussian(1, 16, 4), 0);
  DenseTopKOptions options;
  options.k = 25;
  options.threads = 1;
  absl::StatusOr<std::vector<DenseMatch>> one = DenseTopK(query, candidates, options);
  ASSERT_TRUE(one.ok()) << one.status();
  for (int threads : {2, 3, 8}) {
    options.threads = threads;
    absl::StatusOr<std::vector<DenseMatch>> many = DenseTopK(query, candidates, options);
    ASSERT_TRUE(many.ok()) << many.status();
    ASSERT_EQ(many->size(), one->size());
    for (size_t i = 0; i < one->size(); ++i) {
      EXPECT_EQ((*many)[i].row, (*one)[i].row) << threads << " threads, rank " << i;
      EXPECT_EQ((*many)[i].score, (*one)[i].score) << threads << " threads, rank " << i;
    }
  }
}

TEST(DenseTopKTest, EqualScoresRankTheLowerRowFirst) {
  RowMajorMatrixXf candidates = RowMajorMatrixXf::Constant(50000, 8, 0.5f);
  candidates.row(30000).setConstant(1.0f);  // the one better row
  const std::vector<float> query(8, 1.0f);
  DenseTopKOptions options;
  options.k = 4;
  options.threads = 2;
  absl::StatusOr<std::vector<DenseMatch>> best = DenseTopK(query, candidates, options);
  ASSERT_TRUE(best.ok()) << best.status();
  ASSERT_EQ(best->size(), 4u);
  EXPECT_EQ((*best)[0].row, 30000);
  EXPECT_EQ((*best)[1].row, 0);
  EXPECT_EQ((*best)[2].row, 1);
  EXPECT_EQ((*best)[3].row, 2);
}

TEST(DenseTopKTest, ANanRowRanksLast) {
  RowMajorMatrixXf candidates = Gaussian(3, 4, 5);
  candidates(0, 2) = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> query = {1, 1, 1, 1};
  DenseTopKOptions options;
  options.k = 3;
  absl::StatusOr<std::vector<DenseMatch>> best = DenseTopK(query, candidates, options);
  ASSERT_TRUE(best.ok()) << best.status();
  ASSERT_EQ(best->size(), 3u);
  EXPECT_EQ((*best)[2].row, 0);
  EXPECT_TRUE(std::isnan((*best)[2].score));
}

TEST(DenseTopKTest, ReturnsAllRowsWhenFewerThanK) {
  const RowMajorMatrixXf candidates = Gaussian(3, 5, 6);
  const std::vector<float> query = Row(Gaussian(1, 5, 7), 0);
  DenseTopKOptions options;
  options.k = 10;
  absl::StatusOr<std::vector<DenseMatch>> best = DenseTopK(query, candidates, options);
  ASSERT_TRUE(best.ok()) << best.status();
  EXPECT_EQ(best->size(), 3u);

  absl::StatusOr<std::vector<DenseMatch>> none = DenseTopK(query, RowMajorMatrixXf(0, 5), options);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST(DenseTopKTest, RejectsBadArgumentsNamingTheField) {
  const RowMajorMatrixXf candidates = Gaussian(10, 4, 8);
  const std::vector<float> query = {1, 2, 3, 4};
  DenseTopKOptions options;
  options.k = 0;
  EXPECT_THAT(DenseTopK(query, candidates, options).status().message(), HasSubstr("k:"));
  options.k = 1;
  options.threads = -1;
  EXPECT_THAT(DenseTopK(query, candidates, options).status().message(), HasSubstr("threads:"));
  options.threads = 0;
  const std::vector<float> short_query = {1, 2, 3};
  absl::Status wrong_length = DenseTopK(short_query, candidates, options).status();
  EXPECT_EQ(wrong_length.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong_length.message(), HasSubstr("query:"));
  const std::vector<float> nan_query = {1, std::numeric_limits<float>::quiet_NaN(), 3, 4};
  absl::Status nan = DenseTopK(nan_query, candidates, options).status();
  EXPECT_EQ(nan.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(nan.message(), HasSubstr("query[1]"));
}

std::vector<internal::DotKernel> AvailableKernels() {
  std::vector<internal::DotKernel> kernels = {internal::BaselineDotKernel()};
  if (internal::Avx2DotKernel().float_dots != nullptr) kernels.push_back(internal::Avx2DotKernel());
  return kernels;
}

TEST(DotKernelTest, FloatScoresMatchDoubleAndDoNotDependOnNeighbours) {
  for (const internal::DotKernel& kernel : AvailableKernels()) {
    for (int64_t d : {1, 7, 8, 15, 16, 17, 33, 256}) {
      const RowMajorMatrixXf rows = Gaussian(9, d, static_cast<uint32_t>(d));
      const std::vector<float> query = Row(Gaussian(1, d, 99), 0);
      std::vector<float> together(9);
      kernel.float_dots(query.data(), rows.data(), d, 9, d, together.data());
      for (int64_t i = 0; i < 9; ++i) {
        float alone;
        kernel.float_dots(query.data(), rows.data() + i * d, d, 1, d, &alone);
        EXPECT_EQ(alone, together[static_cast<size_t>(i)]) << kernel.name << " d=" << d << " row " << i;
        EXPECT_NEAR(alone, ExactDot(query, rows, i), 1e-4) << kernel.name << " d=" << d << " row " << i;
      }
    }
  }
}

TEST(DotKernelTest, Int8ProductsAreExactAtTheRangeLimits) {
  for (const internal::DotKernel& kernel : AvailableKernels()) {
    for (int64_t d : {1, 31, 32, 33, 64, 256, 1000}) {
      std::mt19937 rng(static_cast<uint32_t>(d));
      std::uniform_int_distribution<int> value(-127, 127);
      std::vector<int8_t> query(static_cast<size_t>(d)), rows(static_cast<size_t>(6 * d));
      for (int8_t& v : query) v = static_cast<int8_t>(value(rng));
      for (int8_t& v : rows) v = static_cast<int8_t>(value(rng));
      // Row 0 is all 127 against a query of all +-127: the largest sums, no int16 saturation allowed.
      std::fill(rows.begin(), rows.begin() + d, int8_t{127});
      for (size_t j = 0; j < query.size(); j += 3) query[j] = (j % 2 == 0) ? 127 : -127;
      std::vector<int32_t> dots(6);
      kernel.int8_dots(query.data(), rows.data(), d, 6, d, dots.data());
      for (int64_t i = 0; i < 6; ++i) {
        int32_t expected = 0;
        for (int64_t j = 0; j < d; ++j)
          expected += int32_t{query[static_cast<size_t>(j)]} * rows[static_cast<size_t>(i * d + j)];
        EXPECT_EQ(dots[static_cast<size_t>(i)], expected) << kernel.name << " d=" << d << " row " << i;
      }
    }
  }
}

}  // namespace
}  // namespace circmatch

#include "circmatch/int8_embeddings.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include "absl/status/status.h"
#include "circmatch/dense_top_k.h"
#include "dense_test_data.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace circmatch {
namespace {

using ::testing::HasSubstr;
using testing_util::Row;

// Unit rows around `clusters` random centres, as embeddings of profiles group by topic: near neighbours have
// close scores, which is where quantization error could reorder them.
RowMajorMatrixXf Clustered(int64_t rows, int64_t cols, int clusters, uint32_t seed) {
  std::mt19937 centre_rng(12345);  // the same centres for every seed
  std::normal_distribution<float> normal(0.0f, 1.0f);
  RowMajorMatrixXf centres(clusters, cols);
  for (int64_t i = 0; i < clusters; ++i) {
    for (int64_t j = 0; j < cols; ++j) centres(i, j) = normal(centre_rng);
  }
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pick(0, clusters - 1);
  RowMajorMatrixXf m(rows, cols);
  for (int64_t i = 0; i < rows; ++i) {
    const int c = pick(rng);
    for (int64_t j = 0; j < cols; ++j) m(i, j) = centres(c, j) + 0.6f * normal(rng);
    m.row(i).normalize();
  }
  return m;
}

std::vector<DenseMatch> Exact(const std::vector<float>& query, const Eigen::Ref<const RowMajorMatrixXf>& rows, int k) {
  DenseTopKOptions options;
  options.k = k;
  absl::StatusOr<std::vector<DenseMatch>> best = DenseTopK(query, rows, options);
  EXPECT_TRUE(best.ok()) << best.status();
  return best.ok() ? *best : std::vector<DenseMatch>{};
}

TEST(Int8EmbeddingsTest, RerankingEveryRowGivesTheExactResult) {
  const RowMajorMatrixXf rows = Clustered(3000, 40, 20, 1);
  absl::StatusOr<Int8Embeddings> int8 = Int8Embeddings::Quantize(rows);
  ASSERT_TRUE(int8.ok()) << int8.status();
  EXPECT_EQ(int8->bytes(), 3000u * 40u + 3000u * sizeof(float));
  const RowMajorMatrixXf queries = Clustered(10, 40, 20, 2);
  for (int64_t q = 0; q < queries.rows(); ++q) {
    const std::vector<float> query = Row(queries, q);
    Int8TopKOptions options;
    options.k = 10;
    options.rerank = 3000;
    absl::StatusOr<std::vector<DenseMatch>> best = int8->TopK(query, rows, options);
    ASSERT_TRUE(best.ok()) << best.status();
    const std::vector<DenseMatch> exact = Exact(query, rows, 10);
    ASSERT_EQ(best->size(), exact.size());
    for (size_t i = 0; i < exact.size(); ++i) {
      EXPECT_EQ((*best)[i].row, exact[i].row) << "query " << q << " rank " << i;
      EXPECT_EQ((*best)[i].score, exact[i].score) << "query " << q << " rank " << i;
    }
  }
}

TEST(Int8EmbeddingsTest, TheInt8PassAloneRanksExactlyWhenQuantizationIsLossless) {
  // Integer rows whose largest magnitude is 127 quantize with scale 1, without loss, and so does the query:
  // with a re-rank depth of k the int8 pass alone must pick the exact top k.
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> value(-126, 126);
  RowMajorMatrixXf rows(5000, 48);
  for (int64_t i = 0; i < rows.rows(); ++i) {
    for (int64_t j = 0; j < rows.cols(); ++j) rows(i, j) = static_cast<float>(value(rng));
    rows(i, i % 48) = 127;
  }
  absl::StatusOr<Int8Embeddings> int8 = Int8Embeddings::Quantize(rows);
  ASSERT_TRUE(int8.ok()) << int8.status();
  std::vector<float> query(48);
  for (float& v : query) v = static_cast<float>(value(rng));
  query[5] = -127;
  Int8TopKOptions options;
  options.k = 20;
  options.rerank = 20;
  absl::StatusOr<std::vector<DenseMatch>> best = int8->TopK(query, rows, options);
  ASSERT_TRUE(best.ok()) << best.status();
  const std::vector<DenseMatch> exact = Exact(query, rows, 20);
  ASSERT_EQ(best->size(), exact.size());
  for (size_t i = 0; i < exact.size(); ++i) EXPECT_EQ((*best)[i].row, exact[i].row) << "rank " << i;
}

TEST(Int8EmbeddingsTest, DefaultRerankRecallsNearlyAllOfTheExactTopTen) {
  const RowMajorMatrixXf rows = Clustered(60000, 64, 200, 4);
  absl::StatusOr<Int8Embeddings> int8 = Int8Embeddings::Quantize(rows);
  ASSERT_TRUE(int8.ok()) << int8.status();
  const RowMajorMatrixXf queries = Clustered(50, 64, 200, 5);
  int found = 0, wanted = 0;
  for (int64_t q = 0; q < queries.rows(); ++q) {
    const std::vector<float> query = Row(queries, q);
    absl::StatusOr<std::vector<DenseMatch>> best = int8->TopK(query, rows, Int8TopKOptions{});
    ASSERT_TRUE(best.ok()) << best.status();
    const std::vector<DenseMatch> exact = Exact(query, rows, 10);
    std::set<int32_t> exact_rows;
    for (const DenseMatch& m : exact) exact_rows.insert(m.row);
    for (size_t i = 0; i < best->size(); ++i) {
      found += exact_rows.count((*best)[i].row) > 0 ? 1 : 0;
      // Scores are always the exact ones, whatever was found.
      const std::vector<float> row = Row(rows, (*best)[i].row);
      const Eigen::Map<const RowMajorMatrixXf> alone(row.data(), 1, 64);
      EXPECT_EQ((*best)[i].score, Exact(query, alone, 1).front().score) << "query " << q << " rank " << i;
    }
    wanted += static_cast<int>(exact.size());
  }
  EXPECT_GE(static_cast<double>(found) / wanted, 0.99) << found << " of " << wanted;
}

TEST(Int8EmbeddingsTest, SameResultForEveryThreadCount) {
  const RowMajorMatrixXf rows = Clustered(40000, 32, 50, 6);
  absl::StatusOr<Int8Embeddings> int8 = Int8Embeddings::Quantize(rows);
  ASSERT_TRUE(int8.ok()) << int8.status();
  const std::vector<float> query = Row(Clustered(1, 32, 50, 7), 0);
  Int8TopKOptions options;
  options.threads = 1;
  absl::StatusOr<std::vector<DenseMatch>> one = int8->TopK(query, rows, options);
  ASSERT_TRUE(one.ok()) << one.status();
  for (int threads : {2, 5}) {
    options.threads = threads;
    absl::StatusOr<std::vector<DenseMatch>> many = int8->TopK(query, rows, options);
    ASSERT_TRUE(many.ok()) << many.status();
    ASSERT_EQ(many->size(), one->size());
    for (size_t i = 0; i < one->size(); ++i) {
      EXPECT_EQ((*many)[i].row, (*one)[i].row) << threads << " threads, rank " << i;
      EXPECT_EQ((*many)[i].score, (*one)[i].score) << threads << " threads, rank " << i;
    }
  }
}

TEST(Int8EmbeddingsTest, ZeroRowsAndAZeroQueryScoreZero) {
  RowMajorMatrixXf rows = RowMajorMatrixXf::Zero(5, 8);
  rows(3, 1) = 2.0f;
  absl::StatusOr<Int8Embeddings> int8 = Int8Embeddings::Quantize(rows);
  ASSERT_TRUE(int8.ok()) << int8.status();
  Int8TopKOptions options;
  options.k = 5;
  const std::vector<float> zero(8, 0.0f);
  absl::StatusOr<std::vector<DenseMatch>> best = int8->TopK(zero, rows, options);
  ASSERT_TRUE(best.ok()) << best.status();
  ASSERT_EQ(best->size(), 5u);
  for (const DenseMatch& m : *best) EXPECT_EQ(m.score, 0.0f);
  std::vector<float> query(8, 0.0f);
  query[1] = 1.0f;
  best = int8->TopK(query, rows, options);
  ASSERT_TRUE(best.ok()) << best.status();
  EXPECT_EQ(best->front().row, 3);
  EXPECT_EQ(best->front().score, 2.0f);
}

TEST(Int8EmbeddingsTest, RejectsBadInputNamingTheField) {
  RowMajorMatrixXf rows = Clustered(10, 4, 2, 8);
  rows(7, 2) = std::numeric_limits<float>::infinity();
  absl::Status not_finite = Int8Embeddings::Quantize(rows).status();
  EXPECT_EQ(not_finite.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(not_finite.message(), HasSubstr("rows(7, 2)"));

  rows(7, 2) = 0.5f;
  absl::StatusOr<Int8Embeddings> int8 = Int8Embeddings::Quantize(rows);
  ASSERT_TRUE(int8.ok()) << int8.status();
  const std::vector<float> query = {1, 0, 0, 0};
  Int8TopKOptions options;
  options.k = 5;
  options.rerank = 3;
  EXPECT_THAT(int8->TopK(query, rows, options).status().message(), HasSubstr("rerank:"));
  options.rerank = 0;
  const RowMajorMatrixXf other = Clustered(9, 4, 2, 9);
  absl::Status wrong_shape = int8->TopK(query, other, options).status();
  EXPECT_EQ(wrong_shape.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong_shape.message(), HasSubstr("exact:"));
  const std::vector<float> long_query = {1, 0, 0, 0, 0};
  EXPECT_THAT(int8->TopK(long_query, rows, options).status().message(), HasSubstr("query:"));
  options.k = 0;
  EXPECT_THAT(int8->TopK(query, rows, options).status().message(), HasSubstr("k:"));
}

}  // namespace
}  // namespace circmatch

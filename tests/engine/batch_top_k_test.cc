#include "circmatch/batch_top_k.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "circmatch/internal/gemm_kernel.h"
#include "dense_test_data.h"
#include "gtest/gtest.h"

namespace circmatch {
namespace {

using testing_util::Gaussian;

// Rows drawn from a few distinct small-integer rows: many candidates score exactly alike, and every score is an
// integer that float sums hold exactly in any order, so the tie order is all that decides the ranking.
RowMajorMatrixXf FewDistinctIntegerRows(int64_t rows, int64_t cols, int distinct, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(-2, 2);
  RowMajorMatrixXf patterns(distinct, cols);
  for (int64_t i = 0; i < distinct; ++i) {
    for (int64_t j = 0; j < cols; ++j) patterns(i, j) = static_cast<float>(value(rng));
  }
  std::uniform_int_distribution<int> pick(0, distinct - 1);
  RowMajorMatrixXf m(rows, cols);
  for (int64_t i = 0; i < rows; ++i) m.row(i) = patterns.row(pick(rng));
  return m;
}

struct Ranked {
  double score;
  int32_t id;
};

// The plain reference: every inner product (in double), fully sorted by score descending, then lower id.
std::vector<std::vector<Ranked>> ReferenceTopK(const RowMajorMatrixXf& queries, const RowMajorMatrixXf& candidates,
                                               int k) {
  std::vector<std::vector<Ranked>> out;
  for (int64_t i = 0; i < queries.rows(); ++i) {
    std::vector<Ranked> all;
    for (int64_t j = 0; j < candidates.rows(); ++j) {
      double dot = 0;
      for (int64_t t = 0; t < queries.cols(); ++t) {
        dot += static_cast<double>(queries(i, t)) * static_cast<double>(candidates(j, t));
      }
      all.push_back({dot, static_cast<int32_t>(j)});
    }
    std::sort(all.begin(), all.end(),
              [](const Ranked& a, const Ranked& b) { return a.score != b.score ? a.score > b.score : a.id < b.id; });
    all.resize(std::min<size_t>(all.size(), static_cast<size_t>(k)));
    out.push_back(std::move(all));
  }
  return out;
}

double Dot(const RowMajorMatrixXf& queries, int64_t i, const RowMajorMatrixXf& candidates, int64_t j) {
  double dot = 0;
  for (int64_t t = 0; t < queries.cols(); ++t) {
    dot += static_cast<double>(queries(i, t)) * static_cast<double>(candidates(j, t));
  }
  return dot;
}

// Checks `got` against the reference: same shape, every score within `tolerance` of the reference score at its
// rank and of the true score of the id returned there, ids distinct, and the id exact wherever the reference
// score at that rank is more than 2 * tolerance from its neighbours (and from the best one left out).
// `want` is ReferenceTopK with k >= min(k, N) + 1 (or all N).
void ExpectMatchesReference(const BatchTopKResult& got, const std::vector<std::vector<Ranked>>& want,
                            const RowMajorMatrixXf& queries, const RowMajorMatrixXf& candidates, int k,
                            double tolerance, const std::string& what) {
  const int64_t kept = std::min<int64_t>(k, candidates.rows());
  ASSERT_EQ(got.ids.rows(), queries.rows()) << what;
  ASSERT_EQ(got.ids.cols(), kept) << what;
  ASSERT_EQ(got.scores.rows(), queries.rows()) << what;
  ASSERT_EQ(got.scores.cols(), kept) << what;
  int exact_ids = 0;
  for (int64_t i = 0; i < queries.rows(); ++i) {
    std::vector<int32_t> seen;
    for (int64_t j = 0; j < kept; ++j) {
      const int32_t id = got.ids(i, j);
      ASSERT_GE(id, 0) << what;
      ASSERT_LT(id, candidates.rows()) << what;
      seen.push_back(id);
      const double ref = want[i][j].score;
      EXPECT_NEAR(got.scores(i, j), ref, tolerance) << what << " query " << i << " rank " << j;
      EXPECT_NEAR(got.scores(i, j), Dot(queries, i, candidates, id), tolerance) << what << " query " << i;
      const bool apart_above = j == 0 || want[i][j - 1].score - ref > 2 * tolerance;
      const bool apart_below = j + 1 >= std::min<int64_t>(kept + 1, static_cast<int64_t>(want[i].size())) ||
                               ref - want[i][j + 1].score > 2 * tolerance;
      if (apart_above && apart_below) {
        EXPECT_EQ(id, want[i][j].id) << what << " query " << i << " rank " << j;
        ++exact_ids;
      }
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_TRUE(std::adjacent_find(seen.begin(), seen.end()) == seen.end()) << what << " query " << i;
  }
  // Random Gaussian data has few near-ties: most ids must have been checked exactly.
  if (queries.rows() > 0 && kept > 0) {
    EXPECT_GT(exact_ids, queries.rows() * kept / 2) << what;
  }
}

// True when the error message names `field`.
bool Names(const absl::Status& status, const std::string& field) {
  return std::string(status.message()).find(field) != std::string::npos;
}

BatchTopKOptions Options(int k, int threads, int query_block, int candidate_block) {
  BatchTopKOptions options;
  options.k = k;
  options.threads = threads;
  options.query_block = query_block;
  options.candidate_block = candidate_block;
  return options;
}

TEST(BatchTopKTest, EqualsReferenceAcrossShapesThreadsAndBlocks) {
  struct Shape {
    int64_t q, n, d;
  };
  for (const Shape& shape :
       {Shape{1, 1, 1}, Shape{7, 50, 3}, Shape{33, 1000, 16}, Shape{65, 3001, 256}, Shape{300, 700, 40}}) {
    const RowMajorMatrixXf queries = Gaussian(shape.q, shape.d, 1 + static_cast<uint32_t>(shape.n));
    const RowMajorMatrixXf candidates = Gaussian(shape.n, shape.d, 2 + static_cast<uint32_t>(shape.q));
    // Float sums of d products of N(0,1) values err by up to about 4e-7 * d here; the bound allows 1e-6 * d.
    const double tolerance = 1e-6 * static_cast<double>(shape.d);
    const std::vector<std::vector<Ranked>> want = ReferenceTopK(queries, candidates, static_cast<int>(shape.n));
    for (int k : {1, 10, static_cast<int>(shape.n) + 3}) {
      for (int threads : {1, 2, 3}) {
        for (const auto& [query_block, candidate_block] :
             std::vector<std::pair<int, int>>{{1, 1}, {7, 13}, {64, 512}, {256, 2048}}) {
          if (shape.q * shape.n > 100000 && query_block * candidate_block < 100) continue;  // too slow, same code
          const std::string what = "Q=" + std::to_string(shape.q) + " N=" + std::to_string(shape.n) +
                                   " d=" + std::to_string(shape.d) + " k=" + std::to_string(k) +
                                   " threads=" + std::to_string(threads) + " blocks=" + std::to_string(query_block) +
                                   "x" + std::to_string(candidate_block);
          absl::StatusOr<BatchTopKResult> got =
              BatchTopK(queries, candidates, Options(k, threads, query_block, candidate_block));
          ASSERT_TRUE(got.ok()) << what << ": " << got.status();
          ExpectMatchesReference(*got, want, queries, candidates, k, tolerance, what);
        }
      }
    }
  }
}

TEST(BatchTopKTest, DefaultOptionsEqualReference) {
  const RowMajorMatrixXf queries = Gaussian(40, 256, 11);
  const RowMajorMatrixXf candidates = Gaussian(5000, 256, 12);
  absl::StatusOr<BatchTopKResult> got = BatchTopK(queries, candidates, BatchTopKOptions{});
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectMatchesReference(*got, ReferenceTopK(queries, candidates, 11), queries, candidates, BatchTopKOptions{}.k, 5e-3,
                         "defaults");
}

TEST(BatchTopKTest, TiesRankTheLowerCandidateFirst) {
  const RowMajorMatrixXf queries = FewDistinctIntegerRows(20, 9, 4, 5);
  const RowMajorMatrixXf candidates = FewDistinctIntegerRows(400, 9, 6, 6);
  for (int k : {1, 3, 25, 400}) {
    const std::vector<std::vector<Ranked>> want = ReferenceTopK(queries, candidates, k);
    for (int threads : {1, 2, 5}) {
      for (const auto& [query_block, candidate_block] : std::vector<std::pair<int, int>>{{1, 7}, {3, 50}, {20, 400}}) {
        absl::StatusOr<BatchTopKResult> got =
            BatchTopK(queries, candidates, Options(k, threads, query_block, candidate_block));
        ASSERT_TRUE(got.ok()) << got.status();
        for (int64_t i = 0; i < queries.rows(); ++i) {
          for (int j = 0; j < k; ++j) {
            ASSERT_EQ(got->ids(i, j), want[i][j].id) << "k=" << k << " threads=" << threads << " blocks=" << query_block
                                                     << "x" << candidate_block << " query " << i << " rank " << j;
            ASSERT_EQ(got->scores(i, j), want[i][j].score);
          }
        }
      }
    }
  }
}

TEST(BatchTopKTest, ThreadCountDoesNotChangeAnyBit) {
  const RowMajorMatrixXf queries = Gaussian(90, 100, 21);
  const RowMajorMatrixXf candidates = Gaussian(2500, 100, 22);
  absl::StatusOr<BatchTopKResult> one = BatchTopK(queries, candidates, Options(15, 1, 32, 300));
  ASSERT_TRUE(one.ok()) << one.status();
  for (int threads : {2, 4, 7}) {
    absl::StatusOr<BatchTopKResult> many = BatchTopK(queries, candidates, Options(15, threads, 32, 300));
    ASSERT_TRUE(many.ok()) << many.status();
    EXPECT_TRUE(many->ids == one->ids) << "threads=" << threads;
    EXPECT_TRUE(many->scores == one->scores) << "threads=" << threads;
  }
}

TEST(BatchTopKTest, KAboveNReturnsEveryCandidateSorted) {
  const RowMajorMatrixXf queries = Gaussian(5, 8, 31);
  const RowMajorMatrixXf candidates = Gaussian(6, 8, 32);
  absl::StatusOr<BatchTopKResult> got = BatchTopK(queries, candidates, Options(100, 2, 2, 4));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->ids.cols(), 6);
  for (int64_t i = 0; i < 5; ++i) {
    std::vector<int32_t> ids(got->ids.row(i).data(), got->ids.row(i).data() + 6);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<int32_t>{0, 1, 2, 3, 4, 5}));
    for (int j = 1; j < 6; ++j) EXPECT_GE(got->scores(i, j - 1), got->scores(i, j));
  }
  ExpectMatchesReference(*got, ReferenceTopK(queries, candidates, 6), queries, candidates, 100, 1e-4, "k > N");
}

TEST(BatchTopKTest, EmptyInputsGiveEmptyResultsOfTheRightShape) {
  const RowMajorMatrixXf none(0, 16);
  const RowMajorMatrixXf some = Gaussian(4, 16, 41);
  absl::StatusOr<BatchTopKResult> no_candidates = BatchTopK(some, none, Options(3, 2, 2, 2));
  ASSERT_TRUE(no_candidates.ok()) << no_candidates.status();
  EXPECT_EQ(no_candidates->ids.rows(), 4);
  EXPECT_EQ(no_candidates->ids.cols(), 0);
  EXPECT_EQ(no_candidates->scores.rows(), 4);
  EXPECT_EQ(no_candidates->scores.cols(), 0);

  absl::StatusOr<BatchTopKResult> no_queries = BatchTopK(none, some, Options(3, 2, 2, 2));
  ASSERT_TRUE(no_queries.ok()) << no_queries.status();
  EXPECT_EQ(no_queries->ids.rows(), 0);
  EXPECT_EQ(no_queries->ids.cols(), 3);
  EXPECT_EQ(no_queries->scores.rows(), 0);
}

TEST(BatchTopKTest, ZeroDimensionScoresEveryCandidateZero) {
  const RowMajorMatrixXf queries(3, 0);
  const RowMajorMatrixXf candidates(5, 0);
  absl::StatusOr<BatchTopKResult> got = BatchTopK(queries, candidates, Options(2, 1, 8, 8));
  ASSERT_TRUE(got.ok()) << got.status();
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got->ids(i, 0), 0);
    EXPECT_EQ(got->ids(i, 1), 1);
    EXPECT_EQ(got->scores(i, 0), 0.0f);
  }
}

TEST(BatchTopKTest, ReadsStridedViews) {
  // Every other column of a wider matrix: rows are further apart than their length.
  const RowMajorMatrixXf wide_queries = Gaussian(12, 40, 51);
  const RowMajorMatrixXf wide_candidates = Gaussian(300, 40, 52);
  const RowMajorMatrixXf queries = wide_queries.leftCols(17);
  const RowMajorMatrixXf candidates = wide_candidates.leftCols(17);
  absl::StatusOr<BatchTopKResult> got =
      BatchTopK(wide_queries.leftCols(17), wide_candidates.leftCols(17), Options(7, 2, 5, 64));
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectMatchesReference(*got, ReferenceTopK(queries, candidates, 8), queries, candidates, 7, 1e-4, "strided");
}

TEST(BatchTopKTest, OverflowedScoresRankByTheirInfiniteValue) {
  RowMajorMatrixXf queries(1, 2);
  queries << 1e30f, 1e30f;
  RowMajorMatrixXf candidates(4, 2);
  candidates << 1.0f, 0.0f,  // 1e30
      -1e30f, -1e30f,        // -inf
      1e30f, 1e30f,          // +inf
      0.0f, 0.0f;            // 0
  absl::StatusOr<BatchTopKResult> got = BatchTopK(queries, candidates, Options(4, 1, 1, 2));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->ids(0, 0), 2);
  EXPECT_EQ(got->ids(0, 1), 0);
  EXPECT_EQ(got->ids(0, 2), 3);
  EXPECT_EQ(got->ids(0, 3), 1);
  EXPECT_EQ(got->scores(0, 0), std::numeric_limits<float>::infinity());
  EXPECT_EQ(got->scores(0, 3), -std::numeric_limits<float>::infinity());
}

TEST(BatchTopKTest, BadInputIsInvalidArgumentNamingTheField) {
  const RowMajorMatrixXf queries = Gaussian(3, 4, 61);
  const RowMajorMatrixXf candidates = Gaussian(5, 4, 62);
  struct Case {
    BatchTopKOptions options;
    std::string field;
  };
  const std::vector<Case> cases = {
      {Options(0, 1, 8, 8), "k:"},
      {Options(-3, 1, 8, 8), "k:"},
      {Options(2, -1, 8, 8), "threads:"},
      {Options(2, 1, 0, 8), "query_block:"},
      {Options(2, 1, 8, 0), "candidate_block:"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<BatchTopKResult> got = BatchTopK(queries, candidates, c.options);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_TRUE(Names(got.status(), c.field)) << got.status();
  }

  const RowMajorMatrixXf narrow = Gaussian(5, 3, 63);
  absl::StatusOr<BatchTopKResult> mismatch = BatchTopK(queries, narrow, BatchTopKOptions{});
  EXPECT_EQ(mismatch.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Names(mismatch.status(), "candidates:")) << mismatch.status();

  RowMajorMatrixXf with_nan = queries;
  with_nan(2, 1) = std::numeric_limits<float>::quiet_NaN();
  absl::StatusOr<BatchTopKResult> nan = BatchTopK(with_nan, candidates, BatchTopKOptions{});
  EXPECT_EQ(nan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Names(nan.status(), "queries(2, 1)")) << nan.status();

  RowMajorMatrixXf with_inf = candidates;
  with_inf(4, 0) = -std::numeric_limits<float>::infinity();
  absl::StatusOr<BatchTopKResult> inf = BatchTopK(queries, with_inf, BatchTopKOptions{});
  EXPECT_EQ(inf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Names(inf.status(), "candidates(4, 0)")) << inf.status();
}

// Both builds of the GEMM kernel against a plain triple loop, on shapes that leave remainders in every
// direction and on strided rows.
TEST(GemmKernelTest, EveryAvailableKernelEqualsPlainProduct) {
  std::vector<internal::GemmKernel> kernels = {internal::BaselineGemmKernel(), internal::BestGemmKernel()};
  if (internal::Avx2GemmKernel().multiply_by_transpose != nullptr) kernels.push_back(internal::Avx2GemmKernel());
  struct Shape {
    int64_t m, n, d;
  };
  for (const internal::GemmKernel& kernel : kernels) {
    ASSERT_NE(kernel.multiply_by_transpose, nullptr) << kernel.name;
    EXPECT_NE(std::string(kernel.name), "");
    for (const Shape& s : {Shape{1, 1, 1}, Shape{5, 3, 2}, Shape{37, 29, 70}, Shape{130, 257, 256}}) {
      const int64_t lda = s.d + 3, ldb = s.d + 1, ldc = s.n + 5;
      const RowMajorMatrixXf a = Gaussian(s.m, lda, 71);
      const RowMajorMatrixXf b = Gaussian(s.n, ldb, 72);
      std::vector<float> c(static_cast<size_t>(s.m * ldc), -7.0f);
      kernel.multiply_by_transpose(a.data(), lda, b.data(), ldb, c.data(), ldc, s.m, s.n, s.d);
      for (int64_t i = 0; i < s.m; ++i) {
        for (int64_t j = 0; j < ldc; ++j) {
          const float got = c[static_cast<size_t>(i * ldc + j)];
          if (j >= s.n) {
            ASSERT_EQ(got, -7.0f) << kernel.name << ": wrote past column n";
            continue;
          }
          double want = 0;
          for (int64_t t = 0; t < s.d; ++t) want += static_cast<double>(a(i, t)) * b(j, t);
          ASSERT_NEAR(got, want, 1e-4 * static_cast<double>(s.d)) << kernel.name << " (" << i << ", " << j << ")";
        }
      }
    }
  }
}

}  // namespace
}  // namespace circmatch

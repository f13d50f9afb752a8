#include "scoring/dense_list_kernel.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace circmatch::internal {
namespace {

// Lists of random byte values over `rows` rows, each holding a given share of them, some ending early.
struct RandomLists {
  RandomLists(int rows, const std::vector<double>& shares, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (size_t c = 0; c < shares.size(); ++c) {
      // Every third list ends before the last rows, at a row count that is no multiple of 16 or 32.
      const int size = c % 3 == 2 ? rows * 2 / 3 + 1 : rows;
      values.emplace_back(static_cast<size_t>(size), 0);
      for (uint8_t& v : values.back()) v = unit(rng) < shares[c] ? static_cast<uint8_t>(1 + rng() % 255) : 0;
    }
    for (size_t c = 0; c < values.size(); ++c) {
      lists.push_back(
          {values[c].data(), static_cast<int64_t>(values[c].size()), 0.01f * static_cast<float>(c + 1) / 255.0f});
    }
  }

  // The sums one row at a time, list after list, onto zero.
  std::vector<float> Reference(int rows) const {
    std::vector<float> sums(static_cast<size_t>(rows), 0.0f);
    for (const DenseList& list : lists) {
      for (int r = 0; r < rows && r < list.size; ++r) sums[r] += list.step * static_cast<float>(list.values[r]);
    }
    return sums;
  }

  std::vector<std::vector<uint8_t>> values;
  std::vector<DenseList> lists;
};

std::vector<DenseListKernel> Kernels() {
  std::vector<DenseListKernel> kernels = {BaselineDenseListKernel()};
  if (Avx2DenseListKernel().add_up != nullptr) kernels.push_back(Avx2DenseListKernel());
  return kernels;
}

// Row counts around the 32-row steps, shares from none to all, lists ending early: every kernel gives the same
// floats as adding one row at a time, and writes every row (stale contents are overwritten).
TEST(DenseListKernelTest, SumsEqualAddingRowByRow) {
  for (int rows : {1, 15, 16, 31, 32, 33, 63, 64, 65, 1000, 4099}) {
    const RandomLists random(rows, {0.0, 1.0, 0.5, 0.125, 0.01, 0.3, 0.9}, 7 + static_cast<uint32_t>(rows));
    const std::vector<float> expected = random.Reference(rows);
    for (const DenseListKernel& kernel : Kernels()) {
      std::vector<float> sums(static_cast<size_t>(rows), -1.0f);
      kernel.add_up(random.lists.data(), static_cast<int>(random.lists.size()), rows, sums.data());
      EXPECT_EQ(sums, expected) << kernel.name << " rows " << rows;
    }
  }
}

TEST(DenseListKernelTest, NoListsGiveZeros) {
  for (const DenseListKernel& kernel : Kernels()) {
    std::vector<float> sums(33, -1.0f);
    kernel.add_up(nullptr, 0, 33, sums.data());
    EXPECT_EQ(sums, std::vector<float>(33, 0.0f)) << kernel.name;
  }
}

// The build's best kernel is the AVX2 one wherever the CPU has AVX2 and FMA; a machine without gets the baseline.
TEST(DenseListKernelTest, BestIsTheFastestTheCpuRuns) {
  const bool has_avx2 = Avx2DenseListKernel().add_up != nullptr;
  EXPECT_STREQ(BestDenseListKernel().name, has_avx2 ? "avx2" : "baseline");
}

}  // namespace
}  // namespace circmatch::internal

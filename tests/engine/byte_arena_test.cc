#include "index/byte_arena.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace circmatch::internal {
namespace {

TEST(ByteArenaTest, StringsKeepTheirBytesAcrossBlocks) {
  ByteArena arena;
  std::vector<std::string> originals;
  std::vector<absl::string_view> copies;
  // About three blocks of strings of varied length, one longer than a block, and empty ones.
  for (int i = 0; i < 6000; ++i) {
    originals.push_back(std::string(static_cast<size_t>((i * 37) % 1000), static_cast<char>('a' + i % 26)));
    if (i == 3000) originals.back() = std::string(ByteArena::kBlockBytes + 17, 'z');
    copies.push_back(arena.Append(originals.back()));
  }
  for (size_t i = 0; i < originals.size(); ++i) {
    ASSERT_EQ(copies[i], originals[i]) << i;
    if (!originals[i].empty()) {
      EXPECT_NE(copies[i].data(), originals[i].data());
    }
  }
}

}  // namespace
}  // namespace circmatch::internal

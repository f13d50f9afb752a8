// Byte strings appended into large blocks, for the Index's packed profiles: a million rows held as a million
// heap strings would interleave with every short-lived allocation of a write and fragment the heap (malloc then
// spends its time sorting and merging free chunks); here they take a few blocks, and a string's bytes never move.
//
// Thread-safety: none; the Index guards it with its mutex.
#ifndef CIRCMATCH_ENGINE_INDEX_BYTE_ARENA_H_
#define CIRCMATCH_ENGINE_INDEX_BYTE_ARENA_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"

namespace circmatch {
namespace internal {

class ByteArena {
 public:
  static constexpr size_t kBlockBytes = size_t{1} << 20;

  // A copy of `bytes`, valid as long as the arena.
  absl::string_view Append(absl::string_view bytes) {
    if (bytes.empty()) return {};
    if (free_ < bytes.size()) {
      // A string longer than a block gets a block of its own.
      const size_t size = std::max(kBlockBytes, bytes.size());
      blocks_.emplace_back(new char[size]);
      bytes_ += size;
      next_ = blocks_.back().get();
      free_ = size;
    }
    char* out = next_;
    std::memcpy(out, bytes.data(), bytes.size());
    next_ += bytes.size();
    free_ -= bytes.size();
    return absl::string_view(out, bytes.size());
  }

  // Bytes allocated for the blocks.
  int64_t bytes() const { return bytes_; }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t free_ = 0;
  int64_t bytes_ = 0;
};

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_INDEX_BYTE_ARENA_H_

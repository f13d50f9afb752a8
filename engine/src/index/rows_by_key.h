// The row of every live profile by its key, without a second copy of the keys: an entry holds only the kind and
// row number (8 bytes), and is hashed and compared through the key its segment holds for that row (its owner's
// number and its packed id, read as a KeyView). A map from key to row took 72 bytes per entry before the
// strings' own heap, more than a tenth of the index at 1M rows.
//
// Because the keys live in the segments, an entry must be erased before its row is tombstoned (that clears the
// key), and the map rebuilt after rows are renumbered (compaction).
//
// Thread-safety: none; the Index guards it with its mutex.
#ifndef CIRCMATCH_ENGINE_INDEX_ROWS_BY_KEY_H_
#define CIRCMATCH_ENGINE_INDEX_ROWS_BY_KEY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "circmatch/profile.h"

namespace circmatch {
namespace internal {

// A key held elsewhere, ordered as ProfileKey.
struct KeyView {
  absl::string_view owner;
  absl::string_view id;

  KeyView() = default;
  KeyView(absl::string_view owner, absl::string_view id) : owner(owner), id(id) {}
  explicit KeyView(const ProfileKey& key) : owner(key.owner), id(key.id) {}

  ProfileKey ToKey() const { return ProfileKey{std::string(owner), std::string(id)}; }
  friend bool operator==(const KeyView& a, const KeyView& b) { return a.owner == b.owner && a.id == b.id; }
  friend bool operator<(const KeyView& a, const KeyView& b) {
    return a.owner != b.owner ? a.owner < b.owner : a.id < b.id;
  }
};

// A stored row: which segment (by the kind of profile it holds) and where in it.
struct RowRef {
  ProfileKind kind;
  int row;
};

class RowsByKey {
 public:
  // `key_of(ref)` is the key held for the live row `ref`; what it views must stay valid while the map is used.
  using KeyOf = std::function<KeyView(const RowRef&)>;
  explicit RowsByKey(KeyOf key_of)
      : key_of_(std::make_unique<KeyOf>(std::move(key_of))), refs_(0, Hash{key_of_.get()}, Equal{key_of_.get()}) {}

  std::optional<RowRef> Find(const ProfileKey& key) const {
    auto it = refs_.find(KeyView(key));
    if (it == refs_.end()) return std::nullopt;
    return *it;
  }

  // Adds `ref`, whose key must not be in the map.
  void Insert(const RowRef& ref) { refs_.insert(ref); }

  // Removes `key`'s entry, if any; its row must still hold the key.
  void Erase(const KeyView& key) {
    auto it = refs_.find(key);
    if (it != refs_.end()) refs_.erase(it);
  }

  void Clear() { refs_.clear(); }

  // Bytes allocated for the map's slots and their control bytes.
  int64_t bytes() const { return static_cast<int64_t>(refs_.capacity() * (sizeof(RowRef) + 1)); }

 private:
  // Both take a key or an entry, so a lookup by key needs no entry.
  struct Hash {
    using is_transparent = void;
    const KeyOf* key_of;
    size_t operator()(const KeyView& key) const {
      return absl::Hash<std::pair<absl::string_view, absl::string_view>>{}({key.owner, key.id});
    }
    size_t operator()(const RowRef& ref) const { return (*this)((*key_of)(ref)); }
  };
  struct Equal {
    using is_transparent = void;
    const KeyOf* key_of;
    KeyView Key(const KeyView& key) const { return key; }
    KeyView Key(const RowRef& ref) const { return (*key_of)(ref); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Key(a) == Key(b);
    }
  };

  std::unique_ptr<KeyOf> key_of_;  // on the heap, so the functors' pointer survives a move of the map
  absl::flat_hash_set<RowRef, Hash, Equal> refs_;
};

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_INDEX_ROWS_BY_KEY_H_

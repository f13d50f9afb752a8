// The profiles as the service sees them: the durable store and the in-memory index, kept in agreement.
// Every write validates and normalizes the whole batch first, commits it to the store, then applies it to the
// index, so a batch is all or nothing, and store and index see writes in the same order: a write takes the
// index's mutex before it lets go of the store's, so the next write can commit while this one is indexed.
//
// Thread-safety: every method is safe to call concurrently. Commits run one at a time, and so do index
// updates; reads (through index() and store()) never wait for either mutex.
#ifndef CIRCMATCH_SERVICE_STORE_PROFILE_REPOSITORY_H_
#define CIRCMATCH_SERVICE_STORE_PROFILE_REPOSITORY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "circmatch/index.h"
#include "circmatch/profile.h"
#include "circmatch/v1/profile.pb.h"
#include "circmatch/vocabulary.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "service/convert/profile_conversion.h"
#include "service/store/profile_store.h"
#include "service/store/write_events.h"

namespace circmatch::service {

// The most profiles one write takes.
inline constexpr int kMaxBatchSize = 10000;

// A validated, normalized batch, ready to commit.
struct PreparedBatch {
  std::vector<v1::Profile> stored;  // the normalized protos, with owner and update_time set
  PreparedProfiles indexed;         // the same profiles, vectorized for the index
};

class ProfileRepository {
 public:
  // Names item `i` of a batch in error messages, e.g. "profiles[3]." or "profiles.jsonl:4: ".
  using ItemPrefix = std::function<std::string(int)>;

  // All borrowed; they must outlive the repository.
  ProfileRepository(const Vocabulary* vocabulary, Index* index, ProfileStore* store, int embedding_dimension);

  // Validates and normalizes `profiles` (1..kMaxBatchSize, distinct (owner, id)) written by partner `caller`:
  // an empty owner becomes `caller`, another owner is PERMISSION_DENIED. INVALID_ARGUMENT naming the item and
  // field for the first bad one. Writes nothing, takes no lock: concurrent writers prepare in parallel.
  absl::StatusOr<PreparedBatch> Prepare(const google::protobuf::RepeatedPtrField<v1::Profile>& profiles,
                                        const std::string& caller, const ItemPrefix& item_prefix = ItemPrefix()) const;

  // Commits the batch to the store, then to the index. Returns the version of its owner's view after the write
  // (Index::ViewVersion).
  absl::StatusOr<uint64_t> Write(PreparedBatch batch) ABSL_LOCKS_EXCLUDED(store_mu_, index_mu_);

  // Deletes a profile from the store, then the index; returns its owner's view version after. NOT_FOUND when it
  // is not stored.
  absl::StatusOr<uint64_t> Delete(const ProfileKey& key) ABSL_LOCKS_EXCLUDED(store_mu_, index_mu_);

  // Applies changes other servers committed to a shared store to the index only (the store has them).
  // Profiles that no longer validate are skipped with a warning. Returns the index version after.
  absl::StatusOr<uint64_t> ApplyStoreChanges(const std::vector<StoreChange>& changes)
      ABSL_LOCKS_EXCLUDED(store_mu_, index_mu_);

  // Loads every stored profile into the (empty) index, in batches. Profiles that no longer validate (e.g. the
  // vocabulary changed) are skipped with a warning. Returns how many were loaded.
  absl::StatusOr<int64_t> RebuildIndex() ABSL_LOCKS_EXCLUDED(store_mu_, index_mu_);

  // A stored proto as the normalized profile the index holds; nullopt when it no longer converts (the
  // vocabulary changed since it was written), as the index skipped it.
  std::optional<Profile> FromStored(const v1::Profile& stored) const;
  // The profile under `key` as FromStored gives it, when `viewer` may see it (its own or shared); nullopt when
  // it is not in the index (deleted, not indexed yet, or no longer converting), not in the store, or another
  // partner's private profile. The server's index keeps no profiles: queries and participants by ref read
  // theirs here. Visibility is checked in the index before the store is read, so a profile `viewer` may not
  // see is neither read nor converted: it answers as an absent one does, in the same time.
  absl::StatusOr<std::optional<Profile>> ReadIndexed(const ProfileKey& key, const std::string& viewer) const;

  const Vocabulary& vocabulary() const { return *vocabulary_; }
  const Index& index() const { return *index_; }
  const ProfileStore& store() const { return *store_; }
  // The store, for what the index does not hold (feedback, rank profiles): profiles are written through Write
  // and Delete, which keep store and index in step.
  ProfileStore& mutable_store() { return *store_; }
  const ConversionContext& conversion_context() const { return context_; }
  // The keys of the profiles each write put into the index, published after the write.
  WriteEvents& write_events() { return write_events_; }

 private:
  const Vocabulary* const vocabulary_;
  Index* const index_;
  ProfileStore* const store_;
  const ConversionContext context_;
  WriteEvents write_events_;
  // Held while committing to the store, and while updating the index; always taken in this order.
  absl::Mutex store_mu_ ABSL_ACQUIRED_BEFORE(index_mu_);
  absl::Mutex index_mu_;
  // With a shared store: per key, the changes this replica committed that the change feed has not come to yet. The
  // feed skips them (the index has them already), so that a replica's own writes neither move its index versions a
  // second time, a while after the write, nor reach its watchers twice.
  absl::flat_hash_map<ProfileKey, int> own_changes_ ABSL_GUARDED_BY(store_mu_);
  // Profiles written since the heap's free pages last went back to the system (NoteWritten).
  std::atomic<int64_t> written_since_release_{0};

  // Counts profiles written, and every kProfilesPerHeapRelease gives the heap's free pages back to the system.
  void NoteWritten(int64_t profiles);
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_STORE_PROFILE_REPOSITORY_H_

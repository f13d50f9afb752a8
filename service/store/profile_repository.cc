#include "service/store/profile_repository.h"

#include <malloc.h>

#include <optional>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/common/logging.h"
#include "service/convert/status_mapping.h"
#include "service/store/access.h"

namespace circmatch::service {
namespace {

// The heap's free pages go back to the system after this many profiles written. A write frees about as much as
// it keeps (its protos, profiles and vectors, and the index's arrays as they grow), glibc's malloc gives back
// only the top of each heap on its own, and the rest stays resident until reused: 100 MiB after an import of
// 1M profiles (bench/README.md "Ingest", with what the releases cost).
constexpr int64_t kProfilesPerHeapRelease = 5000;

void ReleaseFreeHeapPages() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

// Index writes during the rebuild go in batches of this many profiles.
constexpr size_t kRebuildBatchSize = 1000;

// Prepared batches handed from the thread that reads and prepares them to the one that appends them. At most
// one waits, so the two overlap without the store being buffered in memory.
class PreparedHandoff {
 public:
  // Waits while a batch is waiting.
  void Put(PreparedProfiles batch) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](PreparedHandoff* h) ABSL_EXCLUSIVE_LOCKS_REQUIRED(h->mu_) { return !h->waiting_.has_value(); }, this));
    waiting_ = std::move(batch);
  }
  // No more batches: Take returns nullopt once the last is taken.
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  std::optional<PreparedProfiles> Take() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](PreparedHandoff* h) ABSL_EXCLUSIVE_LOCKS_REQUIRED(h->mu_) { return h->waiting_.has_value() || h->closed_; },
        this));
    std::optional<PreparedProfiles> batch = std::move(waiting_);
    waiting_.reset();
    return batch;
  }

 private:
  absl::Mutex mu_;
  std::optional<PreparedProfiles> waiting_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

std::string DefaultItemPrefix(int i) { return absl::StrCat("profiles[", i, "]."); }

}  // namespace

ProfileRepository::ProfileRepository(const Vocabulary* vocabulary, Index* index, ProfileStore* store,
                                     int embedding_dimension)
    : vocabulary_(vocabulary), index_(index), store_(store), context_{vocabulary, embedding_dimension} {}

absl::StatusOr<PreparedBatch> ProfileRepository::Prepare(
    const google::protobuf::RepeatedPtrField<v1::Profile>& profiles, const std::string& caller,
    const ItemPrefix& item_prefix) const {
  const ItemPrefix& prefix = item_prefix ? item_prefix : ItemPrefix(DefaultItemPrefix);
  if (profiles.empty() || profiles.size() > kMaxBatchSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("profiles: must hold 1 to ", kMaxBatchSize, " profiles, got ", profiles.size()));
  }
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  PreparedBatch batch;
  batch.stored.reserve(profiles.size());
  std::vector<Profile> indexed;
  indexed.reserve(profiles.size());
  absl::flat_hash_map<ProfileKey, int> seen;
  for (int i = 0; i < profiles.size(); ++i) {
    absl::StatusOr<Profile> profile = ProfileFromProto(profiles[i], context_);
    if (!profile.ok()) return PrefixStatus(prefix(i), profile.status());
    if (profiles[i].owner().empty()) profile->key.owner = caller;
    if (absl::Status owned = CheckOwnedBy(profile->key, "owner", caller); !owned.ok()) {
      return PrefixStatus(prefix(i), owned);
    }
    auto [it, inserted] = seen.emplace(profile->key, i);
    if (!inserted) {
      std::string first = prefix(it->second);
      absl::string_view first_name = absl::StripTrailingAsciiWhitespace(first);
      absl::ConsumeSuffix(&first_name, ".") || absl::ConsumeSuffix(&first_name, ":");
      return absl::InvalidArgumentError(absl::StrCat(prefix(i), "id: duplicate id \"", profile->key.id,
                                                     "\" of owner \"", profile->key.owner, "\" (also at ", first_name,
                                                     ")"));
    }
    batch.stored.push_back(ProfileToProto(*profile, profiles[i].contact(), now));
    indexed.push_back(*std::move(profile));
  }
  // ProfileFromProto normalized them.
  batch.indexed = index_->PrepareNormalized(std::move(indexed));
  return batch;
}

std::optional<Profile> ProfileRepository::FromStored(const v1::Profile& stored) const {
  absl::StatusOr<Profile> profile = ProfileFromProto(stored, context_);
  if (!profile.ok()) return std::nullopt;
  return *std::move(profile);
}

absl::StatusOr<std::optional<Profile>> ProfileRepository::ReadIndexed(const ProfileKey& key,
                                                                      const std::string& viewer) const {
  if (!index_->VisibleTo(key, viewer)) return std::nullopt;
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> stored = store_->GetMany({key});
  if (!stored.ok()) return stored.status();
  // The store may hold a newer version than the index, made private since: check the body itself too.
  if (!stored->at(0).has_value() || !VisibleTo(*stored->at(0), viewer)) return std::nullopt;
  return FromStored(*stored->at(0));
}

absl::StatusOr<uint64_t> ProfileRepository::Write(PreparedBatch batch) {
  std::vector<ProfileKey> written;
  written.reserve(batch.indexed.profiles().size());
  for (const Profile& profile : batch.indexed.profiles()) written.push_back(profile.key);
  absl::ReleasableMutexLock store_lock(&store_mu_);
  if (absl::Status status = store_->Upsert(batch.stored); !status.ok()) return status;
  if (store_->Shared()) {
    for (const v1::Profile& stored : batch.stored) ++own_changes_[ProfileKey{stored.owner(), stored.id()}];
  }
  absl::ReleasableMutexLock index_lock(&index_mu_);
  store_lock.Release();
  // The batch is durable now; the index checked it when it was prepared and only appends it here.
  index_->Upsert(std::move(batch.indexed));
  // A batch holds one partner's profiles; it gets its own view's version, which others' private writes don't move.
  const uint64_t version = written.empty() ? index_->version() : index_->ViewVersion(written.front().owner);
  index_lock.Release();
  // Watchers hear of it once it is committed, off the locks: the next write does not wait for them.
  write_events_.Publish(written);
  NoteWritten(static_cast<int64_t>(written.size()));
  return version;
}

void ProfileRepository::NoteWritten(int64_t profiles) {
  if (written_since_release_.fetch_add(profiles) + profiles < kProfilesPerHeapRelease) return;
  written_since_release_ = 0;
  ReleaseFreeHeapPages();
}

absl::StatusOr<uint64_t> ProfileRepository::Delete(const ProfileKey& key) {
  absl::ReleasableMutexLock store_lock(&store_mu_);
  if (absl::Status status = store_->Delete(key); !status.ok()) return status;
  if (store_->Shared()) ++own_changes_[key];
  absl::MutexLock index_lock(&index_mu_);
  store_lock.Release();
  if (absl::Status status = index_->Delete(key); !status.ok() && !absl::IsNotFound(status)) {
    CIRCMATCH_LOG(kError) << "deleted profile \"" << key.id << "\" of owner \"" << key.owner
                          << "\" from the store but not from the index: " << status;
    return absl::InternalError(absl::StrCat("deleted from the store, but not from the index: ", status.message()));
  }
  return index_->ViewVersion(key.owner);
}

absl::StatusOr<int64_t> ProfileRepository::RebuildIndex() {
  absl::MutexLock store_lock(&store_mu_);
  absl::MutexLock index_lock(&index_mu_);
  const absl::Time start = absl::Now();
  int64_t loaded = 0;
  int64_t skipped = 0;
  // Read and prepared on this thread, appended on another: both cores work.
  PreparedHandoff handoff;
  std::thread appender([&] {
    while (std::optional<PreparedProfiles> prepared = handoff.Take()) index_->Upsert(*std::move(prepared));
  });
  std::vector<Profile> batch;
  batch.reserve(kRebuildBatchSize);
  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    const size_t size = batch.size();
    handoff.Put(index_->PrepareNormalized(std::exchange(batch, {})));  // ProfileFromProto normalized them
    loaded += static_cast<int64_t>(size);
    NoteWritten(static_cast<int64_t>(size));
    batch.reserve(kRebuildBatchSize);
    return absl::OkStatus();
  };
  absl::Status status = store_->ForEach([&](const v1::Profile& stored) -> absl::Status {
    absl::StatusOr<Profile> profile = ProfileFromProto(stored, context_);
    if (!profile.ok()) {
      ++skipped;
      CIRCMATCH_LOG(kWarning) << "stored profile \"" << stored.id() << "\" of owner \"" << stored.owner()
                              << "\" no longer validates, not indexed: " << profile.status().message();
      return absl::OkStatus();
    }
    batch.push_back(*std::move(profile));
    if (batch.size() >= kRebuildBatchSize) return flush();
    return absl::OkStatus();
  });
  if (status.ok()) status = flush();
  handoff.Close();
  appender.join();
  if (!status.ok()) return PrefixStatus("rebuilding the index from the store: ", status);
  CIRCMATCH_LOG(kInfo) << "indexed " << loaded << " stored profiles in " << absl::Now() - start
                       << (skipped > 0 ? absl::StrCat(" (", skipped, " skipped)") : std::string());
  return loaded;
}

absl::StatusOr<uint64_t> ProfileRepository::ApplyStoreChanges(const std::vector<StoreChange>& changes) {
  absl::MutexLock store_lock(&store_mu_);
  absl::MutexLock index_lock(&index_mu_);
  std::vector<ProfileKey> written;
  for (const StoreChange& change : changes) {
    // Changes come in commit order, one per profile written, each with the profile as stored now: skipping one
    // of this replica's own never skips a state the index lacks, since a later write has a later change.
    if (auto own = own_changes_.find(change.key); own != own_changes_.end()) {
      if (--own->second == 0) own_changes_.erase(own);
      continue;
    }
    if (!change.profile.has_value()) {
      if (absl::Status s = index_->Delete(change.key); !s.ok() && !absl::IsNotFound(s)) return s;
      continue;
    }
    absl::StatusOr<Profile> profile = ProfileFromProto(*change.profile, context_);
    if (!profile.ok()) {
      CIRCMATCH_LOG(kWarning) << "changed profile \"" << change.key.id << "\" of owner \"" << change.key.owner
                              << "\" does not validate, not indexed: " << profile.status().message();
      continue;
    }
    written.push_back(profile->key);
    index_->Upsert(index_->PrepareNormalized({*std::move(profile)}));
  }
  if (!written.empty()) write_events_.Publish(written);
  NoteWritten(static_cast<int64_t>(written.size()));
  return index_->version();
}

}  // namespace circmatch::service

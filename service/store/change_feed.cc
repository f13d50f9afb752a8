#include "service/store/change_feed.h"

#include "service/common/logging.h"

namespace circmatch::service {
namespace {

constexpr int kChangesPerRead = 1000;

}  // namespace

ChangeFeed::ChangeFeed(ProfileRepository* repository, int64_t after_sequence, absl::Duration poll_interval)
    : repository_(repository), poll_interval_(poll_interval), applied_(after_sequence) {
  thread_ = std::thread([this] { Run(); });
}

ChangeFeed::~ChangeFeed() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void ChangeFeed::Run() {
  const ProfileStore& store = repository_->store();
  while (!stopping_.load()) {
    // Read first, then wait: a change committed between two reads is never left waiting for the next one.
    while (!stopping_.load()) {
      absl::StatusOr<std::vector<StoreChange>> changes = store.ChangesSince(applied_.load(), kChangesPerRead);
      if (!changes.ok()) {
        CIRCMATCH_LOG(kWarning) << "change feed: " << changes.status() << "; retrying";
        break;
      }
      if (changes->empty()) break;
      absl::StatusOr<uint64_t> version = repository_->ApplyStoreChanges(*changes);
      if (!version.ok()) {
        CIRCMATCH_LOG(kError) << "change feed: applying changes failed: " << version.status();
        break;
      }
      applied_.store(changes->back().sequence);
      CIRCMATCH_LOG(kDebug) << "change feed: applied " << changes->size() << " changes up to "
                            << changes->back().sequence;
    }
    store.WaitForChange(poll_interval_);
  }
}

}  // namespace circmatch::service

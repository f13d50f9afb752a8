#include "service/api/profile_service.h"

#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "circmatch/visibility.h"
#include "service/api/grpc_status.h"
#include "service/common/logging.h"
#include "service/convert/page_token.h"
#include "service/convert/profile_conversion.h"
#include "service/store/access.h"

namespace circmatch::service {

grpc::ServerUnaryReactor* ProfileServiceImpl::UpsertProfiles(grpc::CallbackServerContext* context,
                                                             const v1::UpsertProfilesRequest* request,
                                                             v1::UpsertProfilesResponse* response) {
  return calls_.Serve(context, "UpsertProfiles", request, response, [&](const std::string& caller) -> absl::Status {
    absl::StatusOr<PreparedBatch> batch = repository_->Prepare(request->profiles(), caller);
    if (!batch.ok()) return batch.status();
    const int32_t count = static_cast<int32_t>(batch->stored.size());
    absl::StatusOr<uint64_t> version = repository_->Write(*std::move(batch));
    if (!version.ok()) return version.status();
    response->set_upserted_count(count);
    response->set_index_version(*version);
    CIRCMATCH_LOG(kDebug) << "UpsertProfiles: " << count << " profiles, index version " << *version;
    return absl::OkStatus();
  });
}

// Receives and prepares (validates, converts, vectorizes) each batch on gRPC's callback thread, and commits the
// batches in order on a writer thread of its own, so the next batch is received and prepared while the last one
// is committed. At most one prepared batch waits beside the one being committed: the next read starts only when
// the writer takes the waiting one, so a slow store still slows the client down (flow control) instead of
// buffering the stream in memory. The first batch that fails, to prepare or to commit, ends the stream once every batch
// before it is committed.
class ProfileServiceImpl::ImportReactor final : public grpc::ServerReadReactor<v1::ImportProfilesRequest> {
 public:
  ImportReactor(ProfileRepository* repository, absl::StatusOr<std::string> caller, v1::ImportProfilesResponse* response)
      : repository_(repository), response_(response) {
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    caller_ = *std::move(caller);
    writer_running_ = true;
    std::thread([this] { WriteBatches(); }).detach();
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    std::optional<absl::StatusOr<PreparedBatch>> batch;
    if (ok) batch = repository_->Prepare(request_.profiles(), caller_);
    request_.Clear();
    absl::MutexLock lock(&mu_);
    if (!ok) {
      // The client closed its side, the call ended, or the stream was finished with this read outstanding.
      input_ended_ = true;
      return;
    }
    waiting_ = std::move(batch);
  }

  void OnDone() override { Release(/*writer=*/false); }

 private:
  void WriteBatches() {
    while (true) {
      absl::StatusOr<PreparedBatch> batch;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](ImportReactor* r)
                 ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) { return r->waiting_.has_value() || r->input_ended_; },
            this));
        if (!waiting_.has_value()) break;
        batch = *std::move(waiting_);
        waiting_.reset();
      }
      // Outside the lock: a reaction may run on this thread.
      if (batch.ok()) StartRead(&request_);
      absl::Status status = batch.ok() ? Commit(*std::move(batch)) : batch.status();
      if (!status.ok()) {
        CIRCMATCH_LOG(kDebug) << "ImportProfiles failed after " << batches_ << " batches: " << status;
        // Batches count from 0, so N is also how many were committed before this one.
        Finish(ToGrpcStatus(absl::Status(
            status.code(), absl::StrCat("batch ", batches_, ": ", status.message(), " (", batches_,
                                        " earlier batches with ", upserted_, " profiles were committed)"))));
        Release(/*writer=*/true);
        return;
      }
    }
    // Every batch the client sent is committed: report them.
    response_->set_upserted_count(upserted_);
    response_->set_batch_count(batches_);
    response_->set_index_version(repository_->index().ViewVersion(caller_));
    Finish(grpc::Status::OK);
    Release(/*writer=*/true);
  }

  absl::Status Commit(PreparedBatch batch) {
    const int64_t count = static_cast<int64_t>(batch.stored.size());
    absl::StatusOr<uint64_t> version = repository_->Write(std::move(batch));
    if (!version.ok()) return version.status();
    ++batches_;
    upserted_ += count;
    return absl::OkStatus();
  }

  // The reactor is deleted by the last of gRPC's OnDone and the writer thread's end.
  void Release(bool writer) {
    bool last;
    {
      absl::MutexLock lock(&mu_);
      (writer ? writer_running_ : done_pending_) = false;
      last = !writer_running_ && !done_pending_;
    }
    if (last) delete this;
  }

  ProfileRepository* const repository_;
  v1::ImportProfilesResponse* const response_;
  v1::ImportProfilesRequest request_;  // the read in flight; only its reaction and the writer touch it, in turn
  std::string caller_;
  // The writer's alone.
  int64_t batches_ = 0;
  int64_t upserted_ = 0;

  absl::Mutex mu_;
  std::optional<absl::StatusOr<PreparedBatch>> waiting_ ABSL_GUARDED_BY(mu_);  // prepared, not yet taken
  bool input_ended_ ABSL_GUARDED_BY(mu_) = false;
  bool writer_running_ ABSL_GUARDED_BY(mu_) = false;
  bool done_pending_ ABSL_GUARDED_BY(mu_) = true;  // until gRPC's OnDone
};

grpc::ServerReadReactor<v1::ImportProfilesRequest>* ProfileServiceImpl::ImportProfiles(
    grpc::CallbackServerContext* context, v1::ImportProfilesResponse* response) {
  return new ImportReactor(repository_, authenticator_->Authenticate(*context), response);
}

grpc::ServerUnaryReactor* ProfileServiceImpl::GetProfile(grpc::CallbackServerContext* context,
                                                         const v1::GetProfileRequest* request,
                                                         v1::GetProfileResponse* response) {
  return calls_.Serve(context, "GetProfile", request, response, [&](const std::string& caller) -> absl::Status {
    absl::StatusOr<ProfileKey> key = CallerKeyFromRef(request->ref(), "ref", caller);
    if (!key.ok()) return key.status();
    // Another partner's profile the caller may not see is answered from the index, before the store is read,
    // exactly as an absent one, so the time it takes does not tell it is there.
    if (!ViewerOwns(caller, key->owner) && !repository_->index().VisibleTo(*key, caller)) {
      return absl::NotFoundError(absl::StrCat("ref: ", ProfileNotFoundMessage(*key)));
    }
    absl::StatusOr<v1::Profile> profile = ReadProfileAs(repository_->store(), *key, "ref", caller);
    if (!profile.ok()) return profile.status();
    *response->mutable_profile() = *std::move(profile);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProfileServiceImpl::ListProfiles(grpc::CallbackServerContext* context,
                                                           const v1::ListProfilesRequest* request,
                                                           v1::ListProfilesResponse* response) {
  return calls_.Serve(context, "ListProfiles", request, response, [&](const std::string& caller) -> absl::Status {
    ListQuery query;
    if (request->kind() != v1::PROFILE_KIND_UNSPECIFIED) {
      absl::StatusOr<ProfileKind> kind = KindFromProto(request->kind(), "kind");
      if (!kind.ok()) return kind.status();
      query.kind = request->kind();
    }
    // A partner lists only its own profiles; others' shared ones it meets through matching.
    query.owner = request->owner().empty() ? caller : request->owner();
    if (!ViewerOwns(caller, query.owner)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "owner: partner \"", caller, "\" may list only its own profiles, not those of \"", query.owner, "\""));
    }
    absl::StatusOr<int> page_size = PageSize(request->page_size());
    if (!page_size.ok()) return page_size.status();
    query.limit = *page_size;
    if (!request->page_token().empty()) {
      absl::StatusOr<ProfileKey> after = DecodeKeyToken(request->page_token());
      if (!after.ok()) return after.status();
      query.after = *std::move(after);
    }
    absl::StatusOr<ListPage> page = repository_->store().List(query);
    if (!page.ok()) return page.status();
    for (v1::Profile& profile : page->profiles) *response->add_profiles() = std::move(profile);
    if (page->more && response->profiles_size() > 0) {
      const v1::Profile& last = response->profiles(response->profiles_size() - 1);
      response->set_next_page_token(EncodeKeyToken(ProfileKey{last.owner(), last.id()}));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProfileServiceImpl::DeleteProfile(grpc::CallbackServerContext* context,
                                                            const v1::DeleteProfileRequest* request,
                                                            v1::DeleteProfileResponse* response) {
  return calls_.Serve(context, "DeleteProfile", request, response, [&](const std::string& caller) -> absl::Status {
    absl::StatusOr<ProfileKey> key = CallerKeyFromRef(request->ref(), "ref", caller);
    if (!key.ok()) return key.status();
    if (absl::Status owned = CheckOwnedBy(*key, "ref.owner", caller); !owned.ok()) return owned;
    absl::StatusOr<uint64_t> version = repository_->Delete(*key);
    if (!version.ok()) return version.status();
    response->set_index_version(*version);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProfileServiceImpl::EraseContact(grpc::CallbackServerContext* context,
                                                           const v1::EraseContactRequest* request,
                                                           v1::EraseContactResponse* response) {
  return calls_.Serve(context, "EraseContact", request, response, [&](const std::string& caller) -> absl::Status {
    const std::string email = absl::AsciiStrToLower(absl::StripAsciiWhitespace(request->email()));
    if (email.empty() || email.find('@') == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("email: must be an e-mail address, got \"", request->email(), "\""));
    }
    // Collect first, then delete: the store is not changed while it is paged through.
    std::vector<ProfileKey> matching;
    ListQuery query;
    query.owner = caller;
    query.limit = kMaxPageSize;
    while (true) {
      absl::StatusOr<ListPage> page = repository_->store().List(query);
      if (!page.ok()) return page.status();
      for (const v1::Profile& profile : page->profiles) {
        if (absl::AsciiStrToLower(absl::StripAsciiWhitespace(profile.contact().email())) == email) {
          matching.push_back(ProfileKey{profile.owner(), profile.id()});
        }
      }
      if (!page->more || page->profiles.empty()) break;
      query.after = ProfileKey{page->profiles.back().owner(), page->profiles.back().id()};
    }
    for (const ProfileKey& key : matching) {
      absl::StatusOr<uint64_t> version = repository_->Delete(key);
      if (absl::IsNotFound(version.status())) continue;  // deleted meanwhile
      if (!version.ok()) return version.status();
      v1::ProfileRef* erased = response->add_erased();
      erased->set_owner(key.owner);
      erased->set_id(key.id);
    }
    response->set_index_version(repository_->index().ViewVersion(caller));
    CIRCMATCH_LOG(kInfo) << "EraseContact by partner " << caller << ": " << response->erased_size()
                         << " profiles erased";
    return absl::OkStatus();
  });
}

}  // namespace circmatch::service

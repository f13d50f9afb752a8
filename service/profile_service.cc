#include "service/profile_service.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/access.h"
#include "service/logging.h"
#include "service/page_token.h"
#include "service/profile_conversion.h"
#include "service/status_mapping.h"

namespace circmatch::service {

grpc::ServerUnaryReactor* ProfileServiceImpl::UpsertProfiles(grpc::CallbackServerContext* context,
                                                             const v1::UpsertProfilesRequest* request,
                                                             v1::UpsertProfilesResponse* response) {
  absl::StatusOr<std::string> caller = authenticator_->Authenticate(*context);
  if (!caller.ok()) return FinishUnary(context, caller.status());
  absl::StatusOr<PreparedBatch> batch = repository_->Prepare(request->profiles(), *caller);
  if (!batch.ok()) return FinishUnary(context, batch.status());
  absl::StatusOr<uint64_t> version = repository_->Write(*batch);
  if (!version.ok()) return FinishUnary(context, version.status());
  response->set_upserted_count(static_cast<int32_t>(batch->stored.size()));
  response->set_index_version(*version);
  CIRCMATCH_LOG(kDebug) << "UpsertProfiles: " << batch->stored.size() << " profiles, index version " << *version;
  return FinishUnary(context, absl::OkStatus());
}

// Reads one batch at a time and commits it before reading the next, so a slow store slows the client down
// (flow control) instead of buffering the stream in memory. Runs on gRPC's callback threads; its state is
// touched only by the one reaction running at a time (gRPC serializes OnReadDone with the StartRead it follows).
class ProfileServiceImpl::ImportReactor final : public grpc::ServerReadReactor<v1::ImportProfilesRequest> {
 public:
  ImportReactor(ProfileRepository* repository, absl::StatusOr<std::string> caller,
                v1::ImportProfilesResponse* response)
      : repository_(repository), response_(response) {
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    caller_ = *std::move(caller);
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The client closed its side (or the call ended): report what was committed.
      response_->set_upserted_count(upserted_);
      response_->set_batch_count(batches_);
      response_->set_index_version(repository_->index().version());
      Finish(grpc::Status::OK);
      return;
    }
    absl::Status status = WriteBatch();
    if (!status.ok()) {
      CIRCMATCH_LOG(kDebug) << "ImportProfiles failed after " << batches_ << " batches: " << status;
      // Batches count from 0, so N is also how many were committed before this one.
      Finish(ToGrpcStatus(absl::Status(
          status.code(), absl::StrCat("batch ", batches_, ": ", status.message(), " (", batches_,
                                      " earlier batches with ", upserted_, " profiles were committed)"))));
      return;
    }
    request_.Clear();
    StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  absl::Status WriteBatch() {
    absl::StatusOr<PreparedBatch> batch = repository_->Prepare(request_.profiles(), caller_);
    if (!batch.ok()) return batch.status();
    absl::StatusOr<uint64_t> version = repository_->Write(*batch);
    if (!version.ok()) return version.status();
    ++batches_;
    upserted_ += static_cast<int64_t>(batch->stored.size());
    return absl::OkStatus();
  }

  ProfileRepository* const repository_;
  v1::ImportProfilesResponse* const response_;
  v1::ImportProfilesRequest request_;
  std::string caller_;
  int64_t batches_ = 0;
  int64_t upserted_ = 0;
};

grpc::ServerReadReactor<v1::ImportProfilesRequest>* ProfileServiceImpl::ImportProfiles(
    grpc::CallbackServerContext* context, v1::ImportProfilesResponse* response) {
  return new ImportReactor(repository_, authenticator_->Authenticate(*context), response);
}

grpc::ServerUnaryReactor* ProfileServiceImpl::GetProfile(grpc::CallbackServerContext* context,
                                                         const v1::GetProfileRequest* request,
                                                         v1::GetProfileResponse* response) {
  absl::StatusOr<std::string> caller = authenticator_->Authenticate(*context);
  if (!caller.ok()) return FinishUnary(context, caller.status());
  absl::StatusOr<ProfileKey> key = CallerKeyFromRef(request->ref(), "ref", *caller);
  if (!key.ok()) return FinishUnary(context, key.status());
  absl::StatusOr<v1::Profile> profile = ReadProfileAs(repository_->store(), *key, "ref", *caller);
  if (!profile.ok()) return FinishUnary(context, profile.status());
  *response->mutable_profile() = *std::move(profile);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ProfileServiceImpl::ListProfiles(grpc::CallbackServerContext* context,
                                                           const v1::ListProfilesRequest* request,
                                                           v1::ListProfilesResponse* response) {
  absl::StatusOr<std::string> caller = authenticator_->Authenticate(*context);
  if (!caller.ok()) return FinishUnary(context, caller.status());
  ListQuery query;
  if (request->kind() != v1::PROFILE_KIND_UNSPECIFIED) {
    absl::StatusOr<ProfileKind> kind = KindFromProto(request->kind(), "kind");
    if (!kind.ok()) return FinishUnary(context, kind.status());
    query.kind = request->kind();
  }
  // A partner lists only its own profiles; others' shared ones it meets through matching.
  query.owner = request->owner().empty() ? *caller : request->owner();
  if (query.owner != *caller) {
    return FinishUnary(context, absl::PermissionDeniedError(absl::StrCat(
                                    "owner: partner \"", *caller, "\" may list only its own profiles, not those of \"",
                                    query.owner, "\"")));
  }
  if (request->page_size() < 0 || request->page_size() > kMaxPageSize) {
    return FinishUnary(context, absl::InvalidArgumentError(absl::StrCat(
                                    "page_size: must be 0 to ", kMaxPageSize, ", got ", request->page_size())));
  }
  query.limit = request->page_size() == 0 ? kDefaultPageSize : request->page_size();
  if (!request->page_token().empty()) {
    absl::StatusOr<ProfileKey> after = DecodeKeyToken(request->page_token());
    if (!after.ok()) return FinishUnary(context, after.status());
    query.after = *std::move(after);
  }
  absl::StatusOr<ListPage> page = repository_->store().List(query);
  if (!page.ok()) return FinishUnary(context, page.status());
  for (v1::Profile& profile : page->profiles) *response->add_profiles() = std::move(profile);
  if (page->more && response->profiles_size() > 0) {
    const v1::Profile& last = response->profiles(response->profiles_size() - 1);
    response->set_next_page_token(EncodeKeyToken(ProfileKey{last.owner(), last.id()}));
  }
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ProfileServiceImpl::DeleteProfile(grpc::CallbackServerContext* context,
                                                            const v1::DeleteProfileRequest* request,
                                                            v1::DeleteProfileResponse* response) {
  absl::StatusOr<std::string> caller = authenticator_->Authenticate(*context);
  if (!caller.ok()) return FinishUnary(context, caller.status());
  absl::StatusOr<ProfileKey> key = CallerKeyFromRef(request->ref(), "ref", *caller);
  if (!key.ok()) return FinishUnary(context, key.status());
  if (absl::Status owned = CheckOwnedBy(*key, "ref.owner", *caller); !owned.ok()) return FinishUnary(context, owned);
  absl::StatusOr<uint64_t> version = repository_->Delete(*key);
  if (!version.ok()) return FinishUnary(context, version.status());
  response->set_index_version(*version);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ProfileServiceImpl::EraseContact(grpc::CallbackServerContext* context,
                                                           const v1::EraseContactRequest* request,
                                                           v1::EraseContactResponse* response) {
  auto run = [&]() -> absl::Status {
    absl::StatusOr<std::string> caller = authenticator_->Authenticate(*context);
    if (!caller.ok()) return caller.status();
    const std::string email = absl::AsciiStrToLower(absl::StripAsciiWhitespace(request->email()));
    if (email.empty() || email.find('@') == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("email: must be an e-mail address, got \"", request->email(), "\""));
    }
    // Collect first, then delete: the store is not changed while it is paged through.
    std::vector<ProfileKey> matching;
    ListQuery query;
    query.owner = *caller;
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
    response->set_index_version(repository_->index().version());
    CIRCMATCH_LOG(kInfo) << "EraseContact by partner " << *caller << ": " << response->erased_size()
                         << " profiles erased";
    return absl::OkStatus();
  };
  return FinishUnary(context, run());
}

}  // namespace circmatch::service

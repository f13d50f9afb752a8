#include "service/api/rank_profile_service.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "service/api/grpc_status.h"
#include "service/api/rank_profiles.h"
#include "service/common/logging.h"
#include "service/convert/profile_conversion.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {

namespace {

// Fits a rank profile for `caller` as `request` asks, stores it as the next version of its name and answers it.
absl::Status Fit(ProfileRepository& repository, const std::string& caller, grpc::CallbackServerContext* context,
                 const v1::FitRankProfileRequest& request, v1::FitRankProfileResponse* response) {
  absl::StatusOr<v1::RankProfile> profile =
      service::FitRankProfile(repository, caller, request, [context] { return CheckCallAlive(context); });
  if (!profile.ok()) return profile.status();
  absl::StatusOr<int> version = repository.mutable_store().AddRankProfile(*profile);
  if (!version.ok()) return version.status();
  profile->set_version(*version);
  CIRCMATCH_LOG(kInfo) << "FitRankProfile by partner " << caller << ": " << profile->name() << "@" << *version << " on "
                       << profile->fit().queries() << " queries, cross-validated nDCG@10 "
                       << profile->fit().cross_validated_ndcg() << " (" << profile->fit().baseline() << ": "
                       << profile->fit().baseline_ndcg() << ")";
  *response->mutable_profile() = *std::move(profile);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* RankProfileServiceImpl::FitRankProfile(grpc::CallbackServerContext* context,
                                                                 const v1::FitRankProfileRequest* request,
                                                                 v1::FitRankProfileResponse* response) {
  return calls_.ServeLong(context, "FitRankProfile", request, response,
                          [this, context, request, response](const std::string& caller) {
                            return Fit(*repository_, caller, context, *request, response);
                          });
}

grpc::ServerUnaryReactor* RankProfileServiceImpl::ActivateRankProfile(grpc::CallbackServerContext* context,
                                                                      const v1::ActivateRankProfileRequest* request,
                                                                      v1::ActivateRankProfileResponse* response) {
  return calls_.Serve(context, "ActivateRankProfile", request, response, [&](const std::string& caller) {
    v1::MatchType type = request->match_type();
    if (request->name().empty()) {
      if (absl::Status s = MatchTypeFromProto(type, "match_type").status(); !s.ok()) return s;
    } else {
      if (absl::Status s = ValidateRankProfileName(request->name(), "name"); !s.ok()) return s;
      if (request->version() < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("version: required with a name, from 1, got ", request->version()));
      }
      // The version's own match type.
      absl::StatusOr<std::vector<v1::RankProfile>> profiles = repository_->store().ListRankProfiles(caller);
      if (!profiles.ok()) return profiles.status();
      auto it = std::find_if(profiles->begin(), profiles->end(), [&](const v1::RankProfile& p) {
        return p.name() == request->name() && p.version() == request->version();
      });
      if (it == profiles->end()) {
        return absl::NotFoundError(
            absl::StrCat("name: ", RankProfileNotFoundMessage(request->name(), request->version())));
      }
      type = it->match_type();
    }
    if (absl::Status s =
            repository_->mutable_store().ActivateRankProfile(caller, type, request->name(), request->version());
        !s.ok()) {
      return s;
    }
    absl::StatusOr<RankingChoice> active = ChooseRankProfile(repository_->store(), caller, type, "");
    if (!active.ok()) return active.status();
    response->set_active(active->label);
    CIRCMATCH_LOG(kInfo) << "ActivateRankProfile by partner " << caller << ": " << v1::MatchType_Name(type)
                         << " ranked by " << active->label;
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RankProfileServiceImpl::ListRankProfiles(grpc::CallbackServerContext* context,
                                                                   const v1::ListRankProfilesRequest* request,
                                                                   v1::ListRankProfilesResponse* response) {
  return calls_.Serve(context, "ListRankProfiles", request, response, [&](const std::string& caller) -> absl::Status {
    absl::StatusOr<std::vector<v1::RankProfile>> profiles = repository_->store().ListRankProfiles(caller);
    if (!profiles.ok()) return profiles.status();
    for (v1::RankProfile& profile : *profiles) {
      if (request->name().empty() || profile.name() == request->name()) *response->add_profiles() = std::move(profile);
    }
    return absl::OkStatus();
  });
}

}  // namespace circmatch::service

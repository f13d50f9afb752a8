#include "service/api/insights_service.h"

#include <array>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "circmatch/scorer.h"
#include "service/api/gap_report.h"
#include "service/api/grpc_status.h"
#include "service/convert/profile_conversion.h"
#include "service/store/access.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {
namespace {

constexpr int kSizeClasses = v1::OrganizationSize_ARRAYSIZE;
// Profiles read per store call when looking up the shown candidates' size classes.
constexpr size_t kReadBatch = 1000;

absl::StatusOr<absl::Time> TimeOf(const google::protobuf::Timestamp& t, absl::string_view field) {
  absl::StatusOr<int64_t> seconds = SecondsFromTimestamp(t, field);
  if (!seconds.ok()) return seconds.status();
  return absl::FromUnixSeconds(*seconds) + absl::Nanoseconds(t.nanos());
}

// A report made into *response, or why it could not be made.
template <typename Report>
absl::Status Answer(absl::StatusOr<Report> made, Report* response) {
  if (!made.ok()) return made.status();
  *response = *std::move(made);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::ExposureReportResponse> ExposureReportFor(const ProfileRepository& repository,
                                                             const std::string& caller,
                                                             const v1::ExposureReportRequest& request, absl::Time now) {
  const v1::MatchType type =
      request.match_type() == v1::MATCH_TYPE_UNSPECIFIED ? v1::MATCH_TYPE_SUPPLIERS_FOR_TENDER : request.match_type();
  absl::StatusOr<MatchType> engine_type = MatchTypeFromProto(type, "match_type");
  if (!engine_type.ok()) return engine_type.status();
  absl::Time start = absl::InfinitePast(), end = now;
  if (request.has_start_time()) {
    absl::StatusOr<absl::Time> t = TimeOf(request.start_time(), "start_time");
    if (!t.ok()) return t.status();
    start = *t;
  }
  if (request.has_end_time()) {
    absl::StatusOr<absl::Time> t = TimeOf(request.end_time(), "end_time");
    if (!t.ok()) return t.status();
    end = *t;
  }
  if (end < start) return absl::InvalidArgumentError("end_time: must not be before start_time");

  // The caller's SHOWN events of the period, with their rank weights.
  std::vector<std::pair<ProfileKey, double>> shown;
  FeedbackQuery query;
  query.owner = caller;
  query.limit = 1000;
  while (true) {
    absl::StatusOr<FeedbackPage> page = repository.store().ListFeedback(query);
    if (!page.ok()) return page.status();
    for (const v1::FeedbackEvent& event : page->events) {
      query.after_id = event.id();
      if (event.action() != v1::FEEDBACK_ACTION_SHOWN || event.match_type() != type) continue;
      const absl::Time time = absl::FromUnixSeconds(event.time().seconds()) + absl::Nanoseconds(event.time().nanos());
      if (time < start || time >= end) continue;
      const double weight = event.rank() > 0 ? 1 / std::log2(event.rank() + 1.0) : 1;
      shown.emplace_back(ProfileKey{event.candidate().owner(), event.candidate().id()}, weight);
    }
    if (!page->more) break;
  }

  std::array<int64_t, kSizeClasses> appearances{}, eligible{};
  std::array<double, kSizeClasses> exposure{};
  for (size_t from = 0; from < shown.size(); from += kReadBatch) {
    std::vector<ProfileKey> keys;
    for (size_t i = from; i < std::min(shown.size(), from + kReadBatch); ++i) keys.push_back(shown[i].first);
    absl::StatusOr<std::vector<std::optional<v1::Profile>>> profiles = repository.store().GetMany(keys);
    if (!profiles.ok()) return profiles.status();
    for (size_t i = 0; i < keys.size(); ++i) {
      const std::optional<v1::Profile>& profile = (*profiles)[i];
      // One made private since it was shown counts no more: its class is another partner's to know.
      if (!profile.has_value() || !VisibleTo(*profile, caller)) continue;
      const int size = profile->organization_size();
      ++appearances[size];
      exposure[size] += shown[from + i].second;
    }
  }
  const v1::ProfileKind kind = KindToProto(CandidateKind(*engine_type));
  absl::Status scanned = repository.store().ForEach([&](const v1::Profile& profile) {
    if (profile.kind() == kind && VisibleTo(profile, caller)) ++eligible[profile.organization_size()];
    return absl::OkStatus();
  });
  if (!scanned.ok()) return scanned;

  v1::ExposureReportResponse report;
  double total_exposure = 0;
  int64_t total_eligible = 0, events = 0;
  for (int size = 0; size < kSizeClasses; ++size) {
    total_exposure += exposure[size];
    total_eligible += eligible[size];
    events += appearances[size];
  }
  for (int size = 0; size < kSizeClasses; ++size) {
    v1::SizeClassExposure* row = report.add_classes();
    row->set_size(static_cast<v1::OrganizationSize>(size));
    row->set_appearances(appearances[size]);
    row->set_exposure(exposure[size]);
    row->set_exposure_share(total_exposure > 0 ? exposure[size] / total_exposure : 0);
    row->set_eligible(eligible[size]);
    row->set_eligible_share(total_eligible > 0 ? static_cast<double>(eligible[size]) / total_eligible : 0);
    if (IsSme(static_cast<OrganizationSize>(size))) {
      report.set_sme_exposure_share(report.sme_exposure_share() + row->exposure_share());
      report.set_sme_eligible_share(report.sme_eligible_share() + row->eligible_share());
    }
  }
  report.set_shown_events(events);
  return report;
}

grpc::ServerUnaryReactor* InsightsServiceImpl::ExposureReport(grpc::CallbackServerContext* context,
                                                              const v1::ExposureReportRequest* request,
                                                              v1::ExposureReportResponse* response) {
  return calls_.ServeLong(context, "ExposureReport", request, response,
                          [this, request, response](const std::string& caller) {
                            return Answer(ExposureReportFor(*repository_, caller, *request, absl::Now()), response);
                          });
}

grpc::ServerUnaryReactor* InsightsServiceImpl::GapReport(grpc::CallbackServerContext* context,
                                                         const v1::GapReportRequest* request,
                                                         v1::GapReportResponse* response) {
  return calls_.ServeLong(
      context, "GapReport", request, response, [this, context, request, response](const std::string& caller) {
        return Answer(
            GapReportFor(*repository_, caller, *request, absl::Now(), [context] { return CheckCallAlive(context); }),
            response);
      });
}

}  // namespace circmatch::service

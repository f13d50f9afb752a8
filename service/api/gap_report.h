// InsightsService.GapReport (insights_service.proto): where circular supply is missing, per CPV sector and per
// municipality of a region. Each tender of the region and period is ranked as SuggestSuppliers ranks it (the
// engine's Index::FindMatches with the caller's rank profile, its hard filters and `min_score`), and the
// suppliers that pass are counted; nothing here scores or measures distances itself.
//
// Thread-safety: pure functions over the thread-safe repository.
#ifndef CIRCMATCH_SERVICE_API_GAP_REPORT_H_
#define CIRCMATCH_SERVICE_API_GAP_REPORT_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "circmatch/v1/insights_service.pb.h"
#include "service/store/profile_repository.h"

namespace circmatch::service {

// The defaults of the request's unset fields, and the most tenders one report ranks (bounded work per call).
inline constexpr double kDefaultGapMinScore = 0.2;
inline constexpr int kDefaultGapMinSuppliers = 3;
inline constexpr int kMaxGapReportTenders = 10000;

// The report of `request` for partner `caller`, from the tenders and suppliers it may see (its own and shared
// ones). `now` decides which tenders are open; `interrupt` is asked before each tender and inside each ranking: a
// status other than OK stops the report with it. INVALID_ARGUMENT naming the field for a bad request (an unknown
// province, COROP region or municipality, a bad cpv_level or format, min_score outside [0, 1], min_suppliers
// outside 0..1000, end_time before start_time) or for more than kMaxGapReportTenders tenders.
absl::StatusOr<v1::GapReportResponse> GapReportFor(const ProfileRepository& repository, const std::string& caller,
                                                   const v1::GapReportRequest& request, absl::Time now,
                                                   const std::function<absl::Status()>& interrupt);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_GAP_REPORT_H_

#include "service/convert/match_query.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

// The one place that reads the deprecated fields.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace circmatch::service {
namespace {

// The four requests share the deprecated fields' names and numbers.
template <typename Request>
absl::StatusOr<RequestedMatchQuery> Read(const Request& request) {
  std::vector<const char*> deprecated;
  if (request.k() != 0) deprecated.push_back("k");
  if (request.has_weights()) deprecated.push_back("weights");
  if (request.has_filter()) deprecated.push_back("filter");
  if (!request.rank_profile().empty()) deprecated.push_back("rank_profile");
  if (request.has_diversity()) deprecated.push_back("diversity");
  if (deprecated.empty()) return RequestedMatchQuery{request.query(), "query."};
  if (request.has_query()) {
    return absl::InvalidArgumentError(absl::StrCat("query: set together with the deprecated ",
                                                   absl::StrJoin(deprecated, ", "), "; set them in query"));
  }
  RequestedMatchQuery read;
  read.query.set_k(request.k());
  if (request.has_weights()) *read.query.mutable_weights() = request.weights();
  if (request.has_filter()) *read.query.mutable_filter() = request.filter();
  read.query.set_rank_profile(request.rank_profile());
  if (request.has_diversity()) *read.query.mutable_diversity() = request.diversity();
  return read;
}

// Replaces the request's deprecated fields with the query they make.
template <typename Request>
absl::Status MoveInto(Request* request) {
  absl::StatusOr<RequestedMatchQuery> read = Read(*request);
  if (!read.ok()) return read.status();
  *request->mutable_query() = std::move(read->query);
  request->clear_k();
  request->clear_weights();
  request->clear_filter();
  request->clear_rank_profile();
  request->clear_diversity();
  return absl::OkStatus();
}

}  // namespace

absl::Status MoveDeprecatedIntoQuery(google::protobuf::Message* request) {
  if (auto* r = dynamic_cast<v1::SuggestSuppliersRequest*>(request)) return MoveInto(r);
  if (auto* r = dynamic_cast<v1::SuggestTendersRequest*>(request)) return MoveInto(r);
  if (auto* r = dynamic_cast<v1::FindBuddiesRequest*>(request)) return MoveInto(r);
  if (auto* r = dynamic_cast<v1::FindSimilarBuyersRequest*>(request)) return MoveInto(r);
  return absl::InvalidArgumentError(
      absl::StrCat("method: ", request->GetDescriptor()->full_name(), " is not a ranked matching request"));
}

absl::StatusOr<RequestedMatchQuery> MatchQueryOf(const v1::SuggestSuppliersRequest& request) { return Read(request); }
absl::StatusOr<RequestedMatchQuery> MatchQueryOf(const v1::SuggestTendersRequest& request) { return Read(request); }
absl::StatusOr<RequestedMatchQuery> MatchQueryOf(const v1::FindBuddiesRequest& request) { return Read(request); }
absl::StatusOr<RequestedMatchQuery> MatchQueryOf(const v1::FindSimilarBuyersRequest& request) { return Read(request); }

}  // namespace circmatch::service

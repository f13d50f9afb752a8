// The MatchQuery of a ranked request (SuggestSuppliers, SuggestTenders, FindBuddies, FindSimilarBuyers), read
// once: from its `query`, or from the deprecated fields 3 to 7 that clients built on v1.0 set instead.
//
// Thread-safety: pure functions.
#ifndef CIRCMATCH_SERVICE_CONVERT_MATCH_QUERY_H_
#define CIRCMATCH_SERVICE_CONVERT_MATCH_QUERY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "circmatch/v1/matching_service.pb.h"

namespace circmatch::service {

struct RequestedMatchQuery {
  v1::MatchQuery query;
  // What the request's own field names are for `query`'s fields, in front of them in errors: "query." ("query.k:
  // must be 1 to 1000"), or "" when the request set the deprecated fields ("k: must be ...").
  std::string field_prefix;
};

// INVALID_ARGUMENT `query: ...` when the request sets `query` and a deprecated field too.
absl::StatusOr<RequestedMatchQuery> MatchQueryOf(const v1::SuggestSuppliersRequest& request);
absl::StatusOr<RequestedMatchQuery> MatchQueryOf(const v1::SuggestTendersRequest& request);
absl::StatusOr<RequestedMatchQuery> MatchQueryOf(const v1::FindBuddiesRequest& request);
absl::StatusOr<RequestedMatchQuery> MatchQueryOf(const v1::FindSimilarBuyersRequest& request);

// Moves the deprecated fields of one of the four requests, held as a Message, into its `query` (what MatchQueryOf
// reads), for code that handles the requests by reflection (eval's judged requests). MatchQueryOf's
// INVALID_ARGUMENT, or `method: ...` for a message of another type.
absl::Status MoveDeprecatedIntoQuery(google::protobuf::Message* request);

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_CONVERT_MATCH_QUERY_H_

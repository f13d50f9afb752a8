#include "relevance/judged_set.h"

#include <google/protobuf/util/json_util.h>

#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "eval/rank_eval.h"
#include "service/convert/profile_conversion.h"

namespace circmatch::bench {

absl::StatusOr<JudgedSet> LoadJudgedSet(const Vocabulary& vocabulary, const std::string& profiles_path,
                                        const std::string& judgments_path, const std::string& split) {
  JudgedSet set;
  const service::ConversionContext context{&vocabulary, 0};
  std::ifstream in(profiles_path);
  if (!in) return absl::NotFoundError(absl::StrCat(profiles_path, ": cannot be read"));
  absl::flat_hash_map<std::string, int> by_id;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    v1::Profile proto;
    if (!google::protobuf::util::JsonStringToMessage(line, &proto).ok()) {
      return absl::InvalidArgumentError(absl::StrCat(profiles_path, ":", number, ": not a profile"));
    }
    absl::StatusOr<Profile> profile = service::ProfileFromProto(proto, context);
    if (!profile.ok())
      return absl::InvalidArgumentError(absl::StrCat(profiles_path, ":", number, ": ", profile.status().message()));
    by_id[profile->key.id] = static_cast<int>(set.profiles.size());
    set.profiles.push_back(*std::move(profile));
  }
  absl::StatusOr<std::vector<v1::JudgedQuery>> queries = eval::ReadJudgments(judgments_path, split);
  if (!queries.ok()) return queries.status();
  for (v1::JudgedQuery& judged : *queries) {
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> parsed = eval::ParseJudgedRequest(judged);
    const auto* request = parsed.ok() ? dynamic_cast<const v1::SuggestSuppliersRequest*>(parsed->get()) : nullptr;
    if (request == nullptr || !by_id.contains(request->tender_ref().id())) {
      return absl::InvalidArgumentError(
          absl::StrCat(judged.query(), ": only SuggestSuppliers requests for a stored tender are ranked here"));
    }
    absl::StatusOr<MatchParams> params = service::MatchParamsFromProto(
        MatchType::kSuppliersForTender, 10, request->query().weights(), request->query().filter());
    if (!params.ok()) return absl::InvalidArgumentError(absl::StrCat(judged.query(), ": ", params.status().message()));
    const Profile& tender = set.profiles[by_id[request->tender_ref().id()]];
    set.queries.push_back(JudgedQuery{std::move(judged), tender, *std::move(params)});
  }
  return set;
}

}  // namespace circmatch::bench

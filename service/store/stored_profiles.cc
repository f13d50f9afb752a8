#include "service/store/stored_profiles.h"

#include <utility>

#include "circmatch/explainer.h"
#include "service/store/access.h"

namespace circmatch::service {

absl::StatusOr<std::vector<std::optional<Profile>>> StoredProfiles::GetMany(absl::Span<const ProfileKey> keys) {
  std::vector<std::optional<Profile>> profiles(keys.size());
  std::vector<ProfileKey> to_read;
  std::vector<size_t> read_at;  // where each of to_read goes in `profiles`
  for (size_t i = 0; i < keys.size(); ++i) {
    if (auto it = held_.find(keys[i]); it != held_.end()) {
      profiles[i] = it->second;
    } else {
      to_read.push_back(keys[i]);
      read_at.push_back(i);
    }
  }
  if (to_read.empty()) return profiles;
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> stored = repository_.store().GetMany(to_read);
  if (!stored.ok()) return stored.status();
  for (size_t j = 0; j < to_read.size(); ++j) {
    std::optional<v1::Profile>& proto = (*stored)[j];
    if (!proto.has_value() || !VisibleTo(*proto, viewer_)) continue;
    profiles[read_at[j]] = repository_.FromStored(*proto);
    if (!profiles[read_at[j]].has_value()) continue;
    if (hold_read_) {
      held_.insert_or_assign(to_read[j], *profiles[read_at[j]]);
    } else {
      stored_.insert_or_assign(to_read[j], *std::move(proto));
    }
  }
  return profiles;
}

absl::Status StoredProfiles::ExplainMatches(const Profile& query, const MatchParams& params, MatchResult* result) {
  std::vector<ProfileKey> keys;
  for (const Match& match : result->matches) keys.push_back(match.key);
  absl::StatusOr<std::vector<std::optional<Profile>>> profiles = GetMany(keys);
  if (!profiles.ok()) return profiles.status();
  const QueryExplainer explainer(repository_.index().vectorizer(), query, params, result->resolved);
  std::vector<Match> explained;
  for (size_t i = 0; i < result->matches.size(); ++i) {
    if (!(*profiles)[i].has_value()) continue;
    result->matches[i].explanation = explainer.Explain(*(*profiles)[i], result->matches[i].scored);
    explained.push_back(std::move(result->matches[i]));
  }
  result->matches = std::move(explained);
  return absl::OkStatus();
}

absl::StatusOr<Profile> StoredProfiles::GetCandidate(const ProfileKey& key) {
  const auto not_found = [&] { return absl::NotFoundError(ProfileNotFoundMessage(key)); };
  if (!held_.contains(key) && !repository_.index().VisibleTo(key, viewer_)) return not_found();
  absl::StatusOr<std::vector<std::optional<Profile>>> read = GetMany({key});
  if (!read.ok()) return read.status();
  if (!(*read)[0].has_value()) return not_found();
  return *std::move((*read)[0]);
}

std::optional<v1::Profile> StoredProfiles::TakeStored(const ProfileKey& key) {
  auto it = stored_.find(key);
  if (it == stored_.end()) return std::nullopt;
  std::optional<v1::Profile> proto = std::move(it->second);
  stored_.erase(it);
  return proto;
}

}  // namespace circmatch::service

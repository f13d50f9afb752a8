#include "service/store/store_profile_source.h"

#include <utility>

#include "service/store/access.h"

namespace circmatch::service {

absl::StatusOr<std::vector<std::optional<Profile>>> StoreProfileSource::GetMany(
    absl::Span<const ProfileKey> keys) const {
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

std::optional<v1::Profile> StoreProfileSource::TakeStored(const ProfileKey& key) {
  auto it = stored_.find(key);
  if (it == stored_.end()) return std::nullopt;
  std::optional<v1::Profile> proto = std::move(it->second);
  stored_.erase(it);
  return proto;
}

}  // namespace circmatch::service

#include "circmatch/diversity.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"

namespace circmatch {

std::vector<DiversePick> Diversify(absl::Span<const DiversityCandidate> candidates, int k,
                                   const DiversityOptions& options) {
  const int n = static_cast<int>(candidates.size());
  k = std::min(k, n);
  int smes_available = 0;
  for (const DiversityCandidate& c : candidates) smes_available += c.sme ? 1 : 0;
  const int smes_required =
      std::min(smes_available, static_cast<int>(std::ceil(options.min_sme_share * static_cast<double>(k) - 1e-9)));

  std::vector<DiversePick> picks;
  std::vector<bool> picked(n, false);
  absl::flat_hash_map<std::string, int> per_organization, per_group;
  int smes = 0;
  while (static_cast<int>(picks.size()) < k) {
    const int slots_left = k - static_cast<int>(picks.size());
    const bool only_smes = smes_required - smes >= slots_left;
    int best = -1;
    double best_value = 0;
    for (int pass = 0; pass < 2 && best < 0; ++pass) {
      // The second pass drops the SME condition: the cap may leave no SME to take.
      const bool sme_condition = only_smes && pass == 0;
      for (int i = 0; i < n; ++i) {
        const DiversityCandidate& c = candidates[i];
        if (picked[i] || (sme_condition && !c.sme)) continue;
        if (options.max_per_organization > 0 && !c.organization.empty()) {
          auto it = per_organization.find(c.organization);
          if (it != per_organization.end() && it->second >= options.max_per_organization) continue;
        }
        double crowding = 0;
        if (!picks.empty() && !c.group.empty()) {
          auto it = per_group.find(c.group);
          crowding = it == per_group.end() ? 0 : static_cast<double>(it->second) / static_cast<double>(picks.size());
        }
        const double value = (1 - options.spread) * c.score - options.spread * crowding;
        if (best < 0 || value > best_value) {
          best = i;
          best_value = value;
        }
      }
      if (best >= 0) {
        picks.push_back(DiversePick{best, sme_condition});
      }
    }
    if (best < 0) break;  // the cap excludes every candidate left
    picked[best] = true;
    const DiversityCandidate& c = candidates[best];
    if (!c.organization.empty()) ++per_organization[c.organization];
    if (!c.group.empty()) ++per_group[c.group];
    smes += c.sme ? 1 : 0;
  }
  return picks;
}

}  // namespace circmatch

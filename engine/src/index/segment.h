// The storage of one profile kind inside the Index: per facet one matrix with a row per stored profile, rows
// L2-normalized (see vectorizer.h), plus flat per-row columns for the hard filters, so scoring a query is a few
// matrix-vector products and a filter pass without touching per-row heap objects.
//
//   sparse[f]      CSR matrix (cpv, strategies, materials, certifications, phases, topics, text)
//   postings[f]    its transpose: per column the rows holding it, their values and the largest of these
//   text_norms     per row, the length of its text's tf * idf before it was normalized: with the IDF the rows are
//                  weighted with, it gives back how often each term occurs (Vectorizer::CountOfWeighted; counts
//                  from kExactCountsBelow on are kept exactly in large_text_counts), to weight them again when
//                  the IDF changes, without a count per nonzero
//   location_xyz   rows x 3 doubles, row-major (unit vectors; zeros when the profile has no point)
//   embedding      rows of d floats, in blocks (zeros when the profile has none)
//   per-row filter columns: alive, owner id, shared, organization id, open window, held certificates (sorted
//                  ids the Index interns, listed and free alike, ladder levels implied), reach, radius
//   packed         the rest of each row's normalized Profile but its embedding and owner (packed_profile.h),
//                  its bytes in `packed_bytes`, for explanations and Get (see StoredProfile), and its id first, so
//                  that with owner_id it is the row's key (to find rows and break ties); only the id when the
//                  segment keeps no profiles; emptied when tombstoned (the bytes stay until Compacted)
//
// Rows are append-only: an update appends a row and tombstones the old one; Compact() drops tombstoned rows.
// Doubles for the location because the angle between two nearby points is recovered from their dot product
// (acos near 1): in float that would be off by kilometres, in double by centimetres.
//
// Thread-safety: none; the Index guards it with its mutex.
#ifndef CIRCMATCH_ENGINE_INDEX_SEGMENT_H_
#define CIRCMATCH_ENGINE_INDEX_SEGMENT_H_

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "circmatch/index.h"
#include "circmatch/match_params.h"
#include "circmatch/profile.h"
#include "circmatch/scorer.h"
#include "circmatch/vectorizer.h"
#include "index/byte_arena.h"
#include "index/csr_matrix.h"
#include "index/packed_profile.h"
#include "index/posting_lists.h"
#include "index/row_blocks.h"

namespace circmatch {
namespace internal {

// Bytes allocated for a vector's elements.
template <typename T>
int64_t VectorBytes(const std::vector<T>& v) {
  return static_cast<int64_t>(v.capacity() * sizeof(T));
}
// Bytes a string holds outside its object (none when short enough to be kept inside).
inline int64_t StringHeapBytes(const std::string& s) {
  return s.capacity() > std::string().capacity() ? static_cast<int64_t>(s.capacity() + 1) : 0;
}

// True for the facets kept in CSR matrices.
inline bool IsSparseFacet(Facet facet) { return facet != Facet::kLocation && facet != Facet::kEmbedding; }

// Everything about one row except the profile itself, computed before it is appended.
struct RowData {
  std::array<SparseVector, kFacetCount> sparse;  // text: IDF-weighted and normalized
  TermCounts text_counts;
  float text_norm = 0;  // the text's length before it was normalized
  std::optional<Eigen::Vector3d> location;
  Eigen::VectorXf embedding;  // normalized; empty when none
  int32_t owner_id = -1;
  bool shared = false;
  int32_t organization_id = -1;  // -1: no organization
  int64_t opens_at = std::numeric_limits<int64_t>::min();
  int64_t closes_at = std::numeric_limits<int64_t>::max();
  std::vector<std::string> certifications;  // held incl. implied levels, canonical (Vocabulary::HeldCertifications)
  std::vector<int32_t> certification_ids;   // the same interned by the Index, sorted (set under its lock)
  double radius_km = 0;
  bool intermediary = false;  // FacetValues::intermediary of the ranked side
};

// The smallest cosine between a row's point and another that is still within `radius_km` of it, a hair lower
// than any rounding of the distance computed from it; -2 (every point) without a stated radius.
inline double ReachCosine(double radius_km) {
  const double angle = radius_km / kEarthRadiusKm;
  return radius_km > 0 && angle < 3.14159265358979323846 ? std::cos(angle) - 1e-9 : -2.0;
}

struct Segment {
  Segment(const Vectorizer& vectorizer, bool keep_profiles)
      : embedding_dimension(vectorizer.Dimension(Facet::kEmbedding)),
        keep_profiles(keep_profiles),
        embedding(embedding_dimension) {
    for (int f = 0; f < kFacetCount; ++f) {
      sparse[f] = CsrMatrix(IsSparseFacet(static_cast<Facet>(f)) ? vectorizer.Dimension(static_cast<Facet>(f)) : 0);
    }
  }

  int rows() const { return static_cast<int>(alive.size()); }
  int live_rows() const { return rows() - dead_rows; }

  // Appends a row; returns its number.
  int Append(const Profile& profile, const RowData& row) {
    for (int f = 0; f < kFacetCount; ++f) {
      if (IsSparseFacet(static_cast<Facet>(f))) {
        sparse[f].AppendRow(row.sparse[f]);
        postings[f].AppendRow(rows(), Indices(row.sparse[f]), Values(row.sparse[f]));
      }
    }
    AppendTextNorm(row.text_norm, row.text_counts.counts);
    const Eigen::Vector3d xyz = row.location.value_or(Eigen::Vector3d::Zero());
    location_xyz.insert(location_xyz.end(), xyz.data(), xyz.data() + 3);
    has_location.push_back(row.location.has_value());
    if (row.embedding.size() == embedding_dimension) {
      embedding.Append(row.embedding.data());
    } else {
      embedding.AppendZeros();
    }
    alive.push_back(1);
    owner_id.push_back(row.owner_id);
    shared.push_back(row.shared);
    organization_id.push_back(row.organization_id);
    AppendWindow(row.opens_at, row.closes_at);
    AppendCertifications(row.certification_ids);
    radius_km.push_back(row.radius_km);
    reach_cosine.push_back(ReachCosine(row.radius_km));
    intermediary.push_back(row.intermediary);
    packed.push_back(packed_bytes.Append(keep_profiles ? PackProfile(profile) : PackId(profile.key.id)));
    return rows() - 1;
  }

  // The id of row r's profile; empty once tombstoned.
  absl::string_view Id(int r) const { return PackedProfileId(packed[r]); }

  // The profile of row r, whose owner is `owner`, with its embedding as indexed (unit length), or none when that
  // row is all zeros. Only when the segment keeps profiles.
  Profile StoredProfile(int r, absl::string_view owner) const {
    Profile profile = UnpackProfile(owner, packed[r]);
    const float* row = embedding.Row(r);
    if (std::any_of(row, row + embedding_dimension, [](float v) { return v != 0.0f; })) {
      profile.embedding.assign(row, row + embedding_dimension);
    }
    return profile;
  }

  // Marks a row deleted and releases its profile.
  void Tombstone(int row) {
    alive[row] = 0;
    packed[row] = {};
    ++dead_rows;
  }

  // Adds the bytes allocated for the segment to `memory`.
  void AddMemory(IndexMemory* memory) const {
    for (int f = 0; f < kFacetCount; ++f) {
      memory->matrices += sparse[f].bytes();
      memory->posting_lists += postings[f].bytes();
      memory->dense_values += postings[f].dense_bytes();
    }
    memory->text_norms += VectorBytes(text_norms) + static_cast<int64_t>(large_text_counts.capacity() *
                                                                         (sizeof(std::pair<int64_t, int32_t>) + 1));
    memory->embeddings += embedding.bytes();
    memory->filter_columns += VectorBytes(location_xyz) + VectorBytes(has_location) + VectorBytes(alive) +
                              VectorBytes(owner_id) + VectorBytes(shared) + VectorBytes(organization_id) +
                              VectorBytes(windows) + VectorBytes(certification_ends) + VectorBytes(certification_ids) +
                              VectorBytes(radius_km) + VectorBytes(reach_cosine) + VectorBytes(intermediary);
    memory->profiles += packed_bytes.bytes() + VectorBytes(packed);
  }

  // True when tombstones make up more than a quarter of the rows.
  bool NeedsCompaction() const { return dead_rows > 0 && dead_rows * 4 > rows(); }

  // A copy without the tombstoned rows, in the same order; `idf` is the one the rows are weighted with.
  Segment Compacted(const TextIdf& idf) const {
    Segment out = EmptyLike();
    std::vector<int32_t> counts;
    for (int r = 0; r < rows(); ++r) {
      if (!alive[r]) continue;
      for (int f = 0; f < kFacetCount; ++f) {
        if (!IsSparseFacet(static_cast<Facet>(f))) continue;
        out.sparse[f].AppendRowFrom(sparse[f], r);
        out.postings[f].AppendRow(out.rows(), sparse[f].RowIndices(r), sparse[f].RowValues(r));
      }
      TextCounts(r, idf, &counts);
      out.AppendTextNorm(text_norms[r], counts);
      out.location_xyz.insert(out.location_xyz.end(), location_xyz.begin() + 3 * r, location_xyz.begin() + 3 * r + 3);
      out.has_location.push_back(has_location[r]);
      out.embedding.Append(embedding.Row(r));
      out.alive.push_back(1);
      out.owner_id.push_back(owner_id[r]);
      out.shared.push_back(shared[r]);
      out.organization_id.push_back(organization_id[r]);
      out.AppendWindow(OpensAt(r), ClosesAt(r));
      out.AppendCertifications(Certifications(r));
      out.radius_km.push_back(radius_km[r]);
      out.reach_cosine.push_back(reach_cosine[r]);
      out.intermediary.push_back(intermediary[r]);
      out.packed.push_back(out.packed_bytes.Append(packed[r]));
    }
    return out;
  }

  // How often the terms of row r's text occur, in the order of sparse[text].RowIndices(r), into `counts`;
  // `idf` is the one the rows are weighted with.
  void TextCounts(int r, const TextIdf& idf, std::vector<int32_t>* counts) const {
    const CsrMatrix& text = sparse[static_cast<int>(Facet::kText)];
    const absl::Span<const int> indices = text.RowIndices(r);
    const absl::Span<const float> values = text.RowValues(r);
    counts->resize(indices.size());
    for (size_t i = 0; i < indices.size(); ++i) {
      int32_t count = Vectorizer::CountOfWeighted(values[i], text_norms[r], idf.idf(indices[i]));
      if (count >= Vectorizer::kExactCountsBelow / 2) {
        // Near or past where the inverse stops being exact; every count from kExactCountsBelow on is kept.
        const auto large = large_text_counts.find(text.RowOffset(r) + static_cast<int64_t>(i));
        if (large != large_text_counts.end()) count = large->second;
      }
      (*counts)[i] = count;
    }
  }

  // Weights the text rows again with a new IDF, in place (same pattern); `old_idf` is the one they have.
  void ReweightText(const TextIdf& old_idf, const TextIdf& idf) {
    CsrMatrix& text = sparse[static_cast<int>(Facet::kText)];
    std::vector<int32_t> counts;
    std::vector<float> tf;
    for (int r = 0; r < rows(); ++r) {
      TextCounts(r, old_idf, &counts);
      tf.resize(counts.size());
      for (size_t i = 0; i < counts.size(); ++i) tf[i] = Vectorizer::SublinearTf(counts[i]);
      text.TransformRow(r, [&](const int* indices, float* values, int count) {
        text_norms[r] =
            Vectorizer::WeightTextInto(absl::MakeConstSpan(indices, count), tf, idf, absl::MakeSpan(values, count));
      });
    }
    postings[static_cast<int>(Facet::kText)].RefreshValues(text);
  }

  // The cosine of the angle between row `r`'s point (zeros without one) and the unit vector `point`; every
  // distance to a row is computed from it, so a filter and a score agree to the last bit.
  double LocationCosine(int r, const Eigen::Vector3d& point) const {
    return PointCosine(location_xyz.data() + 3 * static_cast<size_t>(r), point.data());
  }
  // When row r opens and closes (tenders; other rows are open always).
  int64_t OpensAt(int r) const { return windows.empty() ? kAlways.first : windows[r].first; }
  int64_t ClosesAt(int r) const { return windows.empty() ? kAlways.second : windows[r].second; }

  // The interned ids of the certificates row r holds, sorted.
  absl::Span<const int32_t> Certifications(int r) const {
    const uint32_t begin = r == 0 ? 0 : certification_ends[r - 1];
    return absl::MakeConstSpan(certification_ids.data() + begin, certification_ends[r] - begin);
  }
  // True when row `r` holds every certificate of `required` (sorted interned ids).
  bool HoldsAll(int r, absl::Span<const int32_t> required) const {
    const absl::Span<const int32_t> held = Certifications(r);
    return std::includes(held.begin(), held.end(), required.begin(), required.end());
  }

  int embedding_dimension;
  bool keep_profiles;
  std::array<CsrMatrix, kFacetCount> sparse;
  std::array<PostingLists, kFacetCount> postings;
  std::vector<float> text_norms;
  // By nonzero of sparse[text], its count where it is kExactCountsBelow or more.
  absl::flat_hash_map<int64_t, int32_t> large_text_counts;
  std::vector<double> location_xyz;
  std::vector<uint8_t> has_location;
  RowBlocks<float> embedding;
  std::vector<uint8_t> alive;
  std::vector<int32_t> owner_id;
  std::vector<uint8_t> shared;
  std::vector<int32_t> organization_id;
  std::vector<std::pair<int64_t, int64_t>> windows;  // [opens, closes); empty while no row has a bound
  std::vector<uint32_t> certification_ends;          // per row, where its ids in certification_ids end
  std::vector<int32_t> certification_ids;
  std::vector<double> radius_km;
  std::vector<double> reach_cosine;   // ReachCosine of radius_km, so a reach filter needs no cosine per row
  std::vector<uint8_t> intermediary;  // FacetValues::intermediary of the ranked side, for RoleFactor
  ByteArena packed_bytes;
  std::vector<absl::string_view> packed;
  int dead_rows = 0;

 private:
  static constexpr std::pair<int64_t, int64_t> kAlways{std::numeric_limits<int64_t>::min(),
                                                       std::numeric_limits<int64_t>::max()};

  // Appends the window of the row being appended; the rows before the first bounded one are open always.
  void AppendWindow(int64_t opens, int64_t closes) {
    if (windows.empty()) {
      if (std::make_pair(opens, closes) == kAlways) return;
      windows.assign(static_cast<size_t>(rows()) - 1, kAlways);  // alive already holds the new row
    }
    windows.emplace_back(opens, closes);
  }

  void AppendCertifications(absl::Span<const int32_t> ids) {
    certification_ids.insert(certification_ids.end(), ids.begin(), ids.end());
    certification_ends.push_back(static_cast<uint32_t>(certification_ids.size()));
  }

  // After the row's text was appended to sparse[text].
  void AppendTextNorm(float norm, absl::Span<const int32_t> counts) {
    text_norms.push_back(norm);
    const CsrMatrix& text = sparse[static_cast<int>(Facet::kText)];
    const int64_t begin = text.RowOffset(text.rows() - 1);
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] >= Vectorizer::kExactCountsBelow) large_text_counts[begin + static_cast<int64_t>(i)] = counts[i];
    }
  }

  // A segment with the same column counts and no rows.
  Segment EmptyLike() const {
    Segment out(embedding_dimension, keep_profiles);
    for (int f = 0; f < kFacetCount; ++f) out.sparse[f] = CsrMatrix(sparse[f].cols());
    return out;
  }
  Segment(int embedding_dim, bool keep)
      : embedding_dimension(embedding_dim), keep_profiles(keep), embedding(embedding_dim) {}
};

}  // namespace internal
}  // namespace circmatch

#endif  // CIRCMATCH_ENGINE_INDEX_SEGMENT_H_

// Realistic synthetic profiles for the load benchmarks: suppliers (the candidates) and tenders (the queries), with
// the shape of a national circular-procurement network rather than a uniform cloud:
//   - CPV codes from the real CPV 2008 vocabulary, Zipf-distributed over codes (a few codes such as office
//     furniture or demolition work are very common, most are rare), popular divisions of circular tenders first;
//   - R-ladder strategies skewed to reuse, repair, refurbish and recycle; materials and certifications from the
//     controlled lists, also skewed; a Dutch municipality (real centre, a few km of jitter), a service radius;
//   - a short Dutch text of Zipf-distributed words, and optionally a dense embedding (synthetic_embeddings.h).
// Profile i depends only on (seed, kind, i), so any range can be generated on its own and in any order, and runs
// with the same seed are comparable. Profiles come out normalized (NormalizeProfile), ready for Index::Upsert.
//
//   ProfileGenerator generator(vocabulary.get(), ProfileGeneratorOptions{});
//   std::vector<Profile> suppliers = generator.Suppliers(0, 100000);
//   std::vector<Profile> tenders = generator.Tenders(0, 500);
//
// Thread-safety: a generator caches the current block of embeddings, so use one per thread.
#ifndef CIRCMATCH_BENCH_PROFILE_GENERATOR_H_
#define CIRCMATCH_BENCH_PROFILE_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "circmatch/profile.h"
#include "circmatch/v1/profile.pb.h"
#include "circmatch/vocabulary.h"

namespace circmatch::bench {

struct ProfileGeneratorOptions {
  uint64_t seed = 20260101;
  // Length of each profile's embedding; 0 = none. Must equal the index's (or server's) embedding dimension.
  int embedding_dimension = 0;
  // Exponent s of the Zipf law over CPV codes (P(rank r) ~ 1 / r^s).
  double cpv_zipf_exponent = 1.0;
  // Profiles belong to this many partners, "partner-0" .. ; ignored when `owner` is set.
  int partners = 20;
  // When set, every profile belongs to this partner (e.g. "local", the caller of a server without API keys).
  std::string owner;
};

class ProfileGenerator {
 public:
  // `vocabulary` is borrowed and must outlive the generator. Aborts on options the vocabulary cannot satisfy
  // (a benchmark cannot run without its data).
  ProfileGenerator(const Vocabulary* vocabulary, ProfileGeneratorOptions options);

  // Supplier number i, id "s<i>"; shared with the network in 4 of 5 cases.
  Profile Supplier(int64_t i);
  // Tender number i, id "t<i>": needs, a municipality, open from now for 60 days.
  Profile Tender(int64_t i);

  std::vector<Profile> Suppliers(int64_t begin, int64_t end);
  std::vector<Profile> Tenders(int64_t begin, int64_t end);

  // The partner of profile i, and one of the network's partners for a viewer.
  std::string OwnerOf(int64_t i) const;

  const ProfileGeneratorOptions& options() const { return options_; }

 private:
  struct Rng;
  void FillCommon(Rng& rng, int64_t i, Profile* profile) const;
  std::string Text(Rng& rng, int min_words, int max_words) const;
  void SetEmbedding(uint64_t stream, int64_t i, Profile* profile);
  void Normalize(Profile* profile) const;

  const Vocabulary* const vocabulary_;
  const ProfileGeneratorOptions options_;
  std::vector<std::string> cpv_by_rank_;  // CPV codes in Zipf rank order
  std::vector<double> cpv_cdf_;
  std::vector<std::string> material_ids_, certification_ids_;  // common ones first
  std::vector<double> material_cdf_, certification_cdf_, municipality_cdf_, word_cdf_;
  // Embeddings are made a block at a time (synthetic_embeddings.h draws whole sets); the last block is kept.
  uint64_t block_stream_ = 0;
  int64_t block_ = -1;
  std::vector<float> block_rows_;
};

// A generated profile as the API's proto, for ImportProfiles or an inline query (the service's own converter).
v1::Profile ToApiProfile(const Profile& profile);

}  // namespace circmatch::bench

#endif  // CIRCMATCH_BENCH_PROFILE_GENERATOR_H_

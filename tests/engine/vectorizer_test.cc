#include "circmatch/vectorizer.h"

#include <cmath>

#include "gtest/gtest.h"
#include "test_util.h"

namespace circmatch {
namespace {

using testing_util::SharedVocabulary;

Vectorizer MakeVectorizer(int embedding_dimension = 0) {
  VectorizerOptions options;
  options.embedding_dimension = embedding_dimension;
  return Vectorizer(&SharedVocabulary(), options);
}

double Dot(const SparseVector& a, const SparseVector& b) { return a.cast<double>().dot(b.cast<double>()); }

double Norm(const SparseVector& v) { return std::sqrt(Dot(v, v)); }

double CpvCosine(const Vectorizer& vz, std::vector<std::string> a, std::vector<std::string> b) {
  FacetValues x, y;
  x.cpv_codes = std::move(a);
  y.cpv_codes = std::move(b);
  return Dot(vz.Categorical(Facet::kCpv, x), vz.Categorical(Facet::kCpv, y));
}

TEST(VectorizerTest, CpvHierarchyOverlap) {
  const Vectorizer vz = MakeVectorizer();
  EXPECT_NEAR(CpvCosine(vz, {"39130000"}, {"39130000"}), 1.0, 1e-6);
  const double parent = CpvCosine(vz, {"39130000"}, {"39100000"});
  EXPECT_GT(parent, 0.0);
  EXPECT_LT(parent, 1.0);
  EXPECT_EQ(CpvCosine(vz, {"39130000"}, {"45000000"}), 0.0);  // other division: never overlaps
  // Sharing a class (3913) overlaps more than sharing only a group (391), which beats only a division (39).
  const double same_class = CpvCosine(vz, {"39131000"}, {"39132000"});
  const double same_group = CpvCosine(vz, {"39131000"}, {"39111000"});
  const double same_division = CpvCosine(vz, {"39131000"}, {"39220000"});
  EXPECT_GT(same_class, same_group);
  EXPECT_GT(same_group, same_division);
  EXPECT_GT(same_division, 0.0);
  EXPECT_EQ(Vectorizer::CpvLevelWeight(1), 1.0f);
  EXPECT_EQ(Vectorizer::CpvLevelWeight(7), 5.0f);
}

TEST(VectorizerTest, CpvVectorIsAncestorSum) {
  const Vectorizer vz = MakeVectorizer();
  FacetValues f;
  f.cpv_codes = {"39130000"};
  const SparseVector v = vz.Categorical(Facet::kCpv, f);
  ASSERT_EQ(v.nonZeros(), 3);  // 39000000, 39100000, 39130000
  EXPECT_NEAR(Norm(v), 1.0, 1e-6);
  // Deeper nodes weigh more: values 1:2:3.
  EXPECT_NEAR(Values(v)[1] / Values(v)[0], 2.0, 1e-5);
  EXPECT_NEAR(Values(v)[2] / Values(v)[0], 3.0, 1e-5);
  EXPECT_EQ(vz.Dimension(Facet::kCpv), 9454);
}

TEST(VectorizerTest, StrategiesWeighHigherRungsMore) {
  const Vectorizer vz = MakeVectorizer();
  FacetValues f;
  f.strategies = {0, 9};
  const SparseVector v = vz.Categorical(Facet::kStrategies, f);
  ASSERT_EQ(std::vector<int>(Indices(v).begin(), Indices(v).end()),
            (std::vector<int>{10, 19}));  // tagged, not evidenced
  EXPECT_GT(Values(v)[0], Values(v)[1]);
  EXPECT_NEAR(Values(v)[1] / Values(v)[0], 0.55, 1e-5);
  EXPECT_NEAR(Norm(v), 1.0, 1e-6);
}

// A strategy the text evidences counts above one that is only tagged: a tender wanting R5 meets a refurbisher
// whose text shows the work (but tags nothing) far above a seller that tags R5 and shows nothing.
TEST(VectorizerTest, EvidencedStrategiesCountAboveBareTags) {
  const Vectorizer vz = MakeVectorizer();
  FacetValues tender;
  tender.strategies = {5};
  FacetValues refurbisher, tagger, both;
  refurbisher.evidenced_strategies = {5};
  tagger.strategies = {5};
  both.strategies = {5};
  both.evidenced_strategies = {5};
  const SparseVector q = vz.Categorical(Facet::kStrategies, tender, Vectorizer::Side::kQuery);
  const double evidenced = Dot(q, vz.Categorical(Facet::kStrategies, refurbisher));
  const double tagged = Dot(q, vz.Categorical(Facet::kStrategies, tagger));
  EXPECT_NEAR(Dot(q, vz.Categorical(Facet::kStrategies, both)), 1.0, 1e-6);
  EXPECT_GT(evidenced, tagged);
  EXPECT_GT(tagged, 0.0);
  // A bare tag counts ModelParams::strategy_tag_weight of the evidence.
  EXPECT_NEAR(tagged / evidenced, VectorizerOptions{}.model.strategy_tag_weight, 1e-6);
}

TEST(VectorizerTest, LadderCertificationImpliesLowerLevels) {
  const Vectorizer vz = MakeVectorizer();
  FacetValues f;
  f.certifications = {"co2-prestatieladder-5"};
  EXPECT_EQ(vz.Categorical(Facet::kCertifications, f).nonZeros(), 5);
  f.certifications = {"iso-14001"};
  EXPECT_EQ(vz.Categorical(Facet::kCertifications, f).nonZeros(), 1);
  FacetValues required;
  required.certifications = {"co2-prestatieladder-3"};
  FacetValues held;
  held.certifications = {"co2-prestatieladder-5"};
  EXPECT_GT(Dot(vz.Categorical(Facet::kCertifications, required), vz.Categorical(Facet::kCertifications, held)), 0.4);
}

TEST(VectorizerTest, FreeMaterialsHashAfterControlledOnes) {
  const Vectorizer vz = MakeVectorizer();
  FacetValues f;
  f.materials = {"wood", "bamboe"};
  const SparseVector v = vz.Categorical(Facet::kMaterials, f);
  ASSERT_EQ(v.nonZeros(), 2);
  const int controlled = static_cast<int>(SharedVocabulary().materials().size());
  EXPECT_LT(Indices(v)[0], controlled);
  EXPECT_GE(Indices(v)[1], controlled);
  EXPECT_LT(Indices(v)[1], vz.Dimension(Facet::kMaterials));
  EXPECT_NEAR(Values(v)[0], Values(v)[1], 1e-7);
}

FacetValues WithText(const std::string& text) {
  FacetValues values;
  values.text = text;
  return values;
}

TEST(VectorizerTest, TextSublinearTfTimesIdf) {
  const Vectorizer vz = MakeVectorizer();
  const SparseVector tf = vz.TextTermFrequencies(WithText("stoel stoel stoel tafel"));
  ASSERT_EQ(tf.nonZeros(), 2);
  EXPECT_EQ(tf.size(), vz.Dimension(Facet::kText));
  float stoel = 0, tafel = 0;
  for (const float value : Values(tf)) (value > 1.5f ? stoel : tafel) = value;
  EXPECT_NEAR(stoel, 1 + std::log(3.0), 1e-6);
  EXPECT_NEAR(tafel, 1.0, 1e-6);

  // IDF: a bucket in every document weighs less than one in none.
  std::vector<int32_t> df(static_cast<size_t>(vz.options().text_hash_buckets), 0);
  const std::vector<int> common = vz.DocumentBuckets(WithText("gemeente"));
  df[common[0]] = 10;
  const TextIdf idf = TextIdf::FromDocumentFrequencies(df, 10);
  EXPECT_NEAR(idf.idf(common[0]), 1.0, 1e-6);
  EXPECT_NEAR(idf.idf(vz.DocumentBuckets(WithText("zeldzaam"))[0]), std::log(11.0) + 1.0, 1e-5);
  const SparseVector weighted = vz.Text(WithText("gemeente zeldzaam"), idf);
  EXPECT_NEAR(Norm(weighted), 1.0, 1e-6);
  EXPECT_EQ(vz.Text(WithText(""), idf).nonZeros(), 0);
  EXPECT_EQ(vz.Text(WithText("de het en"), idf).nonZeros(), 0);  // only stop words
}

// The index keeps no counts beside the weighted text: CountOfWeighted gives every count below
// kExactCountsBelow back exactly from a value, its row's norm and its IDF, in rows of many terms and few.
TEST(VectorizerTest, CountsComeBackFromWeightedValuesAndNorm) {
  std::vector<int32_t> df(64);
  for (size_t b = 0; b < df.size(); ++b) df[b] = static_cast<int32_t>((b * 7919) % 5000);
  const TextIdf idf = TextIdf::FromDocumentFrequencies(df, 5000);
  std::vector<int32_t> counts;
  for (int32_t c = 1; c < 2000; ++c) counts.push_back(c);
  for (int32_t c = 2000; c < Vectorizer::kExactCountsBelow; c += 997) counts.push_back(c);
  counts.push_back(Vectorizer::kExactCountsBelow - 1);
  for (const size_t row_terms : {size_t{1}, size_t{3}, size_t{64}}) {
    for (size_t start = 0; start < counts.size(); start += row_terms) {
      SparseVector tf(static_cast<int>(df.size()));
      for (size_t i = 0; i < row_terms; ++i) {
        tf.insertBack(static_cast<int>(i)) = Vectorizer::SublinearTf(counts[(start + i) % counts.size()]);
      }
      float norm = 0;
      const SparseVector weighted = Vectorizer::WeightText(tf, idf, &norm);
      for (size_t i = 0; i < row_terms; ++i) {
        ASSERT_EQ(Vectorizer::CountOfWeighted(Values(weighted)[i], norm, idf.idf(static_cast<int>(i))),
                  counts[(start + i) % counts.size()])
            << "row of " << row_terms << " terms";
      }
    }
  }
}

TEST(VectorizerTest, LocationUnitVectorAndEmbedding) {
  Location loc;
  EXPECT_FALSE(Vectorizer::LocationVector(loc).has_value());
  loc.point = GeoPoint{52.5, 6.1};
  const auto v = Vectorizer::LocationVector(loc);
  ASSERT_TRUE(v.has_value());
  EXPECT_NEAR(v->norm(), 1.0, 1e-12);
  const Eigen::VectorXf e = Vectorizer::EmbeddingVector({3, 4});
  EXPECT_NEAR(e[0], 0.6f, 1e-6);
  EXPECT_NEAR(e[1], 0.8f, 1e-6);
  EXPECT_EQ(Vectorizer::EmbeddingVector({0, 0}).norm(), 0.0f);
}

}  // namespace
}  // namespace circmatch

#include "circmatch/top_k.h"

#include <algorithm>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace circmatch {
namespace {

struct Item {
  double score;
  std::string key;
};
struct Better {
  bool operator()(const Item& a, const Item& b) const { return a.score != b.score ? a.score > b.score : a.key < b.key; }
};

TEST(TopKTest, EqualsFullSortOnRandomData) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> score(0, 20);  // many ties
  std::vector<Item> items;
  for (int i = 0; i < 2000; ++i) items.push_back({score(rng) / 20.0, "k" + std::to_string(i)});
  for (int k : {1, 5, 100, 2000, 3000}) {
    TopK<Item, Better> top(k, Better{});
    for (const Item& item : items) top.Push(item);
    std::vector<Item> got = std::move(top).Take();
    std::vector<Item> want = items;
    std::sort(want.begin(), want.end(), Better{});
    want.resize(std::min<size_t>(k, want.size()));
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].key, want[i].key) << "k=" << k << " i=" << i;
  }
}

TEST(TopKTest, TiesAreDeterministicAcrossInsertionOrders) {
  std::vector<Item> items = {{0.5, "c"}, {0.5, "a"}, {0.9, "z"}, {0.5, "b"}, {0.1, "d"}};
  std::vector<std::string> first;
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.key < b.key; });
  do {
    TopK<Item, Better> top(3, Better{});
    for (const Item& item : items) top.Push(item);
    std::vector<std::string> keys;
    for (const Item& item : std::move(top).Take()) keys.push_back(item.key);
    EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "b"}));
  } while (
      std::next_permutation(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.key < b.key; }));
}

TEST(TopKTest, ZeroKKeepsNothing) {
  TopK<Item, Better> top(0, Better{});
  top.Push({1.0, "a"});
  EXPECT_EQ(top.size(), 0);
}

}  // namespace
}  // namespace circmatch

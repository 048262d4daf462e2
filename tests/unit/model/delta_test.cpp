// The change a write records (model::encode_delta) folded into the stored document
// (model::apply_delta) must give the document of the new version, whatever the write did.
#include <gtest/gtest.h>

#include <random>

#include "model/codec.h"

using namespace dejima;
using namespace dejima::model;

namespace {

AttrInstance instance(std::string_view name, std::string_view dataset, int value, Millis t) {
  AttrInstance a;
  a.name = name;
  a.dataset_id = dataset;
  a.json = R"({"type":"Property","value":)" + std::to_string(value) + "}";
  a.created_at = a.modified_at = t;
  return a;
}

Entity vehicle() {
  Entity e;
  e.id = "urn:ngsi-ld:Vehicle:1";
  e.types = {"https://uri.etsi.org/ngsi-ld/default-context/Vehicle"};
  e.created_at = e.modified_at = 1000;
  e.attrs = {instance("https://uri.etsi.org/ngsi-ld/default-context/speed", "", 10, 1000),
             instance("https://uri.etsi.org/ngsi-ld/default-context/speed", "urn:gps", 11, 1000),
             instance("https://example.org/fuel", "", 50, 1000),
             instance("https://uri.etsi.org/ngsi-ld/default-context/brand", "", 1, 1000)};
  return e;
}

// Folds the delta of before -> after (or takes after's document when there is none) and checks
// that the result is after's document.
void expect_folds(const Entity& before, const Entity& after) {
  const auto delta = encode_delta(before, after);
  const std::string want = encode(after);
  if (!delta) return;
  auto got = apply_delta(encode(before), *delta);
  ASSERT_TRUE(got) << got.error().detail;
  EXPECT_EQ(*got, want) << "delta " << *delta;
}

}  // namespace

TEST(Delta, OneAttributeRecordsThatAttributeOnly) {
  const Entity before = vehicle();
  Entity after = before;
  after.modified_at = 2000;
  after.attrs[0] = instance("https://uri.etsi.org/ngsi-ld/default-context/speed", "", 99, 2000);
  after.attrs[0].created_at = 1000;
  auto delta = encode_delta(before, after);
  ASSERT_TRUE(delta);
  EXPECT_NE(delta->find("99"), std::string::npos);
  EXPECT_EQ(delta->find("fuel"), std::string::npos) << *delta;  // unchanged attributes stay out
  EXPECT_LT(delta->size(), encode(after).size());
  expect_folds(before, after);
}

TEST(Delta, AddedRemovedAndOtherDatasetsFoldInPlace) {
  const Entity before = vehicle();
  Entity after = before;
  after.modified_at = 3000;
  after.erase("https://example.org/fuel", "", false);
  after.insert(instance("https://uri.etsi.org/ngsi-ld/default-context/speed", "urn:radar", 12, 3000));
  after.insert(instance("https://example.org/new", "", 7, 3000));
  after.types.push_back("https://example.org/Bus");
  after.scopes = {"/Nagasaki"};
  ASSERT_TRUE(encode_delta(before, after));
  expect_folds(before, after);
}

TEST(Delta, ReorderingOrRewritingEverythingIsTheWholeDocument) {
  const Entity before = vehicle();
  Entity reordered = before;
  std::swap(reordered.attrs[2], reordered.attrs[3]);
  EXPECT_FALSE(encode_delta(before, reordered));
  Entity rewritten = before;
  for (auto& a : rewritten.attrs) a.modified_at = 5000;
  EXPECT_FALSE(encode_delta(before, rewritten));
}

TEST(Delta, FoldsOfRandomChangesGiveTheNewDocument) {
  std::mt19937 rng(11);
  const std::vector<std::string> names = {"https://uri.etsi.org/ngsi-ld/default-context/a",
                                          "https://uri.etsi.org/ngsi-ld/default-context/b", "https://example.org/c",
                                          "https://example.org/d"};
  const std::vector<std::string> datasets = {"", "urn:x", "urn:y"};
  Entity cur = vehicle();
  std::string doc = encode(cur);
  size_t deltas = 0;
  for (int step = 0; step < 2000; ++step) {
    Entity next = cur;
    next.modified_at = cur.modified_at + 1;
    for (int k = std::uniform_int_distribution<int>(1, 3)(rng); k > 0; --k) {
      const auto& n = names[rng() % names.size()];
      const auto& d = datasets[rng() % datasets.size()];
      switch (rng() % 4) {
        case 0: next.erase(n, d, false); break;
        case 1: next.erase(n, d, true); break;
        default:
          if (AttrInstance* a = next.find(n, d)) {
            a->json = R"({"type":"Property","value":)" + std::to_string(step) + "}";
            a->modified_at = next.modified_at;
          } else {
            next.insert(instance(n, d, step, next.modified_at));
          }
      }
    }
    if (rng() % 10 == 0) next.types = {"https://example.org/T" + std::to_string(step % 3)};
    if (auto delta = encode_delta(cur, next)) {
      auto folded = apply_delta(doc, *delta);
      ASSERT_TRUE(folded);
      doc = std::move(*folded);
      ++deltas;
    } else {
      doc = encode(next);
    }
    ASSERT_EQ(doc, encode(next)) << "step " << step;
    cur = std::move(next);
  }
  EXPECT_GT(deltas, 1000u);  // most changes are deltas
}

TEST(Delta, DamagedDeltasAreRefused) {
  const std::string doc = encode(vehicle());
  EXPECT_FALSE(apply_delta(doc, "{"));
  EXPECT_FALSE(apply_delta(doc, R"({"id":"urn:other","type":[],"c":1,"m":2,"a":[],"x":[]})"));
  EXPECT_FALSE(apply_delta(doc, R"({"id":"urn:ngsi-ld:Vehicle:1","type":[],"c":1,"m":2,"a":[],"x":["odd"]})"));
}

// NGSIv2 rendering of an entity: the cached common bodies equal what is rendered anew, and a
// modified copy of the entity renders its own.
#include "ngsiv2/entity.h"

#include <gtest/gtest.h>

namespace dejima::ngsiv2 {
namespace {

model::Entity entity(std::string_view body) {
  json::Document d;
  EXPECT_EQ(json::parse(d, body), "");
  auto p = parse_entity(d, BodyKind::Entity, false, "/");
  EXPECT_TRUE(p) << (p ? "" : p.error().detail);
  model::Entity e;
  e.id = *p->id;
  e.types = p->types;
  for (auto& a : p->attrs) e.insert(std::move(a));
  model::extract_scalars(e);
  return e;
}

std::string shown(const model::Entity& e, const View& v) {
  return json::written([&](json::Writer& w) { write_entity(w, e, v); });
}

TEST(V2Entity, CachedBodiesEqualFreshOnesAndCopiesRenderTheirOwn) {
  const model::Entity e =
      entity(R"({"id":"Bus1","type":"Bus","speed":{"value":41.5,"metadata":{"unit":{"value":"km/h"}}},
                                     "line":{"type":"Text","value":"島原"}})");
  const View normalized, key_values{.format = Format::KeyValues};
  const View every{.attrs = {"*"}}, every_kv{.format = Format::KeyValues, .attrs = {"*"}};  // not cached
  ASSERT_TRUE(normalized.is_default() && key_values.is_default() && !every.is_default());
  const std::string body = shown(e, normalized);
  EXPECT_EQ(body, R"({"id":"Bus1","type":"Bus","line":{"type":"Text","value":"島原","metadata":{}},)"
                  R"("speed":{"type":"Number","value":41.5,"metadata":{"unit":{"type":"Text","value":"km/h"}}}})");
  EXPECT_EQ(shown(e, normalized), body);  // from the cache
  EXPECT_EQ(shown(e, every), body);
  EXPECT_EQ(shown(e, key_values), R"({"id":"Bus1","type":"Bus","line":"島原","speed":41.5})");
  EXPECT_EQ(shown(e, key_values), shown(e, every_kv));

  model::Entity changed = e;  // writers copy, modify and publish the copy
  ASSERT_EQ(changed.erase(expanded_name("line"), "", true), 1u);
  EXPECT_EQ(shown(changed, key_values), R"({"id":"Bus1","type":"Bus","speed":41.5})");
  EXPECT_EQ(shown(e, key_values), R"({"id":"Bus1","type":"Bus","line":"島原","speed":41.5})");

  model::Entity assigned = e;
  EXPECT_EQ(shown(assigned, key_values), shown(e, key_values));  // fills its own cache
  assigned = changed;                                            // and assignment empties it
  EXPECT_EQ(shown(assigned, key_values), R"({"id":"Bus1","type":"Bus","speed":41.5})");
}

}  // namespace
}  // namespace dejima::ngsiv2

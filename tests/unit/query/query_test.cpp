#include <gtest/gtest.h>

#include "model/mutate.h"
#include "model/parse.h"
#include "query/geo.h"
#include "query/names.h"
#include "query/q.h"

using namespace dejima;

namespace {

model::Entity entity(const char* text) {
  json::Document d;
  EXPECT_EQ(json::parse(d, text), "");
  auto p = model::parse_entity(d, *jsonld::Context::core(), model::ParseMode::Create);
  EXPECT_TRUE(p) << p.error().detail;
  auto e = model::new_entity(std::move(*p), 0);
  model::extract_scalars(e);
  return e;
}

bool q(const char* expr, const model::Entity& e) {
  auto parsed = query::parse_q(expr, *jsonld::Context::core());
  EXPECT_TRUE(parsed) << expr << ": " << parsed.error().detail;
  return parsed && query::matches(*parsed, e);
}

const char* kBus = R"({"id":"urn:ngsi-ld:Bus:1","type":"Bus",
  "speed":{"type":"Property","value":42.5,"observedAt":"2026-11-24T03:00:00Z"},
  "brand":{"type":"Property","value":"Nagasaki \"Bus\""},
  "plain":{"type":"Property","value":"A"},
  "ok":{"type":"Property","value":true},
  "route":{"type":"Relationship","object":"urn:ngsi-ld:Route:8"},
  "address":{"type":"Property","value":{"city":"Nagasaki"}}})";

}  // namespace

TEST(Scalars, PlainValuesAreExtractedAndOthersLeftToJson) {
  auto e = entity(kBus);
  using K = model::Scalar::Kind;
  EXPECT_EQ(e.attrs[0].scalar.kind, K::Number);
  EXPECT_DOUBLE_EQ(e.attrs[0].scalar.number, 42.5);
  EXPECT_EQ(e.attrs[1].scalar.kind, K::None);  // escaped string
  EXPECT_EQ(e.attrs[2].scalar.kind, K::String);
  EXPECT_EQ(e.attrs[2].scalar_text(), "A");
  EXPECT_EQ(e.attrs[3].scalar.kind, K::Bool);
  EXPECT_EQ(e.attrs[4].scalar_text(), "urn:ngsi-ld:Route:8");
  EXPECT_EQ(e.attrs[5].scalar.kind, K::None);  // object
}

TEST(Q, ComparisonsOnScalarsAndJson) {
  auto e = entity(kBus);
  EXPECT_TRUE(q("speed>42", e));
  EXPECT_FALSE(q("speed>42.5", e));
  EXPECT_TRUE(q("speed>=42.5;plain==\"A\"", e));
  EXPECT_TRUE(q("speed==40..50", e));
  EXPECT_FALSE(q("speed!=40..50", e));
  EXPECT_TRUE(q("brand==\"Nagasaki \\\"Bus\\\"\"", e));  // escaped: evaluated from the JSON
  EXPECT_TRUE(q("brand~=Bus", e));
  EXPECT_TRUE(q("ok==true", e));
  EXPECT_TRUE(q("route==urn:ngsi-ld:Route:8", e));
  EXPECT_TRUE(q("address[city]==\"Nagasaki\"", e));
  EXPECT_TRUE(q("speed.observedAt<2026-11-25", e));
  EXPECT_FALSE(q("missing", e));
  EXPECT_FALSE(q("missing!=1", e));
  EXPECT_TRUE(q("missing|speed", e));
  EXPECT_FALSE(q("plain==1", e));  // number against string: no match, not an error
}

TEST(Q, ATypedDateTimeValueComparesAsATime) {
  auto e = entity(R"({"id":"urn:ngsi-ld:Person:1","type":"Person",
    "birthday":{"type":"Property","value":{"@type":"DateTime","@value":"2016-02-25T10:00:00.000Z"}}})");
  EXPECT_TRUE(q("birthday==2016-02-25T10:00:00Z", e));
  EXPECT_TRUE(q("birthday>2016-02-24T10:00:00Z", e));
  EXPECT_FALSE(q("birthday<2016-02-25T10:00:00Z", e));
  EXPECT_TRUE(q("birthday==2016-02-24T00:00:00Z..2016-02-26T00:00:00Z", e));
}

TEST(Q, RejectsMalformedExpressions) {
  for (const char* bad : {"", "speed>", ">5", "speed>>5", "(speed>5", "speed>5)", "a==\"x", "a>1..2", "a>1,2",
                          "a==2026-02-30T00:00:00Z", "a~=(", "a;", "|a", "a>1e999", "a==-1e400..1"}) {
    auto parsed = query::parse_q(bad, *jsonld::Context::core());
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().kind, ErrorKind::BadRequestData);
    }
  }
}

TEST(Q, ErrorsQuoteALongExpressionOnlyAroundThePosition) {
  const std::string q = std::string(1000, '(') + "a==1" + std::string(1000, ')');
  auto parsed = query::parse_q(q, *jsonld::Context::core());
  ASSERT_FALSE(parsed);
  EXPECT_LT(parsed.error().detail.size(), 250u) << parsed.error().detail;
  EXPECT_NE(parsed.error().detail.find("too deeply nested at position 33 of '((((("), std::string::npos);
  EXPECT_NE(parsed.error().detail.find("…'"), std::string::npos);
  auto names = query::parse_names("A;" + std::string(300, 'B') + "=", "type");
  ASSERT_FALSE(names);
  EXPECT_NE(names.error().detail.find("at position 302 of '…"), std::string::npos) << names.error().detail;
  auto short_q = query::parse_q("speed>", *jsonld::Context::core());
  EXPECT_EQ(short_q.error().detail, "value expected at position 6 of 'speed>'");
}

TEST(Names, TypeExpressionsAndScopes) {
  auto n = query::parse_names("(A;B)|C,D", "type");
  ASSERT_TRUE(n);
  auto has = [](std::initializer_list<const char*> set) {
    return [set](const std::string& a) {
      for (auto s : set)
        if (a == s) return true;
      return false;
    };
  };
  EXPECT_TRUE(n->eval(has({"A", "B"})));
  EXPECT_FALSE(n->eval(has({"A"})));
  EXPECT_TRUE(n->eval(has({"D"})));
  std::vector<std::string> alts;
  EXPECT_FALSE(n->alternatives(alts));
  EXPECT_FALSE(query::parse_names("A,", "type"));
  EXPECT_TRUE(query::scope_matches("/Nagasaki/#", "/Nagasaki"));
  EXPECT_TRUE(query::scope_matches("/Nagasaki/#", "/Nagasaki/Dejima/North"));
  EXPECT_TRUE(query::scope_matches("/Nagasaki/+", "/Nagasaki/Dejima"));
  EXPECT_FALSE(query::scope_matches("/Nagasaki/+", "/Nagasaki/Dejima/North"));
  EXPECT_FALSE(query::scope_matches("/Nagasaki", "/Nagasaki/Dejima"));
  EXPECT_FALSE(query::check_scope_pattern("/a/#/b"));
  EXPECT_FALSE(query::check_scope_pattern("a"));
}

TEST(Geo, NearUsesMetresOnTheEllipsoidScale) {
  // Nagasaki Station to Dejima: 2,175 m (haversine).
  auto g = query::GeoQuery::parse("near;maxDistance==2200", "Point", "[129.8707,32.7521]", "loc");
  ASSERT_TRUE(g) << g.error().detail;
  EXPECT_TRUE((*g)->matches_geometry(R"({"type":"Point","coordinates":[129.8497,32.7437]})"));
  auto far = query::GeoQuery::parse("near;maxDistance==2150", "Point", "[129.8707,32.7521]", "loc");
  EXPECT_FALSE((*far)->matches_geometry(R"({"type":"Point","coordinates":[129.8497,32.7437]})"));
  auto within = query::GeoQuery::parse("within", "Polygon", "[[[129,32],[130,32],[130,33],[129,33],[129,32]]]", "loc");
  ASSERT_TRUE(within);
  EXPECT_TRUE((*within)->matches_geometry(R"({"type":"LineString","coordinates":[[129.5,32.5],[129.6,32.6]]})"));
  EXPECT_FALSE((*within)->matches_geometry(R"({"type":"Point","coordinates":[130.5,32.5]})"));
  EXPECT_FALSE(query::GeoQuery::parse("near;maxDistance==x", "Point", "[129,32]", "loc"));
  EXPECT_FALSE(query::GeoQuery::parse("within", "Point", "[129,32", "loc"));
}

TEST(Q, RequiredAttributesServeTheIndex) {
  auto req = [](const char* expr) {
    auto parsed = query::parse_q(expr, *jsonld::Context::core());
    EXPECT_TRUE(parsed);
    auto r = query::required_attributes(*parsed);
    for (auto& a : r) a = jsonld::Context::core()->compact(a);
    return r;
  };
  EXPECT_EQ(req("speed>5"), std::vector<std::string>{"speed"});
  EXPECT_EQ(req("speed>5;brand==\"A\""), std::vector<std::string>{"speed"});
  EXPECT_EQ(req("speed>5|brand!=\"A\""), (std::vector<std::string>{"speed", "brand"}));
  EXPECT_EQ(req("(a|b);c"), (std::vector<std::string>{"a", "b"}));
}

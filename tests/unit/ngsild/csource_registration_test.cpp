// ngsild::parse_csource_registration and DiscoveryQuery: names expanded with the document's
// @context, the flavor's stored form read back to the same registration, an id pattern and
// registration properties matched as discovery reads them, and the exclusive rule.
#include <gtest/gtest.h>

#include "ngsild/csource_registration.h"
#include "query/q.h"

using namespace dejima;
using namespace dejima::ngsild;

namespace {

std::shared_ptr<const jsonld::Context> context() {
  jsonld::Context::Builder b;
  b.define("Bus", "https://example.org/Bus", false);
  b.define("speed", "https://example.org/speed", false);
  jsonld::Context::add_core_definitions(b);
  return std::move(b).build("https://example.jp/ctx.jsonld", "");
}

federation::RegPtr parse(std::string_view text, const jsonld::Context& ctx, Millis now = 1'000) {
  json::Document d;
  EXPECT_EQ(json::parse(d, text), "");
  auto r = parse_csource_registration(d, ctx, now, true);
  EXPECT_TRUE(r) << (r ? "" : r.error().detail);
  return r ? *r : nullptr;
}

constexpr std::string_view kBus =
    R"({"id":"urn:ngsi-ld:ContextSourceRegistration:bus","type":"ContextSourceRegistration",
  "information":[{"entities":[{"idPattern":"^urn:ngsi-ld:Bus:goto-","type":"Bus"}],"propertyNames":["speed"]}],
  "endpoint":"http://127.0.0.1:9/","operator":"goto","mode":"exclusive"})";

TEST(CsourceRegistration, NamesExpandAndTheStoredFormReadsBack) {
  auto ctx = context();
  auto r = parse(kBus, *ctx);
  ASSERT_TRUE(r);
  const auto& x = ld(*r);
  ASSERT_EQ(x.information.size(), 1u);
  EXPECT_EQ(x.information[0].entities[0].types, std::vector<std::string>{"https://example.org/Bus"});
  EXPECT_EQ(x.information[0].properties, std::vector<std::string>{"https://example.org/speed"});
  EXPECT_TRUE(r->entities[0].matches("urn:ngsi-ld:Bus:goto-1", nullptr));
  EXPECT_FALSE(r->entities[0].matches("urn:ngsi-ld:Bus:iki-1", nullptr));
  EXPECT_EQ(x.mode, "exclusive");

  json::Document stored;
  ASSERT_EQ(json::parse_stored(stored, ld_flavor().stored(*r)), "");
  auto back = ld_flavor().restore(stored);
  ASSERT_TRUE(back);
  (*back)->id = r->id;
  EXPECT_EQ(render_csource_registration(**back, *ctx, false, true), render_csource_registration(*r, *ctx, false, true));
  EXPECT_NE(render_csource_registration(*r, *ctx, false, false).find(R"("propertyNames":["speed"])"),
            std::string::npos);
  EXPECT_NE(render_csource_registration(*r, *jsonld::Context::core(), false, false).find("https://example.org/speed"),
            std::string::npos);
}

TEST(CsourceRegistration, DiscoveryReadsEntitiesAndProperties) {
  auto ctx = context();
  auto r = parse(kBus, *ctx);
  ASSERT_TRUE(r);
  DiscoveryQuery q;
  query::Selector s;
  s.ids = {"urn:ngsi-ld:Bus:goto-7"};
  q.entities = {s};
  EXPECT_TRUE(q.matches(*r, 2'000));
  q.entities[0].ids = {"urn:ngsi-ld:Bus:iki-7"};
  EXPECT_FALSE(q.matches(*r, 2'000)) << "the id does not match the registered pattern";
  q.entities.clear();
  q.q = *query::parse_q(R"(operator=="goto")", *ctx);
  EXPECT_TRUE(q.matches(*r, 2'000));
  q.q = *query::parse_q(R"(operator=="iki")", *ctx);
  EXPECT_FALSE(q.matches(*r, 2'000));
}

TEST(CsourceRegistration, AnExclusiveRegistrationDoesNotOverlapAnother) {
  auto ctx = context();
  auto one = parse(R"({"id":"urn:r:1","type":"ContextSourceRegistration","mode":"exclusive","endpoint":"http://a/",
    "information":[{"entities":[{"id":"urn:ngsi-ld:Bus:1","type":"Bus"}],"propertyNames":["speed"]}]})",
                   *ctx);
  auto two = parse(R"({"id":"urn:r:2","type":"ContextSourceRegistration","endpoint":"http://b/",
    "information":[{"entities":[{"id":"urn:ngsi-ld:Bus:1","type":"Bus"}],"propertyNames":["speed","fuel"]}]})",
                   *ctx);
  auto three = parse(R"({"id":"urn:r:3","type":"ContextSourceRegistration","endpoint":"http://b/",
    "information":[{"entities":[{"id":"urn:ngsi-ld:Bus:2","type":"Bus"}],"propertyNames":["speed"]}]})",
                     *ctx);
  ASSERT_TRUE(one && two && three);
  EXPECT_FALSE(check_exclusive(*two, {one}));
  EXPECT_FALSE(check_exclusive(*one, {two}));
  EXPECT_TRUE(check_exclusive(*three, {one})) << "another entity";
  EXPECT_TRUE(check_exclusive(*one, {one})) << "itself (an update)";
}

TEST(CsourceRegistration, RefusesAnExpiryInThePast) {
  json::Document d;
  ASSERT_EQ(
      json::parse(d, R"({"type":"ContextSourceRegistration","endpoint":"http://a/","expiresAt":"2001-01-01T00:00:00Z",
    "information":[{"propertyNames":["speed"]}]})"),
      "");
  auto r = parse_csource_registration(d, *jsonld::Context::core(), 1'700'000'000'000, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::BadRequestData);
  EXPECT_TRUE(parse_csource_registration(d, *jsonld::Context::core(), 1'700'000'000'000, false))
      << "a stored one is read back whatever its expiry";
}

}  // namespace

// ngsild::merge_source, registered and supports: how a source's answer joins the local entity by
// the registration's mode (exclusive replaces the registered attributes, inclusive adds what the
// local entity lacks, by datasetId), which attributes a registration holds of an entity, and the
// operation groups a write or query is forwarded under.
#include <gtest/gtest.h>

#include "model/mutate.h"
#include "model/parse.h"
#include "ngsild/csource_registration.h"
#include "ngsild/distributed.h"

using namespace dejima;
using namespace dejima::ngsild;

namespace {

const std::string kSpeed = "https://uri.etsi.org/ngsi-ld/default-context/speed";
const std::string kName = "https://uri.etsi.org/ngsi-ld/default-context/name";

model::ParsedEntity parsed(std::string_view text) {
  json::Document d;
  EXPECT_EQ(json::parse(d, text), "");
  auto e = model::parse_entity(d, *jsonld::Context::core(), model::ParseMode::Create);
  EXPECT_TRUE(e) << (e ? "" : e.error().detail);
  return e ? std::move(*e) : model::ParsedEntity{};
}

model::Entity local() {
  return model::new_entity(parsed(R"({"id":"urn:ngsi-ld:Bus:1","type":"Bus",
    "name":{"type":"Property","value":"A"},"speed":{"type":"Property","value":1}})"),
                           1'000);
}

const model::ParsedEntity kAnswer = parsed(R"({"id":"urn:ngsi-ld:Bus:1","type":["Bus","Vehicle"],
  "speed":[{"type":"Property","value":42},{"type":"Property","value":43,"datasetId":"urn:ngsi-ld:gps"}],
  "name":{"type":"Property","value":"B"}})");

// The value's text as stored ({"type":"Property","value":"A"} holds "\"A\"").
bool holds(const model::AttrInstance* inst, std::string_view value) {
  return inst && inst->json.find(value) != std::string::npos;
}

double speed(const model::Entity& e, const std::string& dataset = "") {
  const auto* inst = e.find(kSpeed, dataset);
  return inst ? inst->scalar.number : -1;
}

}  // namespace

TEST(Distributed, ExclusiveReplacesTheRegisteredAttributesOnly) {
  auto e = local();
  merge_source(e, kAnswer, {kSpeed}, "exclusive", 2'000);
  model::extract_scalars(e);
  EXPECT_EQ(speed(e), 42);
  EXPECT_EQ(speed(e, "urn:ngsi-ld:gps"), 43);
  EXPECT_TRUE(holds(e.find(kName, ""), "\"A\"")) << "name is not registered: the local one stays";
  EXPECT_TRUE(e.has_type("https://uri.etsi.org/ngsi-ld/default-context/Vehicle")) << "types are joined";
}

TEST(Distributed, InclusiveAddsOnlyWhatTheLocalEntityLacks) {
  auto e = local();
  merge_source(e, kAnswer, {}, "inclusive", 2'000);
  model::extract_scalars(e);
  EXPECT_EQ(speed(e), 1) << "the local default instance stays";
  EXPECT_EQ(speed(e, "urn:ngsi-ld:gps"), 43) << "another datasetId is added";
  EXPECT_TRUE(holds(e.find(kName, ""), "\"A\""));
}

TEST(Distributed, RegisteredAttributesAndOperationGroups) {
  json::Document d;
  ASSERT_EQ(json::parse(d, R"({"type":"ContextSourceRegistration","endpoint":"http://127.0.0.1:9",
    "information":[{"entities":[{"type":"Bus"}],"propertyNames":["speed"]},
                   {"entities":[{"id":"urn:ngsi-ld:Bus:7","type":"Bus"}]}],
    "operations":["updateOps","createBatch"]})"),
            "");
  auto r = parse_csource_registration(d, *jsonld::Context::core(), 1'000, true);
  ASSERT_TRUE(r) << r.error().detail;
  const auto& x = ld(**r);
  const std::string bus = "https://uri.etsi.org/ngsi-ld/default-context/Bus";
  EXPECT_EQ(registered(x, "urn:ngsi-ld:Bus:1", {bus}), std::vector<std::string>{kSpeed});
  EXPECT_EQ(registered(x, "urn:ngsi-ld:Bus:7", {bus}), std::vector<std::string>{}) << "the second item: all";
  EXPECT_FALSE(registered(x, "urn:ngsi-ld:Bus:1", {"https://example.org/Car"}));
  EXPECT_TRUE(registered(x, "urn:ngsi-ld:Bus:1", {})) << "an entity of unknown type matches by id";
  for (const char* op : {"updateEntity", "updateAttrs", "replaceEntity", "replaceAttrs", "createBatch"})
    EXPECT_TRUE(supports(x, op)) << op;
  for (const char* op : {"createEntity", "deleteEntity", "retrieveEntity", "queryEntity"})
    EXPECT_FALSE(supports(x, op)) << op;
}

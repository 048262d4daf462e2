// The NGSIv2 attribute ↔ model instance mapping (docs/NGSIV2.md), both directions.
#include "ngsiv2/attribute.h"

#include <gtest/gtest.h>

namespace dejima::ngsiv2 {
namespace {

const std::string kVocab = "https://uri.etsi.org/ngsi-ld/default-context/";

model::AttrInstance parse(std::string_view name, std::string_view body, bool key_values = false) {
  json::Document d;
  EXPECT_EQ(json::parse(d, body), "");
  auto a = parse_attribute(name, d, key_values);
  EXPECT_TRUE(a) << (a ? "" : a.error().detail);
  return a ? *a : model::AttrInstance{};
}

std::string shown(const model::AttrInstance& a, MetadataFilter m = {}) {
  return json::written([&](json::Writer& w) { write_attribute(w, a, m); });
}

std::string error_of(std::string_view name, std::string_view body) {
  json::Document d;
  EXPECT_EQ(json::parse(d, body), "");
  auto a = parse_attribute(name, d, false);
  return a ? "" : a.error().detail;
}

TEST(Attribute, ImpliedTypesAreNotStored) {
  auto a = parse("speed", R"({"value": 12.5})");
  EXPECT_EQ(a.name, kVocab + "speed");
  EXPECT_EQ(a.json, R"({"type":"Property","value":12.5})");
  EXPECT_EQ(shown(a), R"({"type":"Number","value":12.5,"metadata":{}})");
  EXPECT_EQ(type_of(parse("s", R"({"value": "x"})")), "Text");
  EXPECT_EQ(type_of(parse("s", R"({"value": false})")), "Boolean");
  EXPECT_EQ(type_of(parse("s", R"({"value": [1]})")), "StructuredValue");
  EXPECT_EQ(type_of(parse("s", R"({})")), "None");
}

TEST(Attribute, ADeclaredTypeIsKeptAsValueType) {
  auto a = parse("level", R"({"type": "Number", "value": "0.5"})");  // as IoT agents send it
  EXPECT_EQ(a.json, R"({"type":"Property","value":"0.5","valueType":"Number"})");
  EXPECT_EQ(shown(a), R"({"type":"Number","value":"0.5","metadata":{}})");
}

TEST(Attribute, DateTimeGeoAndRelationship) {
  auto d = parse("at", R"({"type": "DateTime", "value": "2026-12-01T09:00:00+09:00"})");
  EXPECT_EQ(d.json, R"({"type":"Property","value":{"@type":"DateTime","@value":"2026-12-01T00:00:00.000Z"}})");
  EXPECT_EQ(shown(d), R"({"type":"DateTime","value":"2026-12-01T00:00:00.000Z","metadata":{}})");
  for (auto [in, out] : {std::pair{"2016-10-01", "2016-10-01T00:00:00.000Z"},
                         {"2050-01-01T00:00:00.666", "2050-01-01T00:00:00.666Z"},
                         {"2016-10-01T02:23:45.000+01:00", "2016-10-01T01:23:45.000Z"},
                         {"2016-10-01T0000", "2016-10-01T00:00:00.000Z"},
                         {"2016-10-01T10-0130", "2016-10-01T11:30:00.000Z"},
                         {"2017-06-17T07:21:24.00Z", "2017-06-17T07:21:24.000Z"}})
    EXPECT_EQ(shown(parse("at", "{\"type\": \"DateTime\", \"value\": \"" + std::string(in) + "\"}")),
              "{\"type\":\"DateTime\",\"value\":\"" + std::string(out) + "\",\"metadata\":{}}")
        << in;
  auto p = parse("location", R"({"type": "geo:point", "value": "32.75, 129.87"})");
  EXPECT_EQ(p.json,
            R"({"type":"GeoProperty","value":{"type":"Point","coordinates":[129.87,32.75]},"valueType":"geo:point"})");
  EXPECT_EQ(shown(p), R"({"type":"geo:point","value":"32.75, 129.87","metadata":{}})");
  auto box = parse("area", R"({"type": "geo:box", "value": ["32.7, 129.8", "32.8, 129.9"]})");
  EXPECT_EQ(shown(box), R"({"type":"geo:box","value":["32.7, 129.8","32.8, 129.9"],"metadata":{}})");
  auto r = parse("refOwner", R"({"type": "Relationship", "value": "urn:ngsi-ld:City:1"})");
  EXPECT_EQ(r.json, R"({"type":"Relationship","object":"urn:ngsi-ld:City:1"})");
  auto plain = parse("refRoom", R"({"type": "Relationship", "value": "Room1"})");  // not a URI
  EXPECT_EQ(plain.json, R"({"type":"Property","value":"Room1","valueType":"Relationship"})");
}

TEST(Attribute, MetadataAreSubAttributesObservedAtAndUnitCodeMembers) {
  auto a = parse("t", R"({"value": 1, "metadata": {"accuracy": {"value": 0.9},
      "observedAt": {"type": "DateTime", "value": "2026-12-01T00:00:00Z"}, "unitCode": {"value": "CEL"}}})");
  EXPECT_EQ(
      a.json,
      R"({"type":"Property","value":1,")" + kVocab +
          R"(accuracy":{"type":"Property","value":0.9},"observedAt":"2026-12-01T00:00:00.000Z","unitCode":"CEL"})");
  EXPECT_EQ(shown(a, MetadataFilter{.all = false, .names = {"accuracy"}}),
            R"({"type":"Number","value":1,"metadata":{"accuracy":{"type":"Number","value":0.9}}})");
}

TEST(Attribute, OrionNumbers) {
  EXPECT_EQ(shown(parse("n", R"({"value": 1.0})")), R"({"type":"Number","value":1,"metadata":{}})");
  EXPECT_EQ(shown(parse("n", R"({"value": 442.123456785551})")),
            R"({"type":"Number","value":442.123456786,"metadata":{}})");
}

TEST(Attribute, KeepMetadataKeepsWhatTheUpdateDoesNotSet) {
  auto old = parse("t", R"({"value": 1, "metadata": {"a": {"value": 1}, "b": {"value": 2}}})");
  auto next = parse("t", R"({"value": 2, "metadata": {"b": {"value": 3}}})");
  keep_metadata(next, old);
  EXPECT_EQ(
      shown(next),
      R"({"type":"Number","value":2,"metadata":{"b":{"type":"Number","value":3},"a":{"type":"Number","value":1}}})");
}

TEST(Attribute, Refusals) {
  EXPECT_EQ(error_of("a<b", R"({"value": 1})"), "Invalid characters in attribute name");
  EXPECT_EQ(error_of("a", R"({"value": "x;y"})"), "Invalid characters in attribute value");
  EXPECT_EQ(error_of("a", R"({"value": 1, "unit": "m"})"), "unrecognized property for context attribute");
  EXPECT_EQ(error_of("a", R"({"type": "DateTime", "value": "soon"})"), "date has invalid format in attribute value");
  EXPECT_EQ(error_of("a", R"({"type": "geo:polygon", "value": ["1, 2", "3, 4", "5, 6"]})"),
            "error parsing location attribute: geo:polygon uses at least 4 coordinates");
  EXPECT_EQ(error_of("a", R"({"value": 1, "metadata": {"m": 1}})"), "metadata must be a JSON object");
  EXPECT_EQ(error_of(std::string(257, 'a'), R"({"value": 1})"),
            "attribute name length: 257, max length supported: 256");
}

}  // namespace
}  // namespace dejima::ngsiv2

#include <gtest/gtest.h>

#include "model/codec.h"
#include "model/mutate.h"
#include "model/parse.h"
#include "model/render.h"

using namespace dejima;
using namespace dejima::model;

namespace {

json::Document doc(const char* text) {
  json::Document d;
  EXPECT_EQ(json::parse(d, text), "");
  return d;
}

Result<ParsedEntity> parse(const char* text, ParseMode mode = ParseMode::Create) {
  auto d = doc(text);
  return parse_entity(d, *jsonld::Context::core(), mode);
}

constexpr const char* kShelter = R"({
  "id": "urn:ngsi-ld:Shelter:1", "type": "Shelter",
  "name": {"type": "Property", "value": "諫早市体育館"},
  "capacity": {"type": "Property", "value": 500, "unitCode": "C62", "reliability": {"type": "Property", "value": 0.9}},
  "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [130.05, 32.84]}}
})";

}  // namespace

TEST(Parse, NormalizedEntityIsExpandedAndValidated) {
  auto p = parse(kShelter);
  ASSERT_TRUE(p) << p.error().detail;
  EXPECT_EQ(*p->id, "urn:ngsi-ld:Shelter:1");
  ASSERT_EQ(p->types.size(), 1u);
  EXPECT_EQ(p->types[0], "https://uri.etsi.org/ngsi-ld/default-context/Shelter");
  ASSERT_EQ(p->attrs.size(), 3u);
  EXPECT_EQ(p->attrs[1].name, "https://uri.etsi.org/ngsi-ld/default-context/capacity");
  EXPECT_NE(p->attrs[1].json.find("https://uri.etsi.org/ngsi-ld/default-context/reliability"), std::string::npos);
}

TEST(Parse, ConciseInputIsInferred) {
  auto p = parse(R"({"id":"urn:x:1","type":"T","a":5,"r":{"object":"urn:x:2"},
                     "g":{"type":"Point","coordinates":[1,2]},"l":{"languageMap":{"ja":"長崎"}}})");
  ASSERT_TRUE(p) << p.error().detail;
  EXPECT_EQ(p->attrs[0].json, R"({"type":"Property","value":5})");
  EXPECT_EQ(p->attrs[1].json, R"({"type":"Relationship","object":"urn:x:2"})");
  EXPECT_EQ(p->attrs[2].json, R"({"type":"GeoProperty","value":{"type":"Point","coordinates":[1,2]}})");
  EXPECT_EQ(p->attrs[3].json, R"({"type":"LanguageProperty","languageMap":{"ja":"長崎"}})");
}

TEST(Parse, RejectsBadInputWithBadRequestData) {
  for (const char* bad : {
           R"({"type":"T"})",
           R"({"id":"no uri","type":"T"})",
           R"({"id":"urn:x:1"})",
           R"({"id":"urn:x:1","type":"T","a":{"type":"Property"}})",
           R"({"id":"urn:x:1","type":"T","a":{"type":"Relationship","object":5}})",
           R"({"id":"urn:x:1","type":"T","a":{"type":"GeoProperty","value":{"type":"Point","coordinates":[200,0]}}})",
           R"({"id":"urn:x:1","type":"T","a":{"type":"Property","value":1,"observedAt":"soon"}})",
           R"({"id":"urn:x:1","type":"T","a":{"type":"Property","value":1,"object":"urn:x:2"}})",
           R"({"id":"urn:x:1","type":"T","scope":"no-slash"})",
       }) {
    auto p = parse(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().kind, ErrorKind::BadRequestData) << bad;
  }
}

TEST(Parse, MergePatchCollectsNulls) {
  auto p = parse(R"({"a":"urn:ngsi-ld:null","b":{"value":1,"s":"urn:ngsi-ld:null"}})", ParseMode::MergePatch);
  ASSERT_TRUE(p) << p.error().detail;
  ASSERT_EQ(p->nulls.size(), 1u);
  EXPECT_EQ(p->nulls[0].name, "https://uri.etsi.org/ngsi-ld/default-context/a");
  ASSERT_EQ(p->attrs.size(), 1u);
}

TEST(Mutate, MergeInstanceReplacesMembersAndDropsNullSubAttributes) {
  std::string merged =
      merge_instance(R"({"type":"Property","value":1,"s":{"type":"Property","value":2},"u":"X"})",
                     R"({"type":"Property","value":3,"s":{"type":"Property","value":"urn:ngsi-ld:null"}})");
  EXPECT_EQ(merged, R"({"type":"Property","value":3,"u":"X"})");
}

TEST(Mutate, AppendWithNoOverwriteKeepsExistingInstances) {
  auto e = new_entity(std::move(*parse(kShelter)), 1000);
  auto frag = parse(R"({"capacity":{"type":"Property","value":1},"phone":"095-000"})", ParseMode::Fragment);
  auto r = append_attrs(e, std::move(*frag), true, 2000);
  EXPECT_EQ(r.updated.size(), 1u);
  EXPECT_EQ(r.not_updated.size(), 1u);
  EXPECT_EQ(e.attrs.size(), 4u);
  EXPECT_EQ(e.modified_at, 2000);
  EXPECT_EQ(e.created_at, 1000);
}

TEST(Mutate, ReplacedEntityKeepsIdAndCreationOnly) {
  auto e = new_entity(std::move(*parse(kShelter)), 1000);
  auto r = replaced_entity(e, std::move(*parse(R"({"id":"urn:ngsi-ld:Shelter:1","type":"Hall","seats":3})")), 2000);
  EXPECT_EQ(r.id, e.id);
  EXPECT_EQ(r.created_at, 1000);
  EXPECT_EQ(r.modified_at, 2000);
  ASSERT_EQ(r.types.size(), 1u);
  EXPECT_EQ(r.types[0], "https://uri.etsi.org/ngsi-ld/default-context/Hall");
  ASSERT_EQ(r.attrs.size(), 1u);
  EXPECT_EQ(r.attrs[0].name, "https://uri.etsi.org/ngsi-ld/default-context/seats");
  EXPECT_EQ(r.attrs[0].created_at, 2000);
}

TEST(Render, RoundTripsThroughTheStorageCodec) {
  auto e = new_entity(std::move(*parse(kShelter)), 1700000000000);
  auto decoded = decode(encode(e));
  ASSERT_TRUE(decoded);
  RenderOptions o;
  o.sys_attrs = true;
  EXPECT_EQ(render_entity(*decoded, *jsonld::Context::core(), o), render_entity(e, *jsonld::Context::core(), o));
}

TEST(Render, StorageCodecWritesShortNamesAndReadsOlderDocuments) {
  auto e = new_entity(std::move(*parse(kShelter)), 1700000000000);
  e.attrs.back().modified_at = 1700000000500;  // one attribute changed later
  const std::string doc = encode(e);
  EXPECT_EQ(doc.find(R"("n":"https://uri.etsi.org/ngsi-ld/default-context/)"), std::string::npos) << doc;
  EXPECT_NE(doc.find(R"({"s":"name","v":)"), std::string::npos) << doc;  // no "c"/"m" of its own
  EXPECT_NE(doc.find("\"m\":1700000000500"), std::string::npos) << doc;
  auto decoded = decode(doc);
  ASSERT_TRUE(decoded);
  ASSERT_EQ(decoded->attrs.size(), e.attrs.size());
  for (size_t i = 0; i < e.attrs.size(); ++i) {
    EXPECT_EQ(decoded->attrs[i].name, e.attrs[i].name);
    EXPECT_EQ(decoded->attrs[i].created_at, e.attrs[i].created_at);
    EXPECT_EQ(decoded->attrs[i].modified_at, e.attrs[i].modified_at);
  }
  // The older layout: full names and every attribute's times.
  auto old = decode(R"({"id":"urn:x","type":["https://example.org/T"],"c":1,"m":2,"a":[)"
                    R"({"n":"https://uri.etsi.org/ngsi-ld/default-context/speed","c":1,"m":2,)"
                    R"("v":{"type":"Property","value":5}}]})");
  ASSERT_TRUE(old);
  ASSERT_EQ(old->attrs.size(), 1u);
  EXPECT_EQ(old->attrs[0].name, "https://uri.etsi.org/ngsi-ld/default-context/speed");
  EXPECT_EQ(old->attrs[0].modified_at, 2);
  EXPECT_FALSE(decode(R"({"id":"urn:x","type":[],"c":1,"m":2,"a":[{"v":{}}]})"));  // no name
}

TEST(Render, StorageCodecKeepsValuesVerbatimAndRefusesCorruptDocuments) {
  // Whitespace around members, a value with nested arrays, escapes and non-ASCII text, and the
  // document's times after its attributes: each value comes back as the text it was stored as.
  auto d = decode(
      R"({ "a" : [ { "s" : "name" , "v" : {"type":"Property","value":"\"出島\"\n","x":[[1,{"y":null}]]} },)"
      R"( {"n":"https://example.org/flag","d":"urn:ds:1","v":true} ], "id":"urn:x", "type":["https://example.org/T"],)"
      R"( "scope":["/a/b"], "c":10, "m":20 })");
  ASSERT_TRUE(d) << d.error().detail;
  EXPECT_EQ(d->id, "urn:x");
  EXPECT_EQ(d->scopes, std::vector<std::string>{"/a/b"});
  ASSERT_EQ(d->attrs.size(), 2u);
  EXPECT_EQ(d->attrs[0].name, "https://uri.etsi.org/ngsi-ld/default-context/name");
  EXPECT_EQ(d->attrs[0].json, R"({"type":"Property","value":"\"出島\"\n","x":[[1,{"y":null}]]})");
  EXPECT_EQ(d->attrs[0].created_at, 10);
  EXPECT_EQ(d->attrs[0].modified_at, 20);
  EXPECT_EQ(d->attrs[1].dataset_id, "urn:ds:1");
  EXPECT_EQ(d->attrs[1].json, "true");
  for (const char* bad : {R"({"type":["T"],"c":1,"m":2,"a":[]})",                               // no id
                          R"({"id":"urn:x","type":["T"],"c":1,"m":2})",                         // no attributes
                          R"({"id":"urn:x","type":["T"],"c":1,"m":2,"a":[{"s":"n"}]})",         // no value
                          R"({"id":"urn:x","type":["T"],"c":1,"m":2,"a":[{"s":"n","v":{"t":)",  // cut short
                          R"({"id":"urn:x","type":["T"],"c":1,"m":2,"scope":[{"a":1}],"a":[]})", ""})
    EXPECT_FALSE(decode(bad)) << bad;
  // Nested far deeper than any body is allowed to be: refused, not a stack overflow.
  EXPECT_FALSE(decode(R"({"id":"urn:x","type":["T"],"c":1,"m":2,"a":[{"s":"n","v":)" + std::string(200000, '[')));
}

TEST(Render, KeyValuesAndConcise) {
  auto e = new_entity(std::move(*parse(kShelter)), 0);
  RenderOptions kv;
  kv.format = Format::KeyValues;
  EXPECT_EQ(render_entity(e, *jsonld::Context::core(), kv),
            R"({"id":"urn:ngsi-ld:Shelter:1","type":"Shelter","name":"諫早市体育館","capacity":500,)"
            R"("location":{"type":"Point","coordinates":[130.05,32.84]}})");
  RenderOptions concise;
  concise.format = Format::Concise;
  EXPECT_EQ(render_entity(e, *jsonld::Context::core(), concise),
            R"({"id":"urn:ngsi-ld:Shelter:1","type":"Shelter","name":"諫早市体育館",)"
            R"("capacity":{"value":500,"unitCode":"C62","reliability":0.9},)"
            R"("location":{"type":"Point","coordinates":[130.05,32.84]}})");
}

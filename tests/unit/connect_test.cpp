// Connector formats: the CSV reader, encodings, the column table and row mapping, GeoJSON, on
// small hand-written inputs and on the real published files in ../shared/data.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "connect/csv.h"
#include "connect/declaration.h"
#include "connect/encoding.h"
#include "connect/format.h"
#include "util/json.h"

using namespace dejima;
using namespace dejima::connect;

namespace {

const std::filesystem::path kShared = std::filesystem::path(__FILE__).parent_path() / "../../../shared/data";

std::string read_shared(const std::string& rel) {
  std::ifstream in(kShared / rel, std::ios::binary);
  EXPECT_TRUE(in) << "missing " << (kShared / rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Collect final : Sink {
  std::vector<json::Document> entities;
  std::vector<Rejection> rejections;
  std::vector<std::string> notes;
  void entity(std::string text) override {
    entities.emplace_back();
    EXPECT_TRUE(json::parse(entities.back(), text).empty()) << text;
  }
  void reject(Rejection r) override { rejections.push_back(std::move(r)); }
  void note(std::string m) override { notes.push_back(std::move(m)); }
  void progress(size_t, size_t) override {}

  const json::Document* find(std::string_view id) const {
    for (const auto& e : entities)
      if (json::view(e["id"]) == id) return &e;
    return nullptr;
  }
  bool noted(std::string_view part) const {
    for (const auto& n : notes)
      if (n.find(part) != std::string::npos) return true;
    return false;
  }
};

Collect convert(std::string_view format, std::string_view bytes, Options o) {
  Collect c;
  auto s = find_format(format)->convert(bytes, o, c);
  EXPECT_TRUE(s) << (s ? "" : s.error().detail);
  return c;
}

std::string value(const json::Value& e, const char* attr) {
  if (!e.HasMember(attr)) return "<absent>";
  return json::to_string(e[attr]["value"]);
}

std::vector<std::vector<std::string>> records(std::string_view text) {
  CsvReader r(text);
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> f;
  while (r.next(f)) out.push_back(f);
  return out;
}

}  // namespace

TEST(Csv, QuotesLineBreaksAndLineEnds) {
  using Rows = std::vector<std::vector<std::string>>;
  EXPECT_EQ(records("a,b\r\n1,2\r\n"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(records("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(records("a\r1\r"), (Rows{{"a"}, {"1"}}));
  EXPECT_EQ(records("\"x,\"\"y\"\"\",\"two\nlines\"\n,\n"), (Rows{{"x,\"y\"", "two\nlines"}, {"", ""}}));

  CsvReader r("h\n\"a\nb\"\nc\n\"open\nnever closed");
  std::vector<std::string> f;
  ASSERT_TRUE(r.next(f));
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(r.line(), 2u);
  EXPECT_EQ(r.raw(), "\"a\nb\"");
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(r.line(), 4u);  // the record after a two-line field
  ASSERT_TRUE(r.next(f));
  EXPECT_TRUE(r.unterminated());
  EXPECT_FALSE(r.next(f));
}

TEST(Encoding, DetectsBomUtf8AndCp932) {
  auto bom = to_utf8("\xEF\xBB\xBF" "a,b");
  ASSERT_TRUE(bom);
  EXPECT_EQ(bom->text, "a,b");
  EXPECT_EQ(bom->encoding, "UTF-8 (BOM)");
  auto sjis = to_utf8("\x92\xB7\x8D\xE8");  // 長崎 in Shift_JIS
  ASSERT_TRUE(sjis);
  EXPECT_EQ(sjis->text, "長崎");
  EXPECT_EQ(sjis->encoding, "CP932");
  auto utf16 = to_utf8(std::string("\xFF\xFE" "a\0", 4));
  ASSERT_TRUE(utf16);
  EXPECT_EQ(utf16->text, "a");
  EXPECT_FALSE(to_utf8("\x92\xB7", "utf-8"));  // declared UTF-8 but is not
  EXPECT_FALSE(to_utf8("\xFF\xFF\xFF", "auto"));  // neither UTF-8 nor CP932
}

TEST(CsvFormat, StandardTourismLayoutInCp932) {
  // 柳井市 観光施設一覧 (推奨データセット layout, Shift_JIS, a comment row before the header).
  Options o{.type = "TouristAttraction"};
  Collect c = convert("csv", read_shared("opendata/yanai_tourism_sjis.csv"), o);
  EXPECT_TRUE(c.noted("CP932"));
  EXPECT_TRUE(c.rejections.empty());
  ASSERT_EQ(c.entities.size(), 18u);
  const auto* e = c.find("urn:ngsi-ld:TouristAttraction:352128-1");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(value(*e, "name"), "\"白壁の町並み\"");
  EXPECT_EQ(value(*e, "localGovernmentCode"), "\"352128\"");
  EXPECT_EQ(json::to_string((*e)["location"]["value"]), R"({"type":"Point","coordinates":[132.1080781,33.9692679]})");
}

TEST(CsvFormat, BomMultilineFieldsAndPropertyRows) {
  Collect shimabara = convert("csv", read_shared("opendata/shimabara_tourism.csv"), {.type = "TouristAttraction"});
  EXPECT_EQ(shimabara.entities.size(), 28u);
  EXPECT_TRUE(shimabara.rejections.empty());

  // 高松市: `#` metadata rows around a `#property` header, "lat,lon" in one column.
  Collect takamatsu = convert("csv", read_shared("opendata/takamatsu_0060.csv"), {.type = "PublicFacility"});
  EXPECT_EQ(takamatsu.entities.size(), 193u);
  EXPECT_TRUE(takamatsu.rejections.empty());
  EXPECT_TRUE(takamatsu.noted("credit: 高松市"));
  EXPECT_TRUE(takamatsu.noted("licence: http://creativecommons.org/licenses/by/3.0/deed.ja"));
  size_t located = 0;
  for (const auto& e : takamatsu.entities) located += e.HasMember("location");
  EXPECT_EQ(located, 193u);
}

TEST(CsvFormat, NonStandardLayoutThroughColumnMapping) {
  // さいたま市 AED: 施設名等,設置場所,区,所在地,緯度,経度 — 区 has no standard name until mapped.
  const std::string bytes = read_shared("opendata/saitama_aed.csv");
  Collect plain = convert("csv", bytes, {.type = "AED"});
  EXPECT_EQ(plain.entities.size(), 392u);
  EXPECT_TRUE(plain.noted("区"));
  Collect mapped = convert("csv", bytes, {.type = "AED", .columns = {{"区", "ward"}, {"設置場所", ""}}});
  ASSERT_EQ(mapped.entities.size(), 392u);
  EXPECT_FALSE(mapped.noted("columns without a standard name"));
  EXPECT_TRUE(mapped.entities[0].HasMember("ward"));
  EXPECT_FALSE(mapped.entities[0].HasMember("installationLocation"));
}

TEST(CsvFormat, BadRowsAreRejectedWithReasonAndTheRestGoOn) {
  const std::string csv =
      "全国地方公共団体コード,ID,名称,緯度,経度,想定収容人数\n"
      "422011,1,A,32.75,129.87,100\n"
      "422011,2,B,95,129.87,10\n"        // latitude out of range
      "422011,3,C,32.7,east,10\n"        // not a number
      "422011,1,D,32.7,129.8,10\n"       // same key as line 2
      "422011,4,E\n"                     // too few fields
      "422011,,,32.7,129.8,1\n"          // no key
      "\n"
      "422011,5,\"F\nG\",32.7,129.8,x\n";  // multi-line name; capacity kept as text
  Collect c = convert("csv", csv, {.type = "EvacuationShelter"});
  ASSERT_EQ(c.entities.size(), 2u);
  EXPECT_EQ(value(c.entities[0], "maxCapacity"), "100.0");
  EXPECT_EQ(value(c.entities[1], "name"), "\"F\\nG\"");
  EXPECT_EQ(value(c.entities[1], "maxCapacity"), "\"x\"");
  ASSERT_EQ(c.rejections.size(), 5u);
  EXPECT_EQ(c.rejections[0].line, 3u);
  EXPECT_NE(c.rejections[0].reason.find("out of range"), std::string::npos);
  EXPECT_EQ(c.rejections[0].id, "urn:ngsi-ld:EvacuationShelter:422011-2");
  EXPECT_EQ(c.rejections[0].row, "422011,2,B,95,129.87,10");
  EXPECT_NE(c.rejections[1].reason.find("not a number"), std::string::npos);
  EXPECT_NE(c.rejections[2].reason.find("duplicate"), std::string::npos);
  EXPECT_NE(c.rejections[3].reason.find("3 fields"), std::string::npos);
  EXPECT_NE(c.rejections[4].reason.find("no value to make an id"), std::string::npos);
}

TEST(CsvFormat, KeyAndPrefixFromTheDeclaration) {
  Collect c = convert("csv", "name,code\nA,x 1\nB,y/2\n",
                      {.type = "Thing", .id_prefix = "urn:ngsi-ld:Thing:nagasaki:", .key = {"code"}});
  ASSERT_EQ(c.entities.size(), 2u);
  EXPECT_EQ(json::view(c.entities[0]["id"]), "urn:ngsi-ld:Thing:nagasaki:x%201");
  EXPECT_EQ(json::view(c.entities[1]["id"]), "urn:ngsi-ld:Thing:nagasaki:y%2F2");
}

TEST(GeoJsonFormat, GsiShelters) {
  Collect c = convert("geojson", read_shared("shelters/emergency/422011.json"), {.type = "EvacuationShelter"});
  EXPECT_TRUE(c.rejections.empty());
  ASSERT_EQ(c.entities.size(), 236u);
  const auto& e = c.entities[0];
  EXPECT_EQ(json::view(e["location"]["value"]["type"]), "Point");
  EXPECT_TRUE(e.HasMember("typeOfDisasterFlood"));
  EXPECT_TRUE(e["typeOfDisasterFlood"]["value"].IsBool());
}

TEST(GeoJsonFormat, BadFeaturesAreRejected) {
  Collect c = convert("geojson", R"({"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"ID":"a","名称":"A"},"geometry":{"type":"Point","coordinates":[129.8,32.7]}},
      {"type":"Feature","properties":{"ID":"b"},"geometry":{"type":"Point","coordinates":[500,32.7]}},
      {"type":"Nope"},
      {"type":"Feature","properties":{"ID":"c"},"geometry":null}]})",
                      {.type = "Place"});
  ASSERT_EQ(c.entities.size(), 2u);
  EXPECT_FALSE(c.entities[1].HasMember("location"));
  ASSERT_EQ(c.rejections.size(), 2u);
  EXPECT_EQ(c.rejections[0].line, 2u);
  EXPECT_EQ(c.rejections[0].id, "urn:ngsi-ld:Place:b");
  EXPECT_EQ(c.rejections[1].reason, "not a Feature");

  Collect sink;
  EXPECT_FALSE(find_format("geojson")->convert(R"({"type":"Point"})", {.type = "Place"}, sink));
  EXPECT_FALSE(find_format("geojson")->convert("{", {.type = "Place"}, sink));
  EXPECT_FALSE(find_format("csv")->convert("", {.type = "Place"}, sink));
}

TEST(Declaration, RoundTripsThroughItsDocument) {
  json::Document doc;
  ASSERT_TRUE(json::parse(doc, R"({"name":"aed","source":"https://example.org/aed.csv","format":"csv","type":"AED",
      "tenant":"saitama","encoding":"cp932","idPrefix":"urn:ngsi-ld:AED:saitama:","key":["施設名等","所在地"],
      "columns":{"区":"ward","設置場所":""},"deleteMissing":true,"schedule":"PT1H"})").empty());
  auto d = parse_declaration(doc);
  ASSERT_TRUE(d) << d.error().detail;
  EXPECT_EQ(d->every, 3600000);
  EXPECT_EQ(d->options.columns.at("設置場所"), "");
  EXPECT_EQ(d->origin, "api");
  json::Document again;
  ASSERT_TRUE(json::parse(again, declaration_json(*d)).empty());
  auto d2 = parse_declaration(again);
  ASSERT_TRUE(d2);
  EXPECT_EQ(declaration_json(*d2), declaration_json(*d));
  EXPECT_EQ(d2->options.key, (std::vector<std::string>{"施設名等", "所在地"}));
}

TEST(AmedasFormat, SnapshotOfNagasakiStations) {
  const std::string dir = (kShared / "jma/amedas").string();
  Collect c = convert("amedas", read_shared("jma/amedas/20210224150000.json"),
                      {.type = "WeatherObserved", .params = {{"stations", "84,99999"}}, .source = dir + "/20210224150000.json"});
  EXPECT_TRUE(c.rejections.empty());
  ASSERT_EQ(c.entities.size(), 20u);
  const auto* e = c.find("urn:ngsi-ld:WeatherObserved:jma-amedas-84496");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(value(*e, "name"), "\"長崎\"");
  EXPECT_EQ(json::view((*e)["temperature"]["observedAt"]), "2021-02-24T06:00:00.000Z");
  EXPECT_EQ(json::view((*e)["temperature"]["unitCode"]), "CEL");
  EXPECT_TRUE((*e)["temperature"].HasMember("qualityFlag"));
  if (e->HasMember("windDirection")) {
    const double deg = (*e)["windDirection"]["value"].GetDouble();
    EXPECT_TRUE(deg >= 0 && deg < 360 && std::fmod(deg, 22.5) == 0) << deg;
  }
  EXPECT_TRUE(c.noted("20 of 1295 stations"));

  // A station missing from the table is rejected; a snapshot without its time in the name is an error.
  Collect odd = convert("amedas", R"({"84496":{"temp":[1.5,0]},"00000":{"temp":[2,0]}})",
                        {.type = "WeatherObserved", .source = dir + "/20210224150000.json"});
  ASSERT_EQ(odd.entities.size(), 1u);
  ASSERT_EQ(odd.rejections.size(), 1u);
  EXPECT_NE(odd.rejections[0].reason.find("00000 is not in the station table"), std::string::npos);
  Collect sink;
  auto s = find_format("amedas")->convert("{}", {.type = "WeatherObserved", .source = dir + "/snapshot.json"}, sink);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().detail.find("YYYYMMDDhhmmss"), std::string::npos);
}

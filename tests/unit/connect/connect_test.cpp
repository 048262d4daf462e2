// Connector formats: the CSV reader, encodings, the column table and row mapping, GeoJSON, on
// small hand-written inputs and on the real published files in ../shared/data.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include <unistd.h>

#include "connect/csv.h"
#include "connect/declaration.h"
#include "connect/encoding.h"
#include "connect/format.h"
#include "connect/row_mapper.h"
#include "connect/source.h"
#include "shared_data.h"
#include "util/json.h"

using namespace dejima;
using namespace dejima::connect;

namespace {

using test::kShared;
using test::read_shared;

struct Collect final : Sink {
  std::vector<json::Document> entities;
  std::vector<Rejection> rejections;
  std::vector<std::string> notes;
  std::vector<std::string> incompletes;
  void entity(std::string text) override {
    entities.emplace_back();
    EXPECT_TRUE(json::parse(entities.back(), text).empty()) << text;
  }
  void reject(Rejection r) override { rejections.push_back(std::move(r)); }
  void note(std::string m) override { notes.push_back(std::move(m)); }
  void progress(size_t, size_t) override {}
  void incomplete(std::string m) override { incompletes.push_back(std::move(m)); }

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
  auto bom = to_utf8(
      "\xEF\xBB\xBF"
      "a,b");
  ASSERT_TRUE(bom);
  EXPECT_EQ(bom->text, "a,b");
  EXPECT_EQ(bom->encoding, "UTF-8 (BOM)");
  auto sjis = to_utf8("\x92\xB7\x8D\xE8");  // 長崎 in Shift_JIS
  ASSERT_TRUE(sjis);
  EXPECT_EQ(sjis->text, "長崎");
  EXPECT_EQ(sjis->encoding, "CP932");
  auto utf16 =
      to_utf8(std::string("\xFF\xFE"
                          "a\0",
                          4));
  ASSERT_TRUE(utf16);
  EXPECT_EQ(utf16->text, "a");
  EXPECT_FALSE(to_utf8("\x92\xB7", "utf-8"));     // declared UTF-8 but is not
  EXPECT_FALSE(to_utf8("\xFF\xFF\xFF", "auto"));  // neither UTF-8 nor CP932
}

TEST(CsvFormat, StandardTourismLayoutInCp932) {
  SKIP_WITHOUT_SHARED_DATA();
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
  SKIP_WITHOUT_SHARED_DATA();
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
  SKIP_WITHOUT_SHARED_DATA();
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
      "422011,2,B,95,129.87,10\n"   // latitude out of range
      "422011,3,C,32.7,east,10\n"   // not a number
      "422011,1,D,32.7,129.8,10\n"  // same key as line 2
      "422011,4,E\n"                // too few fields
      "422011,,,32.7,129.8,1\n"     // no key
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
  SKIP_WITHOUT_SHARED_DATA();
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
      "columns":{"区":"ward","設置場所":""},"deleteMissing":true,"schedule":"PT1H"})")
                  .empty());
  auto d = parse_declaration(doc);
  ASSERT_TRUE(d) << d.error().detail;
  EXPECT_EQ(d->schedule.next(1000), 3601000);
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
  SKIP_WITHOUT_SHARED_DATA();
  const std::string dir = (kShared / "jma/amedas").string();
  Collect c = convert(
      "amedas", read_shared("jma/amedas/20210224150000.json"),
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

namespace {
const json::Value* alert_named(const json::Value& e, std::string_view name) {
  for (const auto& a : e["alerts"]["value"].GetArray())
    if (json::view(a["name"]) == name) return &a;
  return nullptr;
}
int level(const json::Value& e) { return e["warningLevel"]["value"].GetInt(); }
}  // namespace

TEST(JmaXmlFormat, MunicipalWarningsOfVpww54) {
  SKIP_WITHOUT_SHARED_DATA();
  const std::string src = (kShared / "jma/live/20240725040511_0_VPWW54_060000.xml").string();
  Collect c = convert("jmaxml", read_shared("jma/live/20240725040511_0_VPWW54_060000.xml"),
                      {.type = "WeatherWarning", .source = src});
  EXPECT_TRUE(c.rejections.empty());
  EXPECT_EQ(c.entities.size(), 35u);  // the 市町村等 of 山形県
  const auto* sakata = c.find("urn:ngsi-ld:WeatherWarning:jma-VPWW54-0620400");
  ASSERT_NE(sakata, nullptr);
  EXPECT_EQ(value(*sakata, "name"), "\"酒田市\"");
  EXPECT_EQ(value(*sakata, "municipalityCode"), "\"062049\"");  // 全国地方公共団体コード with its check digit
  EXPECT_EQ(level(*sakata), 5);
  const auto* rain = alert_named(*sakata, "大雨特別警報");
  ASSERT_NE(rain, nullptr);
  EXPECT_EQ(json::view((*sakata)["alerts"]["observedAt"]), "2024-07-25T04:05:00.000Z");
  EXPECT_EQ(json::view((*sakata)["dateIssued"]["value"]["@type"]), "DateTime");
  const auto* yamagata = c.find("urn:ngsi-ld:WeatherWarning:jma-VPWW54-0620100");
  ASSERT_NE(yamagata, nullptr);
  EXPECT_EQ(level(*yamagata), 2);  // 雷注意報 only
  EXPECT_TRUE(c.noted("気象庁"));

  Collect some = convert("jmaxml", read_shared("jma/live/20240725040511_0_VPWW54_060000.xml"),
                         {.type = "WeatherWarning", .params = {{"areas", "06204,06201"}}, .source = src});
  EXPECT_EQ(some.entities.size(), 2u);
}

TEST(JmaXmlFormat, SedimentFloodAndRecordRainTelegrams) {
  SKIP_WITHOUT_SHARED_DATA();
  const std::string dir = (kShared / "jma").string() + "/";
  Collect sediment = convert("jmaxml", read_shared("jma/17_01_01_190529_VXWW50.xml"),
                             {.type = "WeatherWarning", .source = dir + "17_01_01_190529_VXWW50.xml"});
  const auto* kitakyushu = sediment.find("urn:ngsi-ld:WeatherWarning:jma-VXWW50-4010000");
  const auto* fukuoka = sediment.find("urn:ngsi-ld:WeatherWarning:jma-VXWW50-4013000");
  ASSERT_TRUE(kitakyushu && fukuoka);
  EXPECT_EQ(level(*kitakyushu), 4);  // 土砂災害警戒情報 is 警戒レベル4相当
  EXPECT_EQ(level(*fukuoka), 0);     // 解除
  EXPECT_EQ((*fukuoka)["alerts"]["value"].Size(), 0u);

  Collect flood = convert("jmaxml", read_shared("jma/16_02_02_220728_VXKOii.xml"),
                          {.type = "WeatherWarning", .source = dir + "16_02_02_220728_VXKOii.xml"});
  ASSERT_EQ(flood.entities.size(), 5u);  // the five municipalities the 六角川 may flood
  const auto* takeo = flood.find("urn:ngsi-ld:WeatherWarning:jma-VXKO-890904000100-4120600");
  ASSERT_NE(takeo, nullptr);
  EXPECT_NE(alert_named(*takeo, "氾濫警戒情報"), nullptr);
  EXPECT_EQ(level(*takeo), 3);
  EXPECT_EQ(value(*takeo, "title"), "\"六角川氾濫警戒情報\"");

  // 記録的短時間大雨情報 names 一次細分区域 (石狩地方): resolved to its municipalities by area.json.
  const std::string table = dir + "amedas/area.json";
  Collect rain = convert(
      "jmaxml", read_shared("jma/18_03_01_190412_VPOA50.xml"),
      {.type = "WeatherWarning", .params = {{"areaTable", table}}, .source = dir + "18_03_01_190412_VPOA50.xml"});
  EXPECT_TRUE(rain.rejections.empty());
  const auto* chuo = rain.find("urn:ngsi-ld:WeatherWarning:jma-VPOA50-0110000");  // 札幌市, in 石狩地方
  ASSERT_NE(chuo, nullptr);
  EXPECT_NE(alert_named(*chuo, "記録的短時間大雨情報"), nullptr);
  EXPECT_EQ(level(*chuo), 1);
  // Without the area table those areas are rejected with the reason; the run goes on.
  Collect no_table = convert(
      "jmaxml", read_shared("jma/18_03_01_190412_VPOA50.xml"),
      {.type = "WeatherWarning", .params = {{"areaTable", dir + "missing.json"}}, .source = dir + "x_VPOA50_0.xml"});
  EXPECT_TRUE(no_table.entities.empty());
  ASSERT_EQ(no_table.rejections.size(), 3u);
  EXPECT_NE(no_table.rejections[0].reason.find("016010 is a region"), std::string::npos)
      << no_table.rejections[0].reason;
}

TEST(JmaXmlFormat, DrillsAreSkippedAndOtherTelegramsRefused) {
  SKIP_WITHOUT_SHARED_DATA();
  const std::string dir = (kShared / "jma").string() + "/";
  Collect drill = convert("jmaxml", read_shared("jma/32-35_01_02_240613_VXSE52.xml"),
                          {.type = "WeatherWarning", .source = dir + "a.xml"});
  EXPECT_TRUE(drill.entities.empty());
  EXPECT_TRUE(drill.noted("Status 訓練, skipped"));
  Collect sink;
  auto forecast = find_format("jmaxml")->convert(read_shared("jma/24_10_01_130906_VPFD50.xml"),
                                                 {.type = "WeatherWarning", .source = "f.xml"}, sink);
  ASSERT_FALSE(forecast);
  EXPECT_NE(forecast.error().detail.find("is not a warning telegram"), std::string::npos);
  auto broken =
      find_format("jmaxml")->convert("<Report><Control>", {.type = "WeatherWarning", .source = "b.xml"}, sink);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().detail.find("invalid XML"), std::string::npos);
}

TEST(JmaXmlFormat, AtomFeedReadsListedTelegramsNewestLast) {
  SKIP_WITHOUT_SHARED_DATA();
  // A feed as the PULL service writes it (newest first), pointing at local telegrams: the real
  // VPWW54, a later one of our own that lifts 酒田市's warnings, a forecast that the type filter
  // leaves out, and a link that cannot be read.
  const auto dir = std::filesystem::temp_directory_path() / ("jmafeed-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string later = (dir / "20240725060000_0_VPWW54_060000.xml").string();
  std::ofstream(later) << R"(<?xml version="1.0" encoding="UTF-8"?>
<Report xmlns="http://xml.kishou.go.jp/jmaxml1/"><Control><Title>気象警報・注意報（Ｈ２７）</Title><Status>通常</Status>
<EditorialOffice>山形地方気象台</EditorialOffice></Control>
<Head xmlns="http://xml.kishou.go.jp/jmaxml1/informationBasis1/"><Title>山形県気象警報・注意報</Title>
<ReportDateTime>2024-07-25T15:00:00+09:00</ReportDateTime><InfoType>発表</InfoType><InfoKind>気象警報・注意報</InfoKind></Head>
<Body xmlns="http://xml.kishou.go.jp/jmaxml1/body/meteorology1/"><Warning type="気象警報・注意報（市町村等）">
<Item><Kind><Name>大雨特別警報</Name><Code>33</Code><Status>解除</Status></Kind><Area><Name>酒田市</Name><Code>0620400</Code></Area></Item>
</Warning></Body></Report>)";
  const std::string first = (kShared / "jma/live/20240725040511_0_VPWW54_060000.xml").string();
  std::ostringstream feed;
  feed
      << R"(<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>高頻度（随時）</title>)"
      << "<entry><title>気象警報・注意報（Ｈ２７）</title><updated>2024-07-25T06:00:00Z</updated><link "
         "type=\"application/xml\" href=\""
      << later << "\"/></entry>"
      << "<entry><title>府県天気予報</title><updated>2024-07-25T05:00:00Z</updated><link type=\"application/xml\" "
         "href=\""
      << (kShared / "jma/24_10_01_130906_VPFD50.xml").string() << "\"/></entry>"
      << "<entry><title>気象警報・注意報（Ｈ２７）</title><updated>2024-07-25T04:05:11Z</updated><link "
         "type=\"application/xml\" href=\""
      << first << "\"/></entry>"
      << "<entry><title>土砂災害警戒情報</title><updated>2024-07-25T04:00:00Z</updated><link type=\"application/xml\" "
         "href=\""
      << (dir / "gone_VXWW50_060000.xml").string() << "\"/></entry>"
      << "</feed>";
  Collect c = convert("jmaxml", feed.str(),
                      {.type = "WeatherWarning", .params = {{"areas", "06"}}, .source = (dir / "extra.xml").string()});
  EXPECT_TRUE(c.noted("3 of 4 feed entries"));
  ASSERT_EQ(c.rejections.size(), 1u);  // the link that cannot be read
  EXPECT_NE(c.rejections[0].row.find("gone_VXWW50"), std::string::npos);
  EXPECT_EQ(c.entities.size(), 35u);
  const auto* sakata = c.find("urn:ngsi-ld:WeatherWarning:jma-VPWW54-0620400");
  ASSERT_NE(sakata, nullptr);
  EXPECT_EQ(level(*sakata), 0);  // the later telegram wins
  EXPECT_EQ(json::view((*sakata)["dateIssued"]["value"]["@value"]), "2024-07-25T06:00:00.000Z");
  const auto* yamagata = c.find("urn:ngsi-ld:WeatherWarning:jma-VPWW54-0620100");
  ASSERT_NE(yamagata, nullptr);
  EXPECT_EQ(level(*yamagata), 2);
  // Only the telegrams of the offices asked for are read.
  Collect other =
      convert("jmaxml", feed.str(),
              {.type = "WeatherWarning", .params = {{"offices", "420000"}}, .source = (dir / "extra.xml").string()});
  EXPECT_TRUE(other.noted("0 of 4 feed entries"));
  EXPECT_TRUE(other.entities.empty() && other.rejections.empty());
  std::filesystem::remove_all(dir);
}

TEST(GtfsFormat, KasuyaFeedWithJapaneseExtensionsAndLegacyTranslations) {
  SKIP_WITHOUT_SHARED_DATA();
  Collect c = convert("gtfs", read_shared("gtfs/403491_fureaibus_gtfs_20190401.zip"),
                      {.type = "Gtfs", .params = {{"feed", "kasuya"}}, .source = "feed.zip"});
  EXPECT_TRUE(c.rejections.empty());
  size_t agencies = 0, stops = 0, routes = 0, trips = 0;
  for (const auto& e : c.entities) {
    const std::string_view t = json::view(e["type"]);
    agencies += t == "GtfsAgency", stops += t == "GtfsStop", routes += t == "GtfsRoute", trips += t == "GtfsTrip";
  }
  EXPECT_EQ(std::tuple(agencies, stops, routes, trips), std::tuple(1u, 131u, 6u, 32u));  // the files' data rows
  const auto* stop = c.find("urn:ngsi-ld:GtfsStop:kasuya:1-0");
  ASSERT_NE(stop, nullptr);
  EXPECT_EQ(value(*stop, "name"), "\"上大隈\"");
  EXPECT_EQ(value(*stop, "nameKana"), "\"かみおおくま\"");  // translations.txt, v1/v2 layout
  EXPECT_EQ(json::view((*stop)["hasParentStation"]["object"]), "urn:ngsi-ld:GtfsStop:kasuya:1");
  EXPECT_EQ(json::to_string((*stop)["location"]["value"]["coordinates"]), "[130.495995,33.628483]");
  const auto* agency = c.find("urn:ngsi-ld:GtfsAgency:kasuya:4000020403491");
  ASSERT_NE(agency, nullptr);
  EXPECT_EQ(value(*agency, "officialName"), "\"粕屋町\"");  // agency_jp.txt
  const auto* route = c.find("urn:ngsi-ld:GtfsRoute:kasuya:A-1");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(value(*route, "originStop"), "\"粕屋町福祉センター\"");  // routes_jp.txt
  EXPECT_EQ(value(*route, "parentRouteId"), "\"Aコース\"");
  EXPECT_EQ(json::view((*route)["operatedBy"]["object"]), "urn:ngsi-ld:GtfsAgency:kasuya:4000020403491");
  const auto* trip = c.find("urn:ngsi-ld:GtfsTrip:kasuya:" + id_part("A-2+平日+1"));  // percent-encoded in the URN
  ASSERT_NE(trip, nullptr);
  EXPECT_EQ(json::view((*trip)["hasRoute"]["object"]), "urn:ngsi-ld:GtfsRoute:kasuya:A-2");
  EXPECT_TRUE(c.noted("GTFS-JP requires fare_attributes.txt"));
  EXPECT_TRUE(c.noted("stop_times.txt: 898 rows checked"));

  // A feed needs its name; a file that is not a zip is refused.
  EXPECT_NE(find_format("gtfs")->invalid({.type = "Gtfs"}).find("params.feed is required"), std::string::npos);
  Collect sink;
  auto s = find_format("gtfs")->convert("PK not a zip", {.type = "Gtfs", .params = {{"feed", "x"}}}, sink);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().detail.find("not a zip file"), std::string::npos);
}

// Writes `text` to `path`, creating its folders.
void write_file(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

TEST(CkanFormat, HarvestsTheCsvResourcesOfARecordedPackageSearch) {
  SKIP_WITHOUT_SHARED_DATA();
  // The recorded demo.ckan.org package_search (3 packages: two CSV resources and a PDF), its
  // resource URLs moved into a local folder where the two CSVs are two municipalities' real
  // イベント一覧 (the same standard layout, so one entity type).
  const auto dir = std::filesystem::temp_directory_path() / ("ckan-" + std::to_string(::getpid()));
  const std::string base = dir.string() + "/";
  const std::string kurume = read_shared("opendata/events/o1-402036_g1-000304.csv");
  const std::string saga = read_shared("opendata/events/o1-412015_g1-000304.csv");
  const auto saga_path = dir /
                         "dataset/17be64bb-da74-4195-9bb8-565c39846af2/resource/a5cd573b-5565-48f1-9b2d-8726004cb020/"
                         "download/20161231_rase.csv";
  write_file(dir /
                 "dataset/62513382-3b26-4bc8-9096-40b6ce8383c0/resource/bf4d5116-634e-43f2-a41c-9ae22d362083/download/"
                 "validated_100_species.csv",
             kurume);
  write_file(saga_path, saga);
  const std::string search = replace_all(read_shared("ckan/packages.json"), "https://demo.ckan.org/", base);
  const Options o{.type = "Event", .source = base + "api/3/action/package_search"};
  const Collect direct_kurume = convert("csv", kurume, o), direct_saga = convert("csv", saga, o);
  ASSERT_GT(direct_kurume.entities.size(), 0u);
  ASSERT_GT(direct_saga.entities.size(), 0u);

  Collect c = convert("ckan", search, o);
  EXPECT_TRUE(c.rejections.empty()) << c.rejections[0].reason;
  EXPECT_TRUE(c.incompletes.empty());
  EXPECT_EQ(c.entities.size(), direct_kurume.entities.size() + direct_saga.entities.size());
  EXPECT_NE(c.find(json::view(direct_kurume.entities[0]["id"])), nullptr);
  EXPECT_NE(c.find(json::view(direct_saga.entities.back()["id"])), nullptr);
  EXPECT_TRUE(c.noted("3 packages, 2 resources to import"));
  EXPECT_TRUE(c.noted("resources not harvested (not csv or geojson): PDF 1"));
  EXPECT_TRUE(
      c.noted("credit: SDB「2016 Regione Asia Est Oceania * Classi di età」 Creative Commons Attribution "
              "(http://www.opendefinition.org/licenses/cc-by)"));
  EXPECT_TRUE(c.noted("2016-regione-asia-est-oceania-classi-di-eta/20161231_RASE.csv: encoding: UTF-8 (BOM)"));

  // Only GeoJSON asked for: nothing to import.
  Options geo = o;
  geo.params["resourceFormats"] = "geojson";
  EXPECT_TRUE(convert("ckan", search, geo).entities.empty());
  EXPECT_NE(find_format("ckan")
                ->invalid({.type = "Event", .params = {{"resourceFormats", "csv,pdf"}}})
                .find("'pdf' is not csv or geojson"),
            std::string::npos);

  // A resource that is gone is rejected and leaves the run incomplete; the other is imported.
  std::filesystem::remove(saga_path);
  Collect partial = convert("ckan", search, o);
  ASSERT_EQ(partial.rejections.size(), 1u);
  EXPECT_NE(partial.rejections[0].reason.find("2016-regione-asia-est-oceania-classi-di-eta/20161231_RASE.csv: "),
            std::string::npos);
  EXPECT_EQ(partial.incompletes.size(), 1u);
  EXPECT_EQ(partial.entities.size(), direct_kurume.entities.size());

  // package_list beside local package_show files (<name>.json): one is missing.
  write_file(dir / "api/3/action/one.json",
             replace_all(replace_all(read_shared("ckan/62513382-3b26-4bc8-9096-40b6ce8383c0.json"),
                                     "https://demo.ckan.org/", base),
                         "\"format\": \"CSV\"", "\"format\": \"\""));  // found by the URL's .csv instead
  Collect listed = convert("ckan", R"({"success": true, "result": ["one", "two"]})",
                           {.type = "Event", .source = base + "api/3/action/package_list"});
  EXPECT_EQ(listed.entities.size(), direct_kurume.entities.size());
  ASSERT_EQ(listed.rejections.size(), 1u);
  EXPECT_NE(listed.rejections[0].reason.find("package_show two"), std::string::npos);
  EXPECT_EQ(listed.incompletes.size(), 1u);

  // The same table published twice in one package: its entities once, and a note.
  const std::string twice = R"({"success": true, "result": {"name": "p", "title": "t", "resources": [)"
                            R"({"name": "utf8", "format": "CSV", "url": ")" +
                            base + R"(k.csv"}, {"name": "again", "format": "csv", "url": ")" + base + R"(k.csv"}]}})";
  write_file(dir / "k.csv", kurume);
  Collect dup = convert("ckan", twice, o);
  EXPECT_EQ(dup.entities.size(), direct_kurume.entities.size());
  EXPECT_TRUE(dup.noted("p/again: " + std::to_string(direct_kurume.entities.size()) +
                        " entities have the ids of an earlier resource's"));

  // Responses that are not CKAN's, or a failed request, are errors.
  Collect sink;
  auto not_ckan = find_format("ckan")->convert(R"({"type": "FeatureCollection"})", o, sink);
  ASSERT_FALSE(not_ckan);
  EXPECT_EQ(not_ckan.error().title, "Not a CKAN response");
  auto failed = find_format("ckan")->convert(
      R"({"success": false, "error": {"message": "Not found", "__type": "Not Found Error"}})", o, sink);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().detail.find("Not found"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Source, RefusesSourcesLargerThanTheCap) {
  SKIP_WITHOUT_SHARED_DATA();
  const std::string path = (kShared / "jma/18_03_01_190412_VPOA50.xml").string();  // 2,258 bytes
  auto whole = fetch_source(path, {}, 60, 2258);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->body.size(), 2258u);
  auto cut = fetch_source("file://" + path, {}, 60, 2257);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().title, "Source too large");
  EXPECT_NE(cut.error().detail.find("more than 2257 bytes"), std::string::npos);
}

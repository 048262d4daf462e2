// Mutation fuzzing of the parsers that take untrusted input (q, type/scopeQ expressions, geoQ,
// entity bodies, connector sources in CSV, GeoJSON and AMeDAS JSON): seeds are mutated at random (bytes flipped,
// inserted, deleted, spliced) and every result must be a value or an Error — never a crash, a hang, or a sanitizer
// report (this runs under ASan/UBSan in CI). Deterministic: a fixed seed per parser.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "connect/format.h"
#include "model/parse.h"
#include "query/geo.h"
#include "query/names.h"
#include "query/q.h"
#include "shared_data.h"

using namespace dejima;

namespace {

constexpr int kRounds = 20000;

std::string mutate(std::mt19937& rng, const std::vector<std::string>& seeds) {
  static const std::string alphabet = "()[];|,.=!<>~\"'\\:/#+-0123456789eE.abcxyz \t{}";
  std::string s = seeds[rng() % seeds.size()];
  const int edits = 1 + static_cast<int>(rng() % 6);
  for (int i = 0; i < edits; ++i) {
    const size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0:
        if (!s.empty() && pos < s.size()) s[pos] = alphabet[rng() % alphabet.size()];
        break;
      case 1: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      case 2:
        if (pos < s.size()) s.erase(pos, 1 + rng() % 4);
        break;
      case 3: {
        const auto& other = seeds[rng() % seeds.size()];
        s.insert(pos, other.substr(rng() % (other.size() + 1)));
        break;
      }
      case 4:
        if (pos < s.size()) s[pos] = static_cast<char>(rng() % 256);
        break;
    }
  }
  return s;
}

}  // namespace

TEST(MutationFuzz, QLanguage) {
  const std::vector<std::string> seeds = {
      "speed>50;brand==\"A\"",   "(a<1|b>=2);c!=3..7",       "name~=^Naga.*", "x!~=(?i)abc",
      "tags==\"a\",\"b\"",       "t>2026-11-24T03:00:00Z",   "d==2026-11-24", "a.b.observedAt<2026-01-01T00:00:00Z",
      "addr[city][ward]==\"x\"", "rel==urn:ngsi-ld:Route:1", "ok==true",      "https://ex.org/p==1"};
  std::mt19937 rng(1);
  for (int i = 0; i < kRounds; ++i) {
    const std::string q = mutate(rng, seeds);
    auto e = query::parse_q(q, *jsonld::Context::core());
    if (!e) {
      EXPECT_EQ(e.error().kind, ErrorKind::BadRequestData) << q;
    }
  }
}

TEST(MutationFuzz, TypeAndScopeExpressions) {
  const std::vector<std::string> seeds = {"A,B", "(A;B)|C", "/Nagasaki/#", "/a/+/b,/c", "((A))"};
  std::mt19937 rng(2);
  for (int i = 0; i < kRounds; ++i) {
    const std::string s = mutate(rng, seeds);
    auto n = query::parse_names(s, "type");
    if (n) n->for_each_atom([](std::string& atom) { (void)query::check_scope_pattern(atom); });
    (void)query::scope_matches(s, "/Nagasaki/Dejima");
  }
}

TEST(MutationFuzz, GeoQuery) {
  const std::vector<std::string> seeds = {"[129.87,32.75]", "[[[129,32],[130,32],[130,33],[129,33],[129,32]]]",
                                          "[[129,32],[130,33]]", "[[[[129,32],[130,32],[130,33],[129,32]]]]"};
  const std::vector<std::string> rels = {"near;maxDistance==500",
                                         "within",
                                         "intersects",
                                         "near;minDistance==1e3",
                                         "contains",
                                         "disjoint",
                                         "equals",
                                         "overlaps"};
  const std::vector<std::string> types = {"Point", "Polygon", "LineString", "MultiPolygon", "MultiPoint"};
  std::mt19937 rng(3);
  for (int i = 0; i < kRounds; ++i) {
    const std::string coords = mutate(rng, seeds);
    auto g = query::GeoQuery::parse(mutate(rng, rels), types[rng() % types.size()], coords, "loc");
    if (g)
      (void)(*g)->matches_geometry(
          R"({"type":"Polygon","coordinates":[[[129.5,32.5],[129.9,32.5],[129.9,32.9],[129.5,32.5]]]})");
  }
}

TEST(MutationFuzz, EntityBodies) {
  const std::vector<std::string> seeds = {
      R"({"id":"urn:a:1","type":"T","p":{"type":"Property","value":1,"observedAt":"2026-11-24T00:00:00Z"}})",
      R"({"id":"urn:a:1","type":["T","U"],"l":{"type":"GeoProperty","value":{"type":"Point","coordinates":[1,2]}}})",
      R"({"id":"urn:a:1","type":"T","r":[{"type":"Relationship","object":"urn:b","datasetId":"urn:d:1"}]})",
      R"({"id":"urn:a:1","type":"T","n":{"type":"LanguageProperty","languageMap":{"ja":"出島"}},"s":{"type":"ListProperty","valueList":[1,2]}})"};
  std::mt19937 rng(4);
  for (int i = 0; i < kRounds; ++i) {
    const std::string text = mutate(rng, seeds);
    json::Document d;
    if (!json::parse(d, text).empty()) continue;
    for (auto mode : {model::ParseMode::Create, model::ParseMode::MergePatch}) {
      auto p = model::parse_entity(d, *jsonld::Context::core(), mode);
      if (!p) {
        EXPECT_EQ(p.error().kind, ErrorKind::BadRequestData) << text;
      }
    }
  }
}

namespace {

// Every entity a format emits must be one the broker accepts or rejects with a 400.
struct CheckingSink final : connect::Sink {
  explicit CheckingSink(std::string f) : format(std::move(f)) {}
  std::string format;
  void entity(std::string text) override {
    json::Document d;
    const std::string err = json::parse(d, text);
    ASSERT_TRUE(err.empty()) << format << ": " << err << "\n" << text;
    auto p = model::parse_entity(d, *jsonld::Context::core(), model::ParseMode::Create);
    if (!p) {
      EXPECT_EQ(p.error().kind, ErrorKind::BadRequestData) << text;
    }
  }
  void reject(connect::Rejection r) override { EXPECT_FALSE(r.reason.empty()); }
  void note(std::string) override {}
  void progress(size_t done, size_t total) override { EXPECT_LE(done, total); }
  void incomplete(std::string reason) override { EXPECT_FALSE(reason.empty()); }
};

}  // namespace

TEST(MutationFuzz, ConnectorSources) {
  const std::vector<std::string> csv = {
      "\xEF\xBB\xBFNO,名称,緯度,経度,想定収容人数\r\n1,\"A\nB\",32.7,129.8,10\r\n2,C,,,\r\n",
      "#comment\n#property,name,location\n#license,CC BY\nx,y,\"32.7, 129.8\"\n",
      "\x96\xBC\x8F\xCC,ID\r\n\x92\xB7\x8D\xE8,1\r\n",  // Shift_JIS 名称,ID / 長崎,1
      "a;b\n\"unterminated\n"};
  const std::vector<std::string> geojson = {
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ID":"1","名称":"A","災害種別_洪水":"1"},"geometry":{"type":"Point","coordinates":[129.8,32.7]}}]})",
      R"({"type":"Feature","properties":{"P20_001":"x"},"geometry":{"type":"Polygon","coordinates":[[[129,32],[130,32],[130,33],[129,32]]]}})"};
  const std::vector<std::string> amedas = {
      R"({"84496":{"temp":[15.4,0],"humidity":[46,0],"windDirection":[16,0],"wind":[3.1,null]},"84497":{"temp":[null,5]}})"};
  const auto table = std::filesystem::temp_directory_path() / "dejima_fuzz_amedastable.json";
  std::ofstream(table) << R"({"84496":{"type":"A","lat":[32,44],"lon":[129,52],"alt":27,"kjName":"長崎"},)"
                          R"("84497":{"type":"C","lat":[91,0],"lon":[129,0],"kjName":"x"}})";
  const std::vector<std::string> jmaxml = {
      R"(<Report><Control><Title>気象警報・注意報（Ｈ２７）</Title><Status>通常</Status></Control><Head><ReportDateTime>2024-07-25T15:00:00+09:00</ReportDateTime><InfoKind>気象警報・注意報</InfoKind></Head>)"
      R"(<Body><Warning type="気象警報・注意報（市町村等）"><Item><Kind><Name>大雨警報</Name><Status>発表</Status></Kind><Kind><Status>解除</Status></Kind>)"
      R"(<Area><Name>長崎市</Name><Code>4220100</Code></Area></Item><Item><Kind><Name>記録的短時間大雨情報</Name></Kind><Areas><Area><Code>424010</Code></Area><Area><CityCode>4220200</CityCode></Area></Areas></Item></Warning></Body></Report>)",
      R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry><updated>2024</updated><link type="application/xml" href="/nonexistent/dejima_fuzz_VPWW54_0.xml"/></entry></feed>)"};
  // GTFS: the real small feeds (mutations mostly exercise libzip and the member reading: a
  // changed byte fails the member's CRC; the tables are the CSV reader fuzzed above).
  std::vector<std::string> gtfs;
  for (const char* feed : {"402303tosengtfs.zip", "401005_shieitosengtfs.zip"}) {
    if (!test::have_shared_data()) break;  // without ../shared/data the GTFS reader is not fuzzed here
    gtfs.push_back(test::read_shared(std::string("gtfs/") + feed));
    ASSERT_FALSE(gtfs.back().empty()) << feed;
  }
  const auto areas = std::filesystem::temp_directory_path() / "dejima_fuzz_area.json";
  std::ofstream(areas)
      << R"({"class10s":{"424010":{"children":["424011"]}},"class15s":{"424011":{"children":["4220100","x"]}},)"
         R"("class20s":{"4220100":{"name":"長崎市"},"x":{}}})";
  const auto resource = std::filesystem::temp_directory_path() / "dejima_fuzz_resource.csv";
  std::ofstream(resource) << "ID,名称,緯度,経度\n1,A,32.7,129.8\n";
  const std::vector<std::string> ckan = {
      R"({"success":true,"result":{"count":2,"results":[{"name":"p","title":"t","organization":{"title":"o"},"resources":[)"
      R"({"format":"CSV","url":")" +
          resource.string() + R"("},{"format":"","url":"/nonexistent/x.geojson"},{"format":"PDF","url":"x"}]}]}})",
      R"({"success":true,"result":["a","b"]})", R"({"success":false,"error":{"message":"Not found"}})"};
  const connect::Options o{.type = "Place",
                           .columns = {{"a", "name"}},
                           .params = {{"stationTable", table.string()}, {"areaTable", areas.string()}, {"feed", "f"}},
                           .source = "/x/map/20210224150000.json"};
  std::mt19937 rng(5);
  for (int i = 0; i < kRounds / 4; ++i) {
    for (const auto& [format, seeds] :
         {std::pair{"csv", &csv}, std::pair{"geojson", &geojson}, std::pair{"amedas", &amedas},
          std::pair{"jmaxml", &jmaxml}, std::pair{"gtfs", &std::as_const(gtfs)}, std::pair{"ckan", &ckan}}) {
      if (seeds->empty()) continue;
      const std::string text = mutate(rng, *seeds);
      CheckingSink sink(format);
      auto s = connect::find_format(format)->convert(text, o, sink);
      if (!s) {
        EXPECT_EQ(s.error().kind, ErrorKind::BadRequestData) << text;
      }
    }
  }
}

#include "app/demo.h"

#include <fstream>
#include <map>
#include <sstream>

#include "connect/csv.h"

namespace dejima {
namespace {

// The 21 municipalities of Nagasaki prefecture (全国地方公共団体コード).
constexpr const char* kMunicipalities[] = {"422011", "422029", "422037", "422045", "422053", "422070", "422088",
                                           "422096", "422100", "422118", "422126", "422134", "422142", "423076",
                                           "423084", "423211", "423220", "423238", "423831", "423912", "424111"};

// Their tenant names (romanised) and English names, in the order above.
constexpr std::pair<const char*, const char*> kMunicipalNames[] = {
    {"nagasaki", "Nagasaki City"},
    {"sasebo", "Sasebo City"},
    {"shimabara", "Shimabara City"},
    {"isahaya", "Isahaya City"},
    {"omura", "Omura City"},
    {"hirado", "Hirado City"},
    {"matsuura", "Matsuura City"},
    {"tsushima", "Tsushima City"},
    {"iki", "Iki City"},
    {"goto", "Goto City"},
    {"saikai", "Saikai City"},
    {"unzen", "Unzen City"},
    {"minamishimabara", "Minamishimabara City"},
    {"nagayo", "Nagayo Town"},
    {"togitsu", "Togitsu Town"},
    {"higashisonogi", "Higashisonogi Town"},
    {"kawatana", "Kawatana Town"},
    {"hasami", "Hasami Town"},
    {"ojika", "Ojika Town"},
    {"saza", "Saza Town"},
    {"shinkamigoto", "Shinkamigoto Town"},
};
static_assert(std::size(kMunicipalNames) == std::size(kMunicipalities));

// The entity types the demo connectors write (all open data).
constexpr const char* kDemoTypes[] = {"EvacuationSpace", "EvacuationShelter", "WeatherObserved",
                                      "WeatherWarning",  "TouristAttraction", "GtfsAgency",
                                      "GtfsRoute",       "GtfsStop",          "GtfsTrip"};

// GSI 指定緊急避難場所・指定避難所データ split per municipality by the jp-shelter-api project.
constexpr const char* kShelterApi = "https://motohasystem.github.io/jp-shelter-api/api/v0/";
constexpr const char* kAmedasLatest = "https://www.jma.go.jp/bosai/amedas/data/latest_time.txt";
// GTFS-JP feeds of Nagasaki prefecture (all CC BY 4.0) as ../shared/data/gtfs/gtfs-jp-list.csv
// lists them; their URLs name a release, so a newer release needs a new URL here.
constexpr std::pair<const char*, const char*> kGtfsFeeds[] = {
    {"keneibus", "https://www.keneibus.jp/fs/4/7/7/4/_/GTFS_R3.7.1.zip"},  // 長崎県営バス
    {"gunkanjima",
     "https://data.bodik.jp/dataset/c507ab86-fa09-4ee6-91cd-d0a865a31229/resource/"
     "54ebdbe4-63ae-4f04-b2a3-094f9a04aee0/download/2021-05-10_gunkanjima.zip"},  // 軍艦島上陸周遊クルーズ
    {"tainoura",
     "http://data.bodik.jp/dataset/80da3e1f-5e26-4b85-a9f1-61fa560b91b1/resource/"
     "5acda669-d9be-4610-9df0-0d82a098b579/download/gtfs2019.11.14.zip"},  // 五島産業汽船 鯛ノ浦～長崎航路
};
// The PULL service's long feed of 随時 telegrams (warnings), covering several days.
constexpr const char* kJmaExtraFeed = "https://www.data.jma.go.jp/developer/xml/feed/extra_l.xml";

connect::Declaration declaration(std::string name, std::string source, std::string format, std::string type,
                                 std::string schedule) {
  connect::Declaration d;
  d.name = std::move(name);
  d.source = std::move(source);
  d.format = std::move(format);
  d.options.type = std::move(type);
  d.schedule = *connect::Schedule::parse(schedule);
  d.origin = "demo";
  return d;
}

// 5-digit code → (name, population) of Nagasaki's rows in the census file.
std::map<std::string, std::pair<std::string, long long>> census_of_nagasaki(const std::string& file) {
  std::map<std::string, std::pair<std::string, long long>> out;
  std::ifstream in(file, std::ios::binary);
  if (!in) return out;
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  connect::CsvReader csv(all);
  std::vector<std::string> f;  // 都道府県コード,市区町村コード,都道府県名,市区町村名,人口_総数,...
  while (csv.next(f))
    if (f.size() >= 5 && f[0] == "42" && !f[4].empty() && f[4].find_first_not_of("0123456789") == std::string::npos)
      out[f[1]] = {f[3], std::stoll(f[4])};
  return out;
}

}  // namespace

std::vector<access::TenantRecord> demo_tenants(const std::string& data) {
  const std::string local = data.empty() ? "" : (data.ends_with('/') ? data : data + "/");
  const auto census = local.empty() ? decltype(census_of_nagasaki("")){}
                                    : census_of_nagasaki(local + "population/major_results_2020.csv");
  const Millis now = now_millis();
  std::vector<access::TenantRecord> out;
  access::TenantRecord pref{.name = "",
                            .name_ja = "長崎県",
                            .name_en = "Nagasaki Prefecture",
                            .code = "420000",
                            .kind = "prefecture",
                            .public_types = {std::begin(kDemoTypes), std::end(kDemoTypes)},
                            .created_at = now,
                            .modified_at = now};
  if (auto it = census.find("42000"); it != census.end()) pref.population = it->second.second;
  out.push_back(std::move(pref));
  if (census.empty()) return out;
  for (size_t i = 0; i < std::size(kMunicipalities); ++i) {
    const std::string code = kMunicipalities[i];
    auto it = census.find(code.substr(0, 5));
    if (it == census.end()) continue;
    const std::string& ja = it->second.first;
    out.push_back(access::TenantRecord{.name = kMunicipalNames[i].first,
                                       .name_ja = ja,
                                       .name_en = kMunicipalNames[i].second,
                                       .code = code,
                                       .kind = ja.ends_with("市")   ? "city"
                                               : ja.ends_with("町") ? "town"
                                                                    : "village",
                                       .population = it->second.second,
                                       .created_at = now,
                                       .modified_at = now});
  }
  return out;
}

std::vector<connect::Declaration> demo_connectors(const std::string& data) {
  const std::string local = data.empty() ? "" : (data.ends_with('/') ? data : data + "/");
  std::vector<connect::Declaration> out;
  for (const auto& [kind, type] :
       {std::pair{"emergency", "EvacuationSpace"}, std::pair{"evacuation", "EvacuationShelter"}})
    for (const char* code : kMunicipalities) {
      const std::string file = std::string(kind) + "/" + code + ".json";
      auto d = declaration(std::string("demo-") + kind + "-" + code,
                           local.empty() ? kShelterApi + file : local + "shelters/" + file, "geojson", type, "P1D");
      d.delete_missing = true;
      d.options.id_prefix = "urn:ngsi-ld:" + std::string(type) + ":" + code + ":";  // its own, for deleteMissing
      out.push_back(std::move(d));
    }
  auto amedas =
      declaration("demo-amedas-nagasaki", local.empty() ? kAmedasLatest : local + "jma/amedas/20210224150000.json",
                  "amedas", "WeatherObserved", "PT10M");
  amedas.options.params["stations"] = "84";  // Nagasaki's 20 stations
  out.push_back(std::move(amedas));
  if (local.empty()) {  // no telegrams or GTFS feeds of Nagasaki in the local copies
    auto warnings = declaration("demo-warnings-nagasaki", kJmaExtraFeed, "jmaxml", "WeatherWarning", "PT10M");
    warnings.options.params = {{"offices", "420000"}, {"areas", "42"}};  // 長崎地方気象台, Nagasaki's municipalities
    out.push_back(std::move(warnings));
    for (const auto& [feed, url] : kGtfsFeeds) {
      auto gtfs = declaration(std::string("demo-gtfs-") + feed, url, "gtfs", "Gtfs", "P1D");
      gtfs.options.params = {{"feed", feed}};
      gtfs.delete_missing = true;
      out.push_back(std::move(gtfs));
    }
  }
  if (!local.empty())  // 島原市 観光施設一覧: no published URL known, local copy only
    out.push_back(declaration("demo-tourism-shimabara", local + "opendata/shimabara_tourism.csv", "csv",
                              "TouristAttraction", "P1D"));
  return out;
}

}  // namespace dejima

// JMA AMeDAS JSON (the bosai web site's JSON, ../shared/docs/standards.md 4.2): a `map` snapshot
// of every station, `{station: {element: [value, qualityFlag]}}`, named by its JST time
// (…/map/YYYYMMDDhhmmss.json), or `latest_time.txt`, whose time names the snapshot to fetch
// beside it. One entity per station (WeatherObserved) with the station table's name and
// position, and each observed element as a Property with `observedAt`, `unitCode` and the
// JMA quality flag as a `qualityFlag` sub-property.
// params: `stations` — station number prefixes to keep, comma separated ("84" = Nagasaki);
//         `stationTable` — path or URL of amedastable.json (default: beside the source, or
//         …/amedas/const/amedastable.json for a …/amedas/data/map/ URL).
#include <algorithm>
#include <cmath>
#include <optional>

#include "connect/format.h"
#include "connect/row_mapper.h"
#include "connect/source.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::connect {
namespace {

struct Element {
  const char* jma;
  const char* attr;
  const char* unit;  // UN/CEFACT code, or ""
};
// Elements with a standard WeatherObserved name; others keep the JMA name.
constexpr Element kElements[] = {
    {"temp", "temperature", "CEL"},
    {"humidity", "relativeHumidity", "P1"},
    {"pressure", "atmosphericPressure", "A97"},
    {"normalPressure", "seaLevelPressure", "A97"},
    {"precipitation1h", "precipitation", "MMT"},
    {"precipitation10m", "precipitation10m", "MMT"},
    {"precipitation3h", "precipitation3h", "MMT"},
    {"precipitation24h", "precipitation24h", "MMT"},
    {"wind", "windSpeed", "MTS"},
    {"windDirection", "windDirection", "DD"},
    {"gust", "gustSpeed", "MTS"},
    {"gustDirection", "gustDirection", "DD"},
    {"sun10m", "sunshineDuration10m", "MIN"},
    {"sun1h", "sunshineDuration1h", "HUR"},
    {"snow", "snowHeight", "CMT"},
    {"snow1h", "snowfall1h", "CMT"},
    {"snow6h", "snowfall6h", "CMT"},
    {"snow12h", "snowfall12h", "CMT"},
    {"snow24h", "snowfall24h", "CMT"},
    {"visibility", "visibility", "MTR"},
};

const Element* element(std::string_view jma) {
  for (const auto& e : kElements)
    if (jma == e.jma) return &e;
  return nullptr;
}

bool ascii_name(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '_') return false;
  return true;
}

// "YYYYMMDDhhmmss" (JST) somewhere in the source name -> UTC milliseconds.
std::optional<Millis> time_in_name(std::string_view source) {
  for (size_t i = 0; i + 14 <= source.size(); ++i) {
    const std::string_view s = source.substr(i, 14);
    if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    if (i > 0 && std::isdigit(static_cast<unsigned char>(source[i - 1]))) continue;
    const std::string iso = std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4, 2)) + "-" +
                            std::string(s.substr(6, 2)) + "T" + std::string(s.substr(8, 2)) + ":" +
                            std::string(s.substr(10, 2)) + ":" + std::string(s.substr(12, 2)) + "+09:00";
    return parse_iso8601(iso);
  }
  return std::nullopt;
}

std::string jst_name(Millis t) {                          // UTC millis -> YYYYMMDDhhmmss in JST
  std::string iso = format_iso8601(t + 9 * 3600 * 1000);  // 2021-02-24T15:00:00.000Z
  std::string out;
  for (char c : iso.substr(0, 19))
    if (std::isdigit(static_cast<unsigned char>(c))) out += c;
  return out;
}

std::string default_station_table(const std::string& source) {
  if (auto p = source.find("/amedas/data/"); p != std::string::npos && source.starts_with("http"))
    return source.substr(0, p) + "/amedas/const/amedastable.json";
  return beside(source, "amedastable.json");
}

// [degrees, minutes] -> degrees.
std::optional<double> degrees(const json::Value& v) {
  if (!v.IsArray() || v.Size() != 2 || !v[0].IsNumber() || !v[1].IsNumber()) return std::nullopt;
  return v[0].GetDouble() + v[1].GetDouble() / 60.0;
}

// The snapshot to convert: every station's observations, their time and where they came from.
struct Snapshot {
  json::Document doc;
  Millis observed = 0;
  std::string name;
};

// latest_time.txt holds the time of the newest snapshot, in JST: fetch the snapshot beside it.
Result<Snapshot> fetch_latest_snapshot(std::string_view bytes, const std::string& source) {
  std::string text(bytes);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  const std::optional<Millis> observed = parse_iso8601(text);
  if (!observed)
    return fail(ErrorKind::BadRequestData, "Invalid AMeDAS time", "latest_time.txt holds '" + text.substr(0, 64) + "'");
  Snapshot snapshot{{}, *observed, beside(source, "map/" + jst_name(*observed) + ".json")};
  auto doc = fetch_json_object(snapshot.name, "snapshot");
  if (!doc) return std::unexpected(doc.error());
  snapshot.doc = std::move(*doc);
  return snapshot;
}

// A snapshot whose name holds its JST time.
Result<Snapshot> parse_snapshot(std::string_view bytes, const std::string& source) {
  const std::optional<Millis> observed = time_in_name(source);
  if (!observed)
    return fail(ErrorKind::BadRequestData, "Invalid AMeDAS source",
                "the snapshot's name must hold its JST time (…/map/YYYYMMDDhhmmss.json), or be latest_time.txt");
  Snapshot snapshot{{}, *observed, source};
  if (auto err = json::parse(snapshot.doc, bytes); !err.empty() || !snapshot.doc.IsObject())
    return fail(ErrorKind::BadRequestData, "Invalid AMeDAS JSON", err.empty() ? "the snapshot is not an object" : err);
  return snapshot;
}

// What the station table says of a station: its names, type, altitude and position.
void write_station(json::Writer& w, const json::Value& s, const std::string& code) {
  auto text_property = [&](const char* attr, const char* member) {
    auto m = s.FindMember(member);
    if (m != s.MemberEnd() && m->value.IsString()) write_text_property(w, attr, json::view(m->value));
  };
  text_property("name", "kjName");
  text_property("nameKana", "knName");
  text_property("nameEnglish", "enName");
  text_property("stationType", "type");
  write_text_property(w, "stationCode", code);
  if (auto alt = s.FindMember("alt"); alt != s.MemberEnd() && alt->value.IsNumber()) {
    open_property(w, "altitude");
    w.Double(alt->value.GetDouble());
    w.Key("unitCode");
    w.String("MTR");
    w.EndObject();
  }
  const auto lat = s.HasMember("lat") ? degrees(s["lat"]) : std::nullopt;
  const auto lon = s.HasMember("lon") ? degrees(s["lon"]) : std::nullopt;
  if (lat && lon && std::abs(*lat) <= 90 && std::abs(*lon) <= 180) {
    write_point_location(w, std::round(*lon * 1e6) / 1e6, std::round(*lat * 1e6) / 1e6);
  }
}

// One observed element, [value, qualityFlag], as a Property; nothing when it is missing
// ([null, flag]), not a reading, or not a name an attribute can have.
void write_element(json::Writer& w, std::string_view jma, const json::Value& v, const std::string& when) {
  if (!v.IsArray() || v.Empty() || !v[0].IsNumber()) return;
  const Element* known = element(jma);
  if (!known && !ascii_name(jma)) return;
  double value = v[0].GetDouble();
  if (known && std::string_view(known->unit) == "DD") {  // 16-point index, 0 = calm
    if (value < 1 || value > 16) return;
    value = std::fmod(value * 22.5, 360.0);
  }
  open_property(w, known ? known->attr : jma);
  if (v[0].IsInt64() && !(known && std::string_view(known->unit) == "DD"))
    w.Int64(v[0].GetInt64());
  else
    w.Double(value);
  w.Key("observedAt");
  json::write_string(w, when);
  if (known && *known->unit) {
    w.Key("unitCode");
    w.String(known->unit);
  }
  if (v.Size() > 1 && v[1].IsInt64()) {
    open_property(w, "qualityFlag");
    w.Int64(v[1].GetInt64());
    w.EndObject();
  }
  w.EndObject();
}

// One station's entity: the station table's `station` and the snapshot's `observations`.
std::string station_entity(const std::string& id, const std::string& type, const std::string& code,
                           const json::Value& station, const json::Value& observations, const std::string& when) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("id");
  json::write_string(w, id);
  w.Key("type");
  json::write_string(w, type);
  write_station(w, station, code);
  write_text_property(w, "dateObserved", when);
  for (const auto& el : observations.GetObject()) write_element(w, json::view(el.name), el.value, when);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

class AmedasFormat final : public Format {
 public:
  std::string_view name() const override { return "amedas"; }
  std::string default_id_prefix(const std::string& type) const override {
    return "urn:ngsi-ld:" + type + ":jma-amedas-";
  }

  Status convert(std::string_view bytes, const Options& o, Sink& sink) const override {
    auto snapshot = o.source.ends_with("latest_time.txt") ? fetch_latest_snapshot(bytes, o.source)
                                                          : parse_snapshot(bytes, o.source);
    if (!snapshot) return std::unexpected(snapshot.error());
    const std::string table_at =
        o.params.contains("stationTable") ? o.params.at("stationTable") : default_station_table(o.source);
    auto table = fetch_json_object(table_at, "station table");
    if (!table) return std::unexpected(table.error());
    const std::vector<std::string> prefixes = param_list(o, "stations");
    const std::string when = format_iso8601(snapshot->observed);
    const std::string prefix = o.id_prefix.empty() ? default_id_prefix(o.type) : o.id_prefix;
    sink.note("observedAt " + when + " (" + snapshot->name + ")");
    sink.note("credit: 出典：気象庁ホームページ");
    size_t n = 0, kept = 0;
    const size_t total = snapshot->doc.MemberCount();
    for (const auto& st : snapshot->doc.GetObject()) {
      ++n;
      const std::string code(json::view(st.name));
      if (!starts_with_any(code, prefixes)) continue;
      ++kept;
      auto reject = [&](std::string why) {
        sink.reject({n, std::move(why), cut_row(code + ": " + json::to_string(st.value)), prefix + code});
      };
      if (!st.value.IsObject()) {
        reject("the station's observations are not an object");
        continue;
      }
      auto info = table->FindMember(st.name);
      if (info == table->MemberEnd() || !info->value.IsObject()) {
        reject("station " + code + " is not in the station table");
        continue;
      }
      sink.entity(station_entity(prefix + code, o.type, code, info->value, st.value, when));
      if (n % 256 == 0) sink.progress(n, total);
    }
    if (!prefixes.empty())
      sink.note(std::to_string(kept) + " of " + std::to_string(total) +
                " stations kept (stations=" + o.params.at("stations") + ")");
    sink.progress(total, total);
    return {};
  }
};

}  // namespace

const Format& amedas_format() {
  static const AmedasFormat f;
  return f;
}

}  // namespace dejima::connect

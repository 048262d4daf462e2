// JMA 防災情報XML (../shared/docs/standards.md 4.1): warning telegrams — 気象警報・注意報 (VPWW53–61,
// by 市町村等), 土砂災害警戒情報 (VXWW50), 指定河川洪水予報 (VXKOnn), 記録的短時間大雨情報 (VPOA50) —
// or an Atom feed of the PULL service that lists them (each listed telegram is fetched).
// One entity per telegram kind and municipality-level area (JMA 7-digit 市町村等 code):
// `alerts` (the kinds in force: name, code, status, condition; empty when none), `warningLevel`
// (the highest 警戒レベル of those kinds, 0 when none), the area's name and codes, the telegram's
// title, headline, office and report time. Areas given as wider regions (一次細分区域, 府県予報区)
// are resolved to their municipalities with the JMA area table (area.json).
// Telegrams whose Status is not 通常 (訓練, 試験) and 取消 telegrams change nothing; they are noted.
// params: `areas` — 7-digit area code prefixes to keep, comma separated ("42" = Nagasaki);
//         `types` — for a feed, data type code prefixes of telegrams to read (default: the warning
//                   telegrams above but VPWW53, which repeats VPWW54);
//         `offices` — for a feed, issuing office codes (the telegram name's last part, as in
//                   area.json `offices`: 420000 = 長崎地方気象台) to read, comma separated;
//         `areaTable` — path or URL of area.json (default: beside the source, or the JMA site's
//                   for an http(s) source); read only when a telegram names a wider region.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <pugixml.hpp>

#include "connect/format.h"
#include "connect/row_mapper.h"
#include "connect/source.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::connect {
namespace {

constexpr const char* kDefaultTypes = "VPWW54,VPWW55,VPWW56,VPWW58,VPWW59,VPWW61,VXWW50,VXKO,VPOA50";
constexpr const char* kJmaAreaTable = "https://www.jma.go.jp/bosai/common/const/area.json";

std::string_view local_name(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// The first child element with this local name (namespaces differ between Head and Body).
pugi::xml_node kid(const pugi::xml_node& n, std::string_view name) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  return {};
}

std::vector<pugi::xml_node> kids(const pugi::xml_node& n, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c) == name) out.push_back(c);
  return out;
}

std::string text_of(const pugi::xml_node& n) { return std::string(trim(n.child_value())); }

// 全国地方公共団体コード (6 digits with its check digit) of a JMA 7-digit area code, whose first
// five digits are the municipality's code without the check digit; "" for anything else.
std::string municipality_code(std::string_view area) {
  if (area.size() != 7 || !std::all_of(area.begin(), area.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return "";
  int sum = 0;
  for (int i = 0; i < 5; ++i) sum += (area[i] - '0') * (6 - i);
  return std::string(area.substr(0, 5)) + static_cast<char>('0' + (11 - sum % 11) % 10);
}

// The data type code (VPWW54, VXKO52, …) in a telegram's name: …_VPWW54_420000.xml.
std::string data_type_in(std::string_view source) {
  for (size_t i = 0; i + 8 <= source.size(); ++i) {
    if (source[i] != '_') continue;
    const std::string_view code = source.substr(i + 1, 6);
    if (std::all_of(code.begin(), code.begin() + 4, [](char c) { return c >= 'A' && c <= 'Z'; }) &&
        std::all_of(code.begin() + 4, code.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }) &&
        (i + 7 == source.size() || source[i + 7] == '_' || source[i + 7] == '.'))
      return std::string(code);
  }
  return "";
}

// The issuing office's code, the last part of a telegram's name: …_VPWW54_420000.xml.
std::string office_in(std::string_view link) {
  if (link.ends_with(".xml")) link.remove_suffix(4);
  const size_t underscore = link.rfind('_');
  return underscore == std::string_view::npos ? "" : std::string(link.substr(underscore + 1));
}

// Telegrams named by title when their name does not say.
std::string data_type_of_title(std::string_view title) {
  static const std::pair<std::string_view, std::string_view> kTitles[] = {
      {"気象特別警報・警報・注意報", "VPWW53"},
      {"気象警報・注意報（Ｈ２７）", "VPWW54"},
      {"気象警報・注意報（Ｒ０６）（大雨）", "VPWW55"},
      {"土砂災害警戒情報", "VXWW50"},
      {"指定河川洪水予報", "VXKO"},
      {"記録的短時間大雨情報", "VPOA50"},
  };
  for (const auto& [t, code] : kTitles)
    if (title == t) return std::string(code);
  return "";
}

struct Alert {
  std::string name, code, status, condition;
};

bool in_force(const Alert& a) {
  static const std::set<std::string_view> kNone = {"解除", "なし", "発表警報・注意報はなし"};
  return !a.name.empty() && !kNone.contains(a.name) && !kNone.contains(a.status);
}

// 警戒レベル (相当) of a kind, by its name: 5 特別警報/氾濫発生, 4 危険警報/氾濫危険/土砂災害警戒,
// 3 警報/氾濫警戒, 2 注意報/氾濫注意, 1 other information (記録的短時間大雨情報).
int level_of(const Alert& a, std::string_view info_kind) {
  const std::string_view n = a.name;
  if (n.find("特別警報") != n.npos || n.find("氾濫発生") != n.npos) return 5;
  if (n.find("危険警報") != n.npos || n.find("氾濫危険") != n.npos || (info_kind == "土砂災害警戒情報" && n == "警戒"))
    return 4;
  if (n.find("警報") != n.npos || n.find("氾濫警戒") != n.npos) return 3;
  if (n.find("注意報") != n.npos || n.find("氾濫注意") != n.npos) return 2;
  return 1;
}

Alert alert_of(const pugi::xml_node& kind) {
  return {text_of(kid(kind, "Name")), text_of(kid(kind, "Code")), text_of(kid(kind, "Status")),
          text_of(kid(kind, "Condition"))};
}

struct AreaAlerts {
  std::string name;
  std::vector<Alert> alerts;
};

struct Telegram {
  std::string kind_id;  // names the telegram kind in entity ids: VPWW54, VXKO-<forecast area>
  std::string info_kind, title, headline, office, info_type, report_time;
  Millis reported = 0;
  std::map<std::string, AreaAlerts> areas;  // by 7-digit area code
};

// The JMA area table, read when a telegram first names a region wider than a municipality.
class AreaTable {
 public:
  AreaTable(std::string where) : where_(std::move(where)) {}

  // The municipality-level areas (code, name) under a region code, or why not.
  std::expected<std::vector<std::pair<std::string, std::string>>, std::string> expand(const std::string& code) {
    if (!loaded_) {
      loaded_ = true;
      auto doc = fetch_json_object(where_, "area table");
      if (!doc)
        error_ = doc.error().detail;
      else
        doc_ = std::move(*doc);
    }
    if (!error_.empty()) return std::unexpected("area " + code + " is a region and " + error_);
    std::vector<std::pair<std::string, std::string>> out;
    collect(code, out, 0);
    if (out.empty()) return std::unexpected("area " + code + " is not in the area table");
    return out;
  }

 private:
  void collect(const std::string& code, std::vector<std::pair<std::string, std::string>>& out, int depth) {
    if (depth > 4) return;
    if (const json::Value* c20 = find("class20s", code)) {
      auto name = c20->FindMember("name");
      out.emplace_back(code,
                       name != c20->MemberEnd() && name->value.IsString() ? std::string(json::view(name->value)) : "");
      return;
    }
    for (const char* level : {"class15s", "class10s", "offices", "centers"}) {
      const json::Value* v = find(level, code);
      if (!v) continue;
      auto children = v->FindMember("children");
      if (children == v->MemberEnd() || !children->value.IsArray()) return;
      for (const auto& child : children->value.GetArray())
        if (child.IsString()) collect(std::string(json::view(child)), out, depth + 1);
      return;
    }
  }
  const json::Value* find(const char* level, const std::string& code) const {
    auto l = doc_.FindMember(level);
    if (l == doc_.MemberEnd() || !l->value.IsObject()) return nullptr;
    auto c = l->value.FindMember(rapidjson::StringRef(code.data(), code.size()));
    return c != l->value.MemberEnd() && c->value.IsObject() ? &c->value : nullptr;
  }

  std::string where_, error_;
  bool loaded_ = false;
  json::Document doc_;
};

// Parses one telegram. No value (and a note) for a telegram that changes nothing; an error for
// one that is not a warning telegram. Areas that cannot be resolved are rejections.
std::expected<std::optional<Telegram>, std::string> read_telegram(std::string_view bytes, const std::string& source,
                                                                  AreaTable& table,
                                                                  const std::vector<std::string>& keep, Sink& sink,
                                                                  size_t where) {
  // pugixml passes any byte through; a telegram's text goes into entities, which must be UTF-8.
  if (!json::valid_utf8(bytes)) return std::unexpected(std::string("not UTF-8 (JMA telegrams are UTF-8)"));
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed =
      doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed)
    return std::unexpected("invalid XML at byte " + std::to_string(parsed.offset) + ": " + parsed.description());
  const pugi::xml_node report = doc.document_element();
  if (local_name(report) != "Report")
    return std::unexpected("not a JMA telegram (the root element is <" + std::string(local_name(report)) + ">)");
  const pugi::xml_node control = kid(report, "Control"), head = kid(report, "Head"), body = kid(report, "Body");
  Telegram t;
  const std::string control_title = text_of(kid(control, "Title"));
  const std::string status = text_of(kid(control, "Status"));
  t.info_kind = text_of(kid(head, "InfoKind"));
  t.title = text_of(kid(head, "Title"));
  t.headline = text_of(kid(kid(head, "Headline"), "Text"));
  t.office = text_of(kid(control, "EditorialOffice"));
  t.info_type = text_of(kid(head, "InfoType"));
  const std::string reported = text_of(kid(head, "ReportDateTime"));
  const auto ms = parse_iso8601(reported);
  if (!ms) return std::unexpected("ReportDateTime '" + reported.substr(0, 64) + "' is not a date-time");
  t.reported = *ms;
  t.report_time = format_iso8601(*ms);
  if (status != "通常") {
    sink.note(control_title + " " + t.report_time + ": Status " + status + ", skipped");
    return std::nullopt;
  }
  if (t.info_type == "取消") {
    sink.note(control_title + " " + t.report_time + ": 取消 (cancellation), areas left as they were");
    return std::nullopt;
  }
  std::string type_code = data_type_in(source);
  if (type_code.empty()) type_code = data_type_of_title(control_title);
  const bool flood = type_code.starts_with("VXKO") || control_title == "指定河川洪水予報";

  std::vector<pugi::xml_node> warnings = kids(body, "Warning");
  if (warnings.empty())
    return std::unexpected("「" + control_title + "」 is not a warning telegram (its Body has no Warning)");
  pugi::xml_node warning = warnings.front();
  for (const auto& w : warnings)
    if (std::string_view(w.attribute("type").value()).ends_with("（市町村等）")) warning = w;

  // 指定河川洪水予報: the forecast's kind is in the headline, for its forecast area (a river
  // stretch); the Body lists the municipalities that may be flooded.
  std::vector<Alert> flood_alerts;
  if (flood) {
    std::string forecast_area;
    for (const auto& info : kids(kid(head, "Headline"), "Information")) {
      if (!std::string_view(info.attribute("type").value()).ends_with("（予報区域）")) continue;
      for (const auto& item : kids(info, "Item")) {
        for (const auto& kind : kids(item, "Kind")) flood_alerts.push_back(alert_of(kind));
        if (forecast_area.empty()) forecast_area = text_of(kid(kid(kid(item, "Areas"), "Area"), "Code"));
      }
    }
    if (forecast_area.empty()) forecast_area = text_of(kid(head, "EventID"));
    t.kind_id = "VXKO-" + id_part(forecast_area);
  } else {
    t.kind_id = type_code.empty() ? id_part(control_title) : type_code;
  }

  size_t item_no = 0;
  for (const auto& item : kids(warning, "Item")) {
    ++item_no;
    std::vector<Alert> alerts = flood_alerts;
    if (!flood)
      for (const auto& kind : kids(item, "Kind")) alerts.push_back(alert_of(kind));
    std::vector<pugi::xml_node> areas = kids(item, "Area");
    for (const auto& a : kids(kid(item, "Areas"), "Area")) areas.push_back(a);
    for (const auto& area : areas) {
      const bool city = !text_of(kid(area, "CityCode")).empty();
      const std::string code = text_of(kid(area, city ? "CityCode" : "Code"));
      const std::string name = text_of(kid(area, city ? "City" : "Name"));
      if (flood && !city) continue;  // a gauging station or river, not an area
      std::vector<std::pair<std::string, std::string>> resolved;
      if (code.size() == 7) {
        resolved.emplace_back(code, name);
      } else if (auto r = table.expand(code); r) {
        resolved = std::move(*r);
      } else {
        sink.reject({where, control_title + ", Warning item " + std::to_string(item_no) + ": " + r.error(),
                     cut_row(name + " " + code), ""});
        continue;
      }
      for (auto& [c, n] : resolved) {
        if (!starts_with_any(c, keep)) continue;
        AreaAlerts& aa = t.areas[c];
        if (aa.name.empty()) aa.name = n;
        for (const Alert& al : alerts) {
          if (!in_force(al)) continue;
          const bool dup =
              std::any_of(aa.alerts.begin(), aa.alerts.end(), [&](const Alert& x) { return x.name == al.name; });
          if (!dup) aa.alerts.push_back(al);
        }
      }
    }
  }
  return t;
}

std::string entity_of(const Telegram& t, const std::string& code, const AreaAlerts& area, const Options& o,
                      const std::string& prefix) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("id");
  json::write_string(w, prefix + t.kind_id + "-" + code);
  w.Key("type");
  json::write_string(w, o.type);
  if (!area.name.empty()) write_text_property(w, "name", area.name);
  write_text_property(w, "areaCode", code);
  if (auto m = municipality_code(code); !m.empty()) write_text_property(w, "municipalityCode", m);
  if (!t.info_kind.empty()) write_text_property(w, "category", t.info_kind);
  if (!t.title.empty()) write_text_property(w, "title", t.title);
  if (!t.headline.empty()) write_text_property(w, "headline", t.headline);
  if (!t.office.empty()) write_text_property(w, "publisher", t.office);
  if (!t.info_type.empty()) write_text_property(w, "infoType", t.info_type);
  open_property(w, "dateIssued");
  w.StartObject();
  w.Key("@type");
  w.String("DateTime");
  w.Key("@value");
  json::write_string(w, t.report_time);
  w.EndObject();
  w.EndObject();
  int level = 0;
  open_property(w, "alerts");
  w.StartArray();
  for (const Alert& a : area.alerts) {
    level = std::max(level, level_of(a, t.info_kind));
    w.StartObject();
    w.Key("name");
    json::write_string(w, a.name);
    for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"code", &a.code},
                               {"status", &a.status},
                               {"condition", &a.condition}}) {
      if (v->empty()) continue;
      w.Key(k);
      json::write_string(w, *v);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("observedAt");
  json::write_string(w, t.report_time);
  w.EndObject();
  open_property(w, "warningLevel");
  w.Int(level);
  w.Key("observedAt");
  json::write_string(w, t.report_time);
  w.EndObject();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

struct FeedEntry {
  std::string updated, link, title;
};

class JmaXmlFormat final : public Format {
 public:
  std::string_view name() const override { return "jmaxml"; }
  std::string default_id_prefix(const std::string& type) const override { return "urn:ngsi-ld:" + type + ":jma-"; }

  Status convert(std::string_view bytes, const Options& o, Sink& sink) const override {
    const std::vector<std::string> keep = param_list(o, "areas");
    const std::string table_at = o.params.contains("areaTable") ? o.params.at("areaTable")
                                 : o.source.starts_with("http") ? kJmaAreaTable
                                                                : beside(o.source, "area.json");
    AreaTable table(table_at);
    const std::string prefix = o.id_prefix.empty() ? default_id_prefix(o.type) : o.id_prefix;
    // The newest telegram of each kind wins for an area.
    std::map<std::string, std::pair<Millis, std::string>> latest;
    auto add = [&](const Telegram& t) {
      for (const auto& [code, area] : t.areas) {
        auto& slot = latest[t.kind_id + "-" + code];
        if (slot.second.empty() || t.reported >= slot.first) slot = {t.reported, entity_of(t, code, area, o, prefix)};
      }
    };

    pugi::xml_document feed;
    const bool is_feed = feed.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_utf8) &&
                         local_name(feed.document_element()) == "feed";
    if (!is_feed) {
      auto t = read_telegram(bytes, o.source, table, keep, sink, 1);
      if (!t) return fail(ErrorKind::BadRequestData, "Invalid JMA XML", t.error());
      if (*t) add(**t);
      sink.progress(bytes.size(), bytes.size());
    } else {
      const std::vector<std::string> types = param_list(o, "types", kDefaultTypes);
      const std::vector<std::string> offices = param_list(o, "offices");
      std::vector<FeedEntry> entries;
      size_t listed = 0;
      for (const auto& e : kids(feed.document_element(), "entry")) {
        ++listed;
        FeedEntry fe{text_of(kid(e, "updated")), "", text_of(kid(e, "title"))};
        for (const auto& l : kids(e, "link"))
          if (fe.link.empty() || std::string_view(l.attribute("type").value()) == "application/xml")
            fe.link = l.attribute("href").value();
        if (fe.link.empty() || !starts_with_any(data_type_in(fe.link), types) ||
            !starts_with_any(office_in(fe.link), offices))
          continue;
        entries.push_back(std::move(fe));
      }
      std::stable_sort(entries.begin(), entries.end(),
                       [](const FeedEntry& a, const FeedEntry& b) { return a.updated < b.updated; });
      sink.note(std::to_string(entries.size()) + " of " + std::to_string(listed) +
                " feed entries are telegrams of types " +
                (o.params.contains("types") ? o.params.at("types") : kDefaultTypes) +
                (offices.empty() ? "" : " from offices " + o.params.at("offices")));
      for (size_t i = 0; i < entries.size(); ++i) {
        const FeedEntry& e = entries[i];
        if (o.cancelled()) break;
        auto f = fetch_source(e.link, {}, 60, kMaxSourceBytes, o.cancel);
        std::expected<std::optional<Telegram>, std::string> t =
            f ? read_telegram(f->body, e.link, table, keep, sink, i + 1) : std::unexpected(f.error().detail);
        if (!t)
          sink.reject({i + 1, t.error(), cut_row(e.title + " " + e.link), ""});
        else if (*t)
          add(**t);
        sink.progress(i + 1, entries.size());
      }
    }
    for (auto& [id, entity] : latest) sink.entity(std::move(entity.second));
    sink.note("credit: 出典：気象庁防災情報XML");
    return {};
  }
};

}  // namespace

const Format& jmaxml_format() {
  static const JmaXmlFormat f;
  return f;
}

}  // namespace dejima::connect

// GTFS and GTFS-JP feeds (標準的なバス情報フォーマット, ../shared/docs/standards.md 3): the zip's
// agency.txt (+ agency_jp.txt), stops.txt, routes.txt (+ routes_jp.txt) and trips.txt become
// <type>Agency, <type>Stop, <type>Route and <type>Trip entities (type "Gtfs": GtfsStop, …) with
// Relationships between them (operatedBy, hasParentStation, hasRoute), readings and English names
// from translations.txt in either format (v1/v2 `trans_id,lang,translation`; v3/v4
// `table_name,field_name,language,translation,record_id,…,field_value`) as nameKana/nameEnglish.
// stop_times.txt is checked against trips and stops. Rows that break the format are rejected with
// their file and line; files GTFS or GTFS-JP require but the feed lacks are noted.
// params: `feed` (required) — the feed's short name, part of every id
//         (urn:ngsi-ld:GtfsStop:<feed>:<stop_id>), so that a new release keeps its ids.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <zip.h>

#include "connect/csv.h"
#include "connect/encoding.h"
#include "connect/format.h"
#include "connect/row_mapper.h"
#include "util/json.h"

namespace dejima::connect {
namespace {

constexpr size_t kMaxUnzipped = size_t{1} << 30;  // all members together: a zip bomb stops here

// The members of a zip held in memory, by name.
using Members = std::map<std::string, std::string>;

// The members of a zip (folders inside the zip are ignored: feeds are sometimes zipped with their
// folder).
Result<Members> unzip(std::string_view bytes) {
  auto bad = [](std::string why) { return fail(ErrorKind::BadRequestData, "Invalid GTFS zip", std::move(why)); };
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
  if (!src) return bad(zip_error_strerror(&err));
  zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &err);
  if (!z) {
    std::string why = zip_error_strerror(&err);
    zip_source_free(src);
    zip_error_fini(&err);
    return bad("not a zip file (" + why + ")");
  }
  Members out;
  size_t total = 0;
  const zip_int64_t n = zip_get_num_entries(z, 0);
  std::string failure;
  for (zip_int64_t i = 0; i < n && failure.empty(); ++i) {
    const char* name = zip_get_name(z, i, 0);
    if (!name) continue;
    std::string base = name;
    if (base.ends_with('/')) continue;
    if (auto slash = base.rfind('/'); slash != std::string::npos) base = base.substr(slash + 1);
    if (!base.ends_with(".txt") || out.contains(base)) continue;
    zip_file_t* f = zip_fopen_index(z, i, 0);
    if (!f) {
      failure = base + ": " + zip_strerror(z);
      break;
    }
    std::string data;
    char buf[65536];
    zip_int64_t got;
    while ((got = zip_fread(f, buf, sizeof buf)) > 0) {
      total += static_cast<size_t>(got);
      if (total > kMaxUnzipped) {
        failure = "the feed unzips to more than 1 GiB";
        break;
      }
      data.append(buf, static_cast<size_t>(got));
    }
    if (got < 0 && failure.empty()) failure = base + ": " + zip_file_strerror(f);
    zip_fclose(f);
    out.emplace(std::move(base), std::move(data));
  }
  zip_discard(z);  // also frees the source
  zip_error_fini(&err);
  if (!failure.empty()) return bad(failure);
  return out;
}

// One GTFS table: its header's columns by name and its records with their lines.
struct Table {
  std::string file;
  std::unordered_map<std::string, size_t> cols;
  struct Row {
    std::vector<std::string> fields;
    size_t line;
    std::string raw;
  };
  std::vector<Row> rows;

  std::string get(const Row& r, const std::string& col) const {
    auto it = cols.find(col);
    return it == cols.end() || it->second >= r.fields.size() ? "" : r.fields[it->second];
  }
  bool has(const std::string& col) const { return cols.contains(col); }
};

std::optional<long> integer(const std::string& s) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stol(s);
}

void relationship(json::Writer& w, const char* attr, const std::string& object) {
  w.Key(attr);
  w.StartObject();
  w.Key("type");
  w.String("Relationship");
  w.Key("object");
  json::write_string(w, object);
  w.EndObject();
}

// Text columns copied as they are: GTFS column -> attribute.
using Copies = std::initializer_list<std::pair<const char*, const char*>>;
void copy_text(json::Writer& w, const Table& t, const Table::Row& r, Copies copies) {
  for (const auto& [col, attr] : copies)
    if (auto v = t.get(r, col); !v.empty()) write_text_property(w, attr, v);
}
void copy_integers(json::Writer& w, const Table& t, const Table::Row& r, Copies copies) {
  for (const auto& [col, attr] : copies)
    if (auto v = integer(t.get(r, col))) {
      open_property(w, attr);
      w.Int64(*v);
      w.EndObject();
    }
}

struct Entity {
  rapidjson::StringBuffer sb;
  json::Writer w{sb};
  Entity(const std::string& id, const std::string& type) {
    w.StartObject();
    w.Key("id");
    json::write_string(w, id);
    w.Key("type");
    json::write_string(w, type);
  }
  std::string done() {
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
  }
};

// Rows of an extension table (agency_jp.txt, routes_jp.txt) by their key.
std::unordered_map<std::string, const Table::Row*> index_rows(const std::optional<Table>& t, const char* key) {
  std::unordered_map<std::string, const Table::Row*> out;
  if (t)
    for (const auto& r : t->rows) out.emplace(t->get(r, key), &r);
  return out;
}

// The ids of one kind that became entities, for the references of the files read after.
using Ids = std::unordered_set<std::string>;

// Notes the files GTFS and GTFS-JP require that the feed lacks.
void note_missing_files(const Members& members, Sink& sink) {
  for (const char* required : {"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt"})
    if (!members.contains(required)) sink.note(std::string("GTFS requires ") + required + ", which the feed lacks");
  if (!members.contains("calendar.txt") && !members.contains("calendar_dates.txt"))
    sink.note("GTFS requires calendar.txt or calendar_dates.txt, which the feed lacks");
  for (const char* jp : {"feed_info.txt", "fare_attributes.txt", "translations.txt"})
    if (!members.contains(jp)) sink.note(std::string("GTFS-JP requires ") + jp + ", which the feed lacks");
}

class Feed {
 public:
  Feed(const Options& o, Sink& sink, std::string feed) : o_(o), sink_(sink), feed_(std::move(feed)) {}

  // The table of a member, or nullopt when the zip has none. Bad rows are rejected here.
  std::optional<Table> table(const Members& members, const std::string& file) {
    auto m = members.find(file);
    if (m == members.end()) return std::nullopt;
    auto text = to_utf8(m->second, o_.encoding);
    if (!text) {
      sink_.note(file + ": " + text.error().detail + "; not read");
      return Table{file, {}, {}};
    }
    Table t{file, {}, {}};
    CsvReader r(text->text);
    std::vector<std::string> f;
    bool header = true;
    size_t width = 0;
    while (r.next(f)) {
      if (header) {
        for (size_t i = 0; i < f.size(); ++i) t.cols.emplace(std::string(trim(f[i])), i);
        width = f.size();
        header = false;
        continue;
      }
      if (f.size() == 1 && trim(f[0]).empty()) continue;  // a blank line
      if (r.unterminated()) {
        reject(file, r.line(), "a quoted field is not closed before the end of the file", r.raw());
        continue;
      }
      if (f.size() != width) {
        reject(file, r.line(), std::to_string(f.size()) + " fields where the header has " + std::to_string(width),
               r.raw());
        continue;
      }
      for (auto& v : f) v = std::string(trim(v));
      t.rows.push_back({f, r.line(), std::string(r.raw())});
    }
    return t;
  }

  // feed_info.txt: who publishes the feed, its version and validity, for the run log.
  void note_feed_info(const Members& members) {
    if (auto info = table(members, "feed_info.txt"); info && !info->rows.empty()) {
      const auto& r = info->rows.front();
      std::string about = "feed: " + info->get(r, "feed_publisher_name");
      if (auto v = info->get(r, "feed_version"); !v.empty()) about += ", version " + v;
      if (auto from = info->get(r, "feed_start_date"), to = info->get(r, "feed_end_date"); !from.empty() || !to.empty())
        about += ", valid " + from + "–" + to;
      sink_.note(about);
    }
  }

  // Translations of one field: v3/v4 rows by record_id or field_value, v1/v2 rows by the text.
  void read_translations(const Members& members) {
    const auto t = table(members, "translations.txt");
    if (!t) return;
    const bool legacy = t->has("trans_id");
    for (const auto& r : t->rows) {
      if (legacy) {
        by_text_[t->get(r, "trans_id")][t->get(r, "lang")] = t->get(r, "translation");
        continue;
      }
      const std::string key = t->get(r, "table_name") + "\x1f" + t->get(r, "field_name") + "\x1f";
      const std::string lang = t->get(r, "language"), text = t->get(r, "translation");
      if (auto rec = t->get(r, "record_id"); !rec.empty())
        by_record_[key + rec][lang] = text;
      else if (auto v = t->get(r, "field_value"); !v.empty())
        by_value_[key + v][lang] = text;
    }
  }

  // Each writes the entities of one file and returns the GTFS ids it wrote, which the files read
  // after refer to (a row naming an id the feed does not have is rejected). The zip has
  // agency.txt and stops.txt (checked before).
  Ids write_agencies(const Members& members);                     // agency.txt (+ agency_jp.txt)
  Ids write_stops(const Members& members);                        // stops.txt
  Ids write_routes(const Members& members, const Ids& agencies);  // routes.txt (+ routes_jp.txt)
  Ids write_trips(const Members& members, const Ids& routes);     // trips.txt
  // stop_times.txt: not entities; each row must name a trip and a stop of the feed.
  void check_stop_times(const Members& members, const Ids& trips, const Ids& stops);

 private:
  void reject(const std::string& file, size_t line, std::string why, std::string_view raw, std::string id = "") {
    sink_.reject({line, file + ": " + std::move(why), cut_row(raw), std::move(id)});
  }

  std::string id(const char* kind, const std::string& gtfs_id) const {
    return "urn:ngsi-ld:" + o_.type + kind + ":" + feed_ + ":" + id_part(gtfs_id);
  }

  std::string translated(const std::string& table, const std::string& field, const std::string& record,
                         const std::string& value, const std::string& lang) const {
    const std::string key = table + "\x1f" + field + "\x1f";
    for (const auto* m : {&by_record_, &by_value_, &by_text_}) {
      const std::string k = m == &by_record_ ? key + record : m == &by_value_ ? key + value : value;
      if (auto it = m->find(k); it != m->end())
        if (auto l = it->second.find(lang); l != it->second.end() && !l->second.empty()) return l->second;
    }
    return "";
  }

  void names(json::Writer& w, const std::string& table, const std::string& field, const std::string& record,
             const std::string& value) const {
    if (value.empty()) return;
    write_text_property(w, "name", value);
    if (auto kana = translated(table, field, record, value, "ja-Hrkt"); !kana.empty())
      write_text_property(w, "nameKana", kana);
    if (auto en = translated(table, field, record, value, "en"); !en.empty()) write_text_property(w, "nameEnglish", en);
  }

  const Options& o_;
  Sink& sink_;
  std::string feed_;
  using Langs = std::unordered_map<std::string, std::string>;
  std::unordered_map<std::string, Langs> by_record_, by_value_, by_text_;
};

Ids Feed::write_agencies(const Members& members) {
  Ids agencies;
  auto agency = table(members, "agency.txt");
  const auto agency_jp_table = table(members, "agency_jp.txt");
  const auto agency_jp = index_rows(agency_jp_table, "agency_id");
  for (const auto& r : agency->rows) {
    const std::string aid = agency->get(r, "agency_id");
    if (agency->get(r, "agency_name").empty()) {
      reject(agency->file, r.line, "agency_name is empty", r.raw);
      continue;
    }
    if (!agencies.insert(aid).second) {
      reject(agency->file, r.line, "agency_id '" + aid + "' is given twice", r.raw, id("Agency", aid));
      continue;
    }
    Entity e(id("Agency", aid), o_.type + "Agency");
    write_text_property(e.w, "agencyId", aid);
    names(e.w, "agency", "agency_name", aid, agency->get(r, "agency_name"));
    copy_text(e.w, *agency, r,
              {{"agency_url", "page"},
               {"agency_timezone", "timezone"},
               {"agency_lang", "language"},
               {"agency_phone", "phone"},
               {"agency_fare_url", "fareUrl"},
               {"agency_email", "email"}});
    if (auto jp = agency_jp.find(aid); jp != agency_jp.end())
      copy_text(e.w, *agency_jp_table, *jp->second,
                {{"agency_official_name", "officialName"},
                 {"agency_zip_number", "postalCode"},
                 {"agency_address", "address"},
                 {"agency_president_pos", "presidentPosition"},
                 {"agency_president_name", "presidentName"}});
    sink_.entity(e.done());
  }
  return agencies;
}

Ids Feed::write_stops(const Members& members) {
  Ids stops, stations;
  auto stop_table = table(members, "stops.txt");
  for (const auto& r : stop_table->rows)
    if (stop_table->get(r, "location_type") == "1") stations.insert(stop_table->get(r, "stop_id"));
  size_t orphans = 0;
  std::string first_orphan;
  for (const auto& r : stop_table->rows) {
    const std::string sid = stop_table->get(r, "stop_id");
    const auto kind = integer(stop_table->get(r, "location_type")).value_or(0);
    if (sid.empty()) {
      reject(stop_table->file, r.line, "stop_id is empty", r.raw);
      continue;
    }
    const auto lat = number(stop_table->get(r, "stop_lat")), lon = number(stop_table->get(r, "stop_lon"));
    if (kind <= 2 && (!lat || !lon || std::abs(*lat) > 90 || std::abs(*lon) > 180)) {
      reject(stop_table->file, r.line,
             "stop_lat/stop_lon are not a position ('" + stop_table->get(r, "stop_lat") + "', '" +
                 stop_table->get(r, "stop_lon") + "')",
             r.raw, id("Stop", sid));
      continue;
    }
    if (!stops.insert(sid).second) {
      reject(stop_table->file, r.line, "stop_id '" + sid + "' is given twice", r.raw, id("Stop", sid));
      continue;
    }
    Entity e(id("Stop", sid), o_.type + "Stop");
    write_text_property(e.w, "stopId", sid);
    names(e.w, "stops", "stop_name", sid, stop_table->get(r, "stop_name"));
    copy_text(e.w, *stop_table, r,
              {{"stop_code", "code"},
               {"stop_desc", "description"},
               {"zone_id", "zoneCode"},
               {"stop_url", "page"},
               {"platform_code", "platformCode"},
               {"stop_timezone", "timezone"}});
    copy_integers(e.w, *stop_table, r,
                  {{"location_type", "locationType"}, {"wheelchair_boarding", "wheelchairBoarding"}});
    if (lat && lon) write_point_location(e.w, *lon, *lat);
    if (auto parent = stop_table->get(r, "parent_station"); !parent.empty()) {
      if (stations.contains(parent)) {
        relationship(e.w, "hasParentStation", id("Stop", parent));
      } else if (orphans++ == 0) {
        first_orphan = "line " + std::to_string(r.line) + ": '" + parent + "'";
      }
    }
    sink_.entity(e.done());
  }
  if (orphans)
    sink_.note("stops.txt: " + std::to_string(orphans) +
               " stops name a parent_station that is not a station (location_type 1) of the feed, first " +
               first_orphan + "; imported without hasParentStation");
  return stops;
}

Ids Feed::write_routes(const Members& members, const Ids& agencies) {
  Ids routes;
  auto route_table = table(members, "routes.txt");
  if (!route_table) return routes;
  const auto routes_jp_table = table(members, "routes_jp.txt");
  const auto routes_jp = index_rows(routes_jp_table, "route_id");
  for (const auto& r : route_table->rows) {
    const std::string rid = route_table->get(r, "route_id");
    std::string aid = route_table->get(r, "agency_id");
    if (aid.empty() && agencies.size() == 1) aid = *agencies.begin();
    std::string why;
    if (rid.empty())
      why = "route_id is empty";
    else if (!integer(route_table->get(r, "route_type")))
      why = "route_type '" + route_table->get(r, "route_type") + "' is not a number";
    else if (!agencies.contains(aid))
      why = "agency_id '" + aid + "' is not in agency.txt";
    else if (route_table->get(r, "route_short_name").empty() && route_table->get(r, "route_long_name").empty())
      why = "route_short_name and route_long_name are both empty";
    else if (routes.contains(rid))
      why = "route_id '" + rid + "' is given twice";
    if (!why.empty()) {
      reject(route_table->file, r.line, why, r.raw, rid.empty() ? "" : id("Route", rid));
      continue;
    }
    routes.insert(rid);
    Entity e(id("Route", rid), o_.type + "Route");
    write_text_property(e.w, "routeId", rid);
    const std::string long_name = route_table->get(r, "route_long_name");
    names(e.w, "routes", long_name.empty() ? "route_short_name" : "route_long_name", rid,
          long_name.empty() ? route_table->get(r, "route_short_name") : long_name);
    copy_text(e.w, *route_table, r,
              {{"route_short_name", "shortName"},
               {"route_desc", "description"},
               {"route_url", "page"},
               {"route_color", "routeColor"},
               {"route_text_color", "routeTextColor"},
               {"jp_parent_route_id", "parentRouteId"}});
    copy_integers(e.w, *route_table, r, {{"route_type", "routeType"}, {"route_sort_order", "routeSortOrder"}});
    relationship(e.w, "operatedBy", id("Agency", aid));
    if (auto jp = routes_jp.find(rid); jp != routes_jp.end())
      copy_text(e.w, *routes_jp_table, *jp->second,
                {{"route_update_date", "updateDate"},
                 {"origin_stop", "originStop"},
                 {"via_stop", "viaStop"},
                 {"destination_stop", "destinationStop"}});
    sink_.entity(e.done());
  }
  return routes;
}

Ids Feed::write_trips(const Members& members, const Ids& routes) {
  Ids trips;
  auto trip_table = table(members, "trips.txt");
  if (!trip_table) return trips;
  for (const auto& r : trip_table->rows) {
    const std::string tid = trip_table->get(r, "trip_id"), rid = trip_table->get(r, "route_id");
    std::string why;
    if (tid.empty())
      why = "trip_id is empty";
    else if (!routes.contains(rid))
      why = "route_id '" + rid + "' is not a route of routes.txt";
    else if (trip_table->get(r, "service_id").empty())
      why = "service_id is empty";
    else if (trips.contains(tid))
      why = "trip_id '" + tid + "' is given twice";
    if (!why.empty()) {
      reject(trip_table->file, r.line, why, r.raw, tid.empty() ? "" : id("Trip", tid));
      continue;
    }
    trips.insert(tid);
    Entity e(id("Trip", tid), o_.type + "Trip");
    write_text_property(e.w, "tripId", tid);
    relationship(e.w, "hasRoute", id("Route", rid));
    copy_text(e.w, *trip_table, r,
              {{"service_id", "serviceId"},
               {"trip_short_name", "shortName"},
               {"block_id", "blockId"},
               {"shape_id", "shapeId"},
               {"jp_trip_desc", "description"},
               {"jp_trip_desc_symbol", "descriptionSymbol"}});
    if (auto h = trip_table->get(r, "trip_headsign"); !h.empty()) {
      write_text_property(e.w, "headSign", h);
      if (auto kana = translated("trips", "trip_headsign", tid, h, "ja-Hrkt"); !kana.empty())
        write_text_property(e.w, "headSignKana", kana);
    }
    copy_integers(e.w, *trip_table, r,
                  {{"direction_id", "direction"},
                   {"wheelchair_accessible", "wheelchairAccessible"},
                   {"bikes_allowed", "bikesAllowed"}});
    sink_.entity(e.done());
  }
  return trips;
}

void Feed::check_stop_times(const Members& members, const Ids& trips, const Ids& stops) {
  auto times = table(members, "stop_times.txt");
  if (!times) return;
  for (const auto& r : times->rows) {
    const std::string tid = times->get(r, "trip_id"), sid = times->get(r, "stop_id");
    if (!trips.contains(tid))
      reject(times->file, r.line, "trip_id '" + tid + "' is not a trip of trips.txt", r.raw);
    else if (!stops.contains(sid))
      reject(times->file, r.line, "stop_id '" + sid + "' is not a stop of stops.txt", r.raw);
    else if (!integer(times->get(r, "stop_sequence")))
      reject(times->file, r.line, "stop_sequence '" + times->get(r, "stop_sequence") + "' is not a number", r.raw);
  }
  sink_.note("stop_times.txt: " + std::to_string(times->rows.size()) + " rows checked");
}

class GtfsFormat final : public Format {
 public:
  std::string_view name() const override { return "gtfs"; }
  std::string default_id_prefix(const std::string& type) const override { return "urn:ngsi-ld:" + type; }
  std::vector<Scope> scopes(const Options& o) const override {
    const std::string feed = o.params.contains("feed") ? o.params.at("feed") : "";
    std::vector<Scope> out;
    for (const char* kind : {"Agency", "Stop", "Route", "Trip"})
      out.push_back({o.type + kind, "urn:ngsi-ld:" + o.type + kind + ":" + id_part(feed) + ":"});
    return out;
  }

  std::string invalid(const Options& o) const override {
    if (!o.params.contains("feed") || o.params.at("feed").empty())
      return "params.feed is required for gtfs: the feed's short name, part of every id (e.g. \"kasuya-fureaibus\")";
    if (!o.id_prefix.empty())
      return "gtfs ids are urn:ngsi-ld:<type>Stop:<feed>:<stop_id> (and Agency, Route, Trip): give params.feed, not "
             "idPrefix";
    return "";
  }

  Status convert(std::string_view bytes, const Options& o, Sink& sink) const override {
    auto feed_name = o.params.find("feed");
    if (feed_name == o.params.end() || feed_name->second.empty())
      return fail(ErrorKind::BadRequestData, "Invalid GTFS connector", invalid({}));
    auto members = unzip(bytes);
    if (!members) return std::unexpected(members.error());
    Feed feed(o, sink, id_part(feed_name->second));
    note_missing_files(*members, sink);
    if (!members->contains("agency.txt") || !members->contains("stops.txt"))
      return fail(ErrorKind::BadRequestData, "Invalid GTFS feed",
                  "the zip has no agency.txt or no stops.txt: not a GTFS feed");

    feed.note_feed_info(*members);
    feed.read_translations(*members);
    size_t steps = 0;
    const size_t total_steps = 5;
    const Ids agencies = feed.write_agencies(*members);
    sink.progress(++steps, total_steps);
    const Ids stops = feed.write_stops(*members);
    sink.progress(++steps, total_steps);
    const Ids routes = feed.write_routes(*members, agencies);
    sink.progress(++steps, total_steps);
    const Ids trips = feed.write_trips(*members, routes);
    sink.progress(++steps, total_steps);
    feed.check_stop_times(*members, trips, stops);
    sink.progress(++steps, total_steps);
    return {};
  }
};

}  // namespace

const Format& gtfs_format() {
  static const GtfsFormat f;
  return f;
}

}  // namespace dejima::connect

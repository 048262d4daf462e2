#include "catalog/download.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <set>

#include "connect/columns.h"
#include "connect/encoding.h"
#include "jsonld/context.h"
#include "model/render.h"

namespace dejima::catalog {
namespace {

constexpr size_t kPage = 1000;  // entities per piece

const std::string kLocation = "https://uri.etsi.org/ngsi-ld/location";

// The type's entities a page at a time, in id order.
class Pages {
 public:
  Pages(broker::Tenant& t, std::string type) : tenant_(t) {
    query::Selector s;
    s.types = query::Names{.atom = std::move(type)};
    filter_.entities.push_back(std::move(s));
  }
  // The next page; empty at the end.
  std::vector<broker::EntityPtr> next() {
    if (done_) return {};
    query::Page page{.offset = 0, .limit = kPage, .count = false, .after = after_};
    auto r = tenant_.query(filter_, page);
    if (r.entities.size() < kPage) done_ = true;
    if (!r.entities.empty()) after_ = r.entities.back()->id;
    return std::move(r.entities);
  }

 private:
  broker::Tenant& tenant_;
  query::Filter filter_;
  std::string after_;
  bool done_ = false;
};

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The shortest text that reads back as x (300, 32.75).
std::string number_text(double x) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

// The text of an instance's value for a CSV cell: plain numbers, strings and booleans as they
// are, a Relationship's object, anything else as compact JSON.
std::string cell(const model::AttrInstance& a) {
  using K = model::Scalar::Kind;
  if (a.scalar.kind == K::Bool) return a.scalar.boolean ? "true" : "false";
  if (a.scalar.kind == K::Number) return number_text(a.scalar.number);
  if (a.scalar.kind == K::String) return std::string(a.scalar_text());
  json::Document d;
  if (!json::parse_stored(d, a.json).empty() || !d.IsObject()) return {};
  for (const char* key : {"value", "object", "languageMap", "json", "vocab"})
    if (const json::Value* v = json::member(d, key))
      return v->IsString() ? std::string(json::view(*v)) : json::to_string(*v);
  return {};
}

// A Point location's [lon, lat], if it is one.
std::optional<std::pair<double, double>> point(const model::AttrInstance& a) {
  json::Document d;
  if (!json::parse_stored(d, a.json).empty()) return std::nullopt;
  const json::Value* v = json::member(d, "value");
  if (!v || !v->IsObject()) return std::nullopt;
  const json::Value* t = json::member(*v, "type");
  const json::Value* c = json::member(*v, "coordinates");
  if (!t || !t->IsString() || json::view(*t) != "Point" || !c || !c->IsArray() || c->Size() < 2 ||
      !(*c)[0].IsNumber() || !(*c)[1].IsNumber())
    return std::nullopt;
  return std::pair{(*c)[0].GetDouble(), (*c)[1].GetDouble()};
}

// The CSV's columns: every attribute of the type's entities (a first pass over them), standard
// ones first in the standard order under their Japanese headers, a Point location as 緯度/経度.
struct Columns {
  std::vector<std::string> attrs;    // expanded, in column order ("" for 緯度/経度)
  std::vector<std::string> headers;  // as published
  bool lat_lon = false;              // the location is split into 緯度, 経度 (at its position)
};

Columns csv_columns(broker::Tenant& t, const Dataset& d) {
  std::set<std::string> names;
  bool all_points = true, any_location = false;
  Pages pages(t, d.type);
  for (auto page = pages.next(); !page.empty(); page = pages.next())
    for (const auto& e : page)
      for (const auto& a : e->attrs) {
        names.insert(std::string(a.name));
        if (std::string_view(a.name) == kLocation) {
          any_location = true;
          all_points = all_points && point(a).has_value();
        }
      }
  const auto core = jsonld::Context::core();
  struct Col {
    size_t position;
    std::string attr, header;
  };
  std::vector<Col> cols;
  for (const auto& n : names) {
    const std::string short_name = core->compact(n);
    if (n == kLocation && any_location && all_points) {
      auto lat = connect::standard_header("latitude");
      auto lon = connect::standard_header("longitude");
      cols.push_back({lat ? lat->position : SIZE_MAX - 2, "", lat ? lat->header : "緯度"});
      cols.push_back({lon ? lon->position : SIZE_MAX - 1, "", lon ? lon->header : "経度"});
      continue;
    }
    auto h = connect::standard_header(short_name);
    cols.push_back({h ? h->position : SIZE_MAX, n, h ? h->header : short_name});
  }
  std::stable_sort(cols.begin(), cols.end(), [](const Col& a, const Col& b) {
    return a.position != b.position ? a.position < b.position : a.header < b.header;
  });
  Columns out;
  for (auto& c : cols) {
    out.attrs.push_back(std::move(c.attr));
    out.headers.push_back(std::move(c.header));
  }
  out.lat_lon = any_location && all_points;
  return out;
}

const model::AttrInstance* default_instance(const model::Entity& e, std::string_view name) {
  if (const auto* a = e.find(name, "")) return a;
  for (const auto& a : e.attrs)
    if (std::string_view(a.name) == name) return &a;
  return nullptr;
}

std::string csv_row(const model::Entity& e, const Columns& c) {
  std::string row;
  std::optional<std::pair<double, double>> where;
  bool lat_next = true;
  for (size_t i = 0; i < c.attrs.size(); ++i) {
    if (i > 0) row += ',';
    if (c.attrs[i].empty()) {  // 緯度 then 経度
      if (lat_next)
        if (const auto* a = default_instance(e, kLocation)) where = point(*a);
      if (where) row += number_text(lat_next ? where->second : where->first);
      lat_next = !lat_next;
      continue;
    }
    if (const auto* a = default_instance(e, c.attrs[i])) row += csv_field(cell(*a));
  }
  return row + "\r\n";
}

}  // namespace

const std::vector<FileKind>& file_kinds() {
  static const std::vector<FileKind> all = {
      {FileFormat::Csv, "csv", "text/csv; charset=utf-8", "CSV"},
      {FileFormat::GeoJson, "geojson", "application/geo+json", "GeoJSON"},
      {FileFormat::NgsiLd, "jsonld", "application/ld+json", "JSON-LD"},
  };
  return all;
}

const FileKind* file_kind(std::string_view file) {
  for (const auto& k : file_kinds())
    if (file == "data." + k.extension) return &k;
  return nullptr;
}

std::function<std::string()> file_chunks(broker::Tenant& tenant, const Dataset& d, FileFormat format, bool cp932) {
  struct State {
    std::unique_ptr<Pages> pages;
    Columns columns;
    bool started = false, finished = false;
  };
  auto st = std::make_shared<State>();
  st->pages = std::make_unique<Pages>(tenant, d.type);
  const std::string type = d.type;
  broker::Tenant* t = &tenant;
  return [st, format, cp932, type, t, d]() -> std::string {
    if (st->finished) return {};
    std::string out;
    if (!st->started) {
      st->started = true;
      if (format == FileFormat::Csv) {
        st->columns = csv_columns(*t, d);
        if (!cp932) out = "\xEF\xBB\xBF";
        for (size_t i = 0; i < st->columns.headers.size(); ++i)
          out += (i ? "," : "") + csv_field(st->columns.headers[i]);
        out += "\r\n";
      } else if (format == FileFormat::GeoJson) {
        out = R"({"type":"FeatureCollection","features":[)";
      } else {
        out = "[";
      }
    }
    auto page = st->pages->next();
    const auto core = jsonld::Context::core();
    model::RenderOptions kv;
    kv.format = model::Format::KeyValues;
    bool first = out.ends_with('[');
    for (const auto& e : page) {
      if (format == FileFormat::Csv) {
        out += csv_row(*e, st->columns);
        continue;
      }
      if (!first) out += ',';
      first = false;
      if (format == FileFormat::GeoJson)
        out += json::written([&](json::Writer& w) { model::render_feature(w, *e, *core, kv, kLocation); });
      else
        out += model::cached_body(*e);
    }
    if (page.size() < kPage) {  // the last page
      st->finished = true;
      if (format == FileFormat::GeoJson) out += "]}";
      if (format == FileFormat::NgsiLd) out += "]";
    }
    if (format == FileFormat::Csv && cp932) out = connect::to_cp932(out);
    return out;
  };
}

}  // namespace dejima::catalog

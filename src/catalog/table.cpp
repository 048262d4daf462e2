#include "catalog/table.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include "connect/columns.h"
#include "jsonld/context.h"

namespace dejima::catalog {
namespace {

const std::string kLocation = "https://uri.etsi.org/ngsi-ld/location";

// The shortest text that reads back as x (300, 32.75).
std::string number_text(double x) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

// The text of an instance's value: plain numbers, strings and booleans as they are, a
// Relationship's object, anything else as compact JSON.
std::string cell(const model::AttrInstance& a) {
  using K = model::Scalar::Kind;
  if (a.scalar.kind == K::Bool) return a.scalar.boolean ? "true" : "false";
  if (a.scalar.kind == K::Number) return number_text(a.scalar.number);
  if (a.scalar.kind == K::String) return std::string(a.scalar_text());
  return value_text(a.json);
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

const model::AttrInstance* default_instance(const model::Entity& e, std::string_view name) {
  if (const auto* a = e.find(name, "")) return a;
  for (const auto& a : e.attrs)
    if (std::string_view(a.name) == name) return &a;
  return nullptr;
}

}  // namespace

query::Filter type_filter(const std::string& type) {
  query::Filter f;
  f.entities.push_back(query::Selector{.types = query::Names{.atom = type}});
  return f;
}

Pages::Pages(broker::Tenant& t, const std::string& type) : tenant_(t), filter_(type_filter(type)) {}

std::vector<broker::EntityPtr> Pages::next() {
  if (done_) return {};
  auto r = tenant_.query(filter_, query::Page{.offset = 0, .limit = kSize, .count = false, .after = after_});
  if (r.entities.size() < kSize) done_ = true;
  if (!r.entities.empty()) after_ = r.entities.back()->id;
  return std::move(r.entities);
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<Column> columns_of(broker::Tenant& t, const std::string& type) {
  struct Seen {
    bool numeric = true;
  };
  std::map<std::string, Seen> names;
  bool all_points = true, any_location = false;
  Pages pages(t, type);
  for (auto page = pages.next(); !page.empty(); page = pages.next())
    for (const auto& e : page)
      for (const auto& a : e->attrs) {
        Seen& s = names[std::string(a.name)];
        s.numeric = s.numeric && a.scalar.kind == model::Scalar::Kind::Number;
        if (std::string_view(a.name) == kLocation) {
          any_location = true;
          all_points = all_points && point(a).has_value();
        }
      }
  const auto core = jsonld::Context::core();
  std::vector<std::pair<size_t, Column>> cols;  // (standard position, column)
  for (const auto& [n, seen] : names) {
    if (n == kLocation && any_location && all_points) {
      for (const auto part : {Column::Part::Latitude, Column::Part::Longitude}) {
        const bool lat = part == Column::Part::Latitude;
        auto h = connect::standard_header(lat ? "latitude" : "longitude");
        cols.push_back({h ? h->position : SIZE_MAX, {n, h ? h->header : lat ? "緯度" : "経度", part, true}});
      }
      continue;
    }
    const std::string short_name = core->compact(n);
    auto h = connect::standard_header(short_name);
    cols.push_back({h ? h->position : SIZE_MAX, {n, h ? h->header : short_name, Column::Part::Whole, seen.numeric}});
  }
  std::stable_sort(cols.begin(), cols.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.header < b.second.header;
  });
  std::vector<Column> out;
  for (auto& [pos, c] : cols) out.push_back(std::move(c));
  return out;
}

std::vector<Column> ColumnCache::columns(broker::Tenant& t, const std::string& tenant, const std::string& type) {
  const std::string key = tenant + "\n" + type;
  const std::uint64_t version = t.stamp(type).version;  // read first: a write during the scan is seen next time
  {
    std::lock_guard lock(mu_);
    if (auto it = cached_.find(key); it != cached_.end() && it->second.first == version) return it->second.second;
  }
  std::vector<Column> cols = columns_of(t, type);
  std::lock_guard lock(mu_);
  cached_[key] = {version, cols};
  return cols;
}

std::string value_text(std::string_view instance_json) {
  json::Document d;
  if (!json::parse_stored(d, instance_json).empty() || !d.IsObject()) return {};
  for (const char* key : {"value", "object", "languageMap", "json", "vocab"})
    if (const json::Value* v = json::member(d, key))
      return v->IsString() ? std::string(json::view(*v)) : json::to_string(*v);
  return {};
}

std::string cell_of(const model::Entity& e, const Column& c) {
  const auto* a = default_instance(e, c.attr);
  if (!a) return {};
  if (c.part == Column::Part::Whole) return cell(*a);
  auto p = point(*a);
  return p ? number_text(c.part == Column::Part::Latitude ? p->second : p->first) : std::string();
}

std::vector<std::string> row_of(const model::Entity& e, const std::vector<Column>& columns) {
  std::vector<std::string> row;
  row.reserve(columns.size());
  // The latitude and longitude columns read one location: it is parsed once per row.
  const model::AttrInstance* located = nullptr;
  std::pair<double, double> at{0, 0};  // [lon, lat] of `located`, when is_point
  bool is_point = false;
  for (const auto& c : columns) {
    if (c.part == Column::Part::Whole) {
      row.push_back(cell_of(e, c));
      continue;
    }
    const auto* a = default_instance(e, c.attr);
    if (a && a != located) {
      located = a;
      const auto p = point(*a);
      is_point = p.has_value();
      if (p) at = *p;
    }
    row.push_back(a && is_point ? number_text(c.part == Column::Part::Latitude ? at.second : at.first) : std::string());
  }
  return row;
}

}  // namespace dejima::catalog

#include "connect/row_mapper.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>

#include "util/json.h"
#include "util/uri.h"

namespace dejima::connect {
namespace {

bool flag(std::string_view s) {
  s = trim(s);
  return s == "1" || s == "○" || s == "有" || s == "あり" || s == "true" || s == "TRUE";
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// The whole text as a finite number, or nothing.
std::optional<double> number(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 64) return std::nullopt;
  const std::string text(s);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

void open_property(json::Writer& w, std::string_view attr) {
  json::write_key(w, attr);
  w.StartObject();
  w.Key("type");
  w.String("Property");
  w.Key("value");
}

void write_text_property(json::Writer& w, std::string_view attr, std::string_view text) {
  open_property(w, attr);
  json::write_string(w, text);
  w.EndObject();
}

void write_point_location(json::Writer& w, double lon, double lat) {
  w.Key("location");
  w.StartObject();
  w.Key("type");
  w.String("GeoProperty");
  w.Key("value");
  w.StartObject();
  w.Key("type");
  w.String("Point");
  w.Key("coordinates");
  w.StartArray();
  w.Double(lon);
  w.Double(lat);
  w.EndArray();
  w.EndObject();
  w.EndObject();
}

std::string id_part(std::string_view s) { return percent_encode(s, ":@"); }

RowMapper::RowMapper(const std::vector<std::string>& header, const Options& o, Sink& sink)
    : type_(o.type), prefix_(o.id_prefix.empty() ? "urn:ngsi-ld:" + o.type + ":" : o.id_prefix) {
  std::set<std::string> taken;
  std::vector<std::string> unknown;
  std::optional<size_t> id_col, code_col, name_col, address_col;
  int id_rank = 0;
  for (size_t i = 0; i < header.size(); ++i) {
    Col c;
    c.header = normalise_header(header[i]);
    Column std_col = standard_column(c.header);
    if (auto it = o.columns.find(header[i]); it != o.columns.end()) {
      const Column mapped = standard_column(it->second);  // keeps a known kind (latitude, ...)
      std_col.attr = it->second;
      std_col.kind = mapped.attr == it->second ? mapped.kind : ColumnKind::Text;
      if (it->second == "latitude") std_col.kind = ColumnKind::Latitude;
      if (it->second == "longitude") std_col.kind = ColumnKind::Longitude;
    }
    c.attr = std_col.attr;
    c.kind = std_col.kind;
    if (c.attr.empty()) {
      if (!c.header.empty() && !o.columns.contains(header[i])) unknown.push_back(header[i]);
      c.kind = ColumnKind::Skip;
    }
    if (std_col.identifier > id_rank) id_col = i, id_rank = std_col.identifier;
    if (std_col.code && !code_col) code_col = i;
    if (c.attr == "name" && !name_col) name_col = i;
    if (c.attr == "fullAddress" && !address_col) address_col = i;
    cols_.push_back(std::move(c));
  }
  for (size_t i = 0; i < cols_.size(); ++i) {
    Col& c = cols_[i];
    if (c.attr == "identifier" && id_col && i != *id_col) c.kind = ColumnKind::Skip;  // e.g. a row number
    if (c.kind == ColumnKind::Skip || c.kind == ColumnKind::Latitude || c.kind == ColumnKind::Longitude) continue;
    if (!taken.insert(c.attr).second)
      sink.note("column '" + header[i] + "' maps to '" + c.attr + "' like an earlier column; the first non-empty wins");
  }
  if (!unknown.empty()) {
    std::string list;
    for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
    sink.note("columns without a standard name, not imported (map them in the declaration's columns): " + list);
  }
  if (!o.key.empty()) {
    for (const auto& k : o.key)
      for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == k || cols_[i].header == k || cols_[i].attr == k) key_.push_back(i);
  } else {
    if (code_col) code_col_ = *code_col;
    if (code_col) key_.push_back(*code_col);
    if (id_col) key_.push_back(*id_col);
    if (code_col) fallback_key_.push_back(*code_col);
    if (name_col) fallback_key_.push_back(*name_col);
    if (address_col) fallback_key_.push_back(*address_col);
    if (!id_col) key_ = fallback_key_;
  }
}

std::string RowMapper::key_of(const std::vector<std::string>& values) const {
  for (const auto* cols : {&key_, &fallback_key_}) {
    std::string k;
    bool any = false;  // the code alone does not tell rows apart
    for (size_t j = 0; j < cols->size(); ++j) {
      const size_t i = (*cols)[j];
      const std::string_view v = i < values.size() ? trim(values[i]) : std::string_view{};
      if (j > 0) k += '-';
      k += id_part(v);
      if (!v.empty() && i != code_col_) any = true;
    }
    if (any) return k;
  }
  return {};
}

std::string RowMapper::id_of(const std::vector<std::string>& values) const {
  const std::string key = key_of(values);
  return key.empty() ? key : prefix_ + key;
}

std::expected<std::string, std::string> RowMapper::entity(const std::vector<std::string>& values,
                                                          std::string_view geometry, size_t where) {
  const std::string id = id_of(values);
  if (id.empty()) return std::unexpected("no value to make an id from (key columns empty)");
  if (auto [it, fresh] = seen_.emplace(id, where); !fresh)
    return std::unexpected("duplicate id " + id + " (the same key as " + std::to_string(it->second) + ")");

  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("id");
  json::write_string(w, id);
  w.Key("type");
  json::write_string(w, type_);
  std::optional<double> lat, lon;
  std::set<std::string_view> written;
  for (size_t i = 0; i < cols_.size() && i < values.size(); ++i) {
    const Col& c = cols_[i];
    const std::string_view v = trim(values[i]);
    switch (c.kind) {
      case ColumnKind::Skip: continue;
      case ColumnKind::Latitude:
      case ColumnKind::Longitude: {
        if (v.empty()) continue;
        auto x = number(v);
        if (!x) return std::unexpected(c.header + " '" + std::string(v) + "' is not a number");
        (c.kind == ColumnKind::Latitude ? lat : lon) = *x;
        continue;
      }
      case ColumnKind::LatLon: {
        if (v.empty()) continue;
        const size_t comma = v.find(',');
        auto a = comma == std::string_view::npos ? std::nullopt : number(v.substr(0, comma));
        auto b = comma == std::string_view::npos ? std::nullopt : number(v.substr(comma + 1));
        if (!a || !b) return std::unexpected(c.header + " '" + std::string(v) + "' is not \"latitude,longitude\"");
        lat = a;
        lon = b;
        continue;
      }
      default: break;
    }
    if (v.empty() && c.kind != ColumnKind::Flag) continue;
    if (!written.insert(c.attr).second) continue;
    open_property(w, c.attr);
    if (c.kind == ColumnKind::Flag) {
      w.Bool(flag(v));
    } else if (auto x = c.kind == ColumnKind::Number ? number(v) : std::nullopt) {
      w.Double(*x);
    } else {
      json::write_string(w, v);
    }
    w.EndObject();
  }
  if (!geometry.empty()) {
    w.Key("location");
    w.StartObject();
    w.Key("type");
    w.String("GeoProperty");
    w.Key("value");
    json::write_raw(w, geometry);
    w.EndObject();
  } else if (lat && lon) {
    if (std::abs(*lat) > 90 || std::abs(*lon) > 180)
      return std::unexpected("coordinates out of range: latitude " + std::to_string(*lat) + ", longitude " +
                             std::to_string(*lon));
    write_point_location(w, *lon, *lat);
  } else if (lat || lon) {
    return std::unexpected("a latitude without a longitude, or the reverse");
  }
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace dejima::connect

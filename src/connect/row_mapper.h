// One source row (CSV record, GeoJSON feature properties) -> one NGSI-LD entity, by the
// standard column table (connect/columns.h) and the declaration's own column mapping. The id is
// the declaration's prefix plus the row's key, so that every run gives a row the same id.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "connect/columns.h"
#include "connect/format.h"
#include "util/error.h"
#include "util/json.h"

namespace dejima::connect {

class RowMapper {
 public:
  // The plan for a header; unknown columns are reported through sink.note and dropped.
  RowMapper(const std::vector<std::string>& header, const Options& o, Sink& sink);

  // The entity for one row, or why the row is rejected. `geometry` is GeoJSON geometry text
  // for the location (GeoJSON sources) or empty (CSV: from the latitude/longitude columns).
  // `where` names the row in messages about duplicates (a line or feature number).
  std::expected<std::string, std::string> entity(const std::vector<std::string>& values, std::string_view geometry,
                                                 size_t where);
  // The entity id a row gets (prefix + key), or "" when its key columns are empty.
  std::string id_of(const std::vector<std::string>& values) const;
  size_t columns() const { return cols_.size(); }

 private:
  struct Col {
    std::string header, attr;
    ColumnKind kind = ColumnKind::Text;
  };
  std::string key_of(const std::vector<std::string>& values) const;

  std::string type_, prefix_;
  std::vector<Col> cols_;
  std::vector<size_t> key_, fallback_key_;        // column positions
  size_t code_col_ = SIZE_MAX;                    // the publisher's code, part of the default key
  std::unordered_map<std::string, size_t> seen_;  // id -> where it was first seen
};

// Without surrounding spaces, tabs and line ends.
std::string_view trim(std::string_view s);
// The whole text (trimmed) as a finite number, or nothing.
std::optional<double> number(std::string_view s);

// Writes `"attr": {"type": "Property", "value": ` — the caller writes the value and any other
// members (observedAt, unitCode, sub-properties) and ends the object.
void open_property(json::Writer& w, std::string_view attr);
// Writes `"attr": {"type": "Property", "value": "text"}`.
void write_text_property(json::Writer& w, std::string_view attr, std::string_view text);

// Writes the member `"location": GeoProperty Point [lon, lat]`.
void write_point_location(json::Writer& w, double lon, double lat);

// Percent-encodes what may not stand in a URN as is (anything but unreserved ASCII, ':' and '@').
std::string id_part(std::string_view s);

}  // namespace dejima::connect

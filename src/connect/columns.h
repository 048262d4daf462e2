// Column names of Japanese open data (自治体標準オープンデータセット G1 推奨データセット, G2 正式版,
// G3 エリアデータ標準データモデル, GSI shelter files) mapped to the Digital Agency standard
// attribute names (../shared/docs/data-models.md), and how each value is typed.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace dejima::connect {

enum class ColumnKind {
  Text,
  Number,    // a number when the text is one (else kept as text)
  Flag,      // "1", "○", "有", "あり" -> true; empty -> false
  Latitude,  // with Longitude: the GeoProperty `location`
  Longitude,
  LatLon,  // "lat,lon" in one field
  Skip,    // known, carries nothing worth an attribute (e.g. a row number)
};

struct Column {
  std::string attr;  // standard attribute name; empty when the column is unknown
  ColumnKind kind = ColumnKind::Text;
  int identifier = 0;  // > 0: the publisher's id of the row; the higher, the better (共通ID > ID > NO)
  bool code = false;   // the publishing body's 全国地方公共団体コード
};

// The header as published, trimmed, with full-width brackets and spaces made plain.
std::string normalise_header(std::string_view header);
// The standard column for a (normalised) header; an English name that is already a valid
// attribute name maps to itself.
Column standard_column(std::string_view header);

// The other way: the header a standard attribute is published under (the first name the table
// gives it, e.g. fullAddress -> 所在地_連結表記; identifier -> ID) and where that column stands in
// the standard layout (the table's order); nothing for an attribute the table does not name.
struct StandardHeader {
  std::string header;
  size_t position = 0;
};
std::optional<StandardHeader> standard_header(std::string_view attr);

}  // namespace dejima::connect

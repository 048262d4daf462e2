// A dataset's entities as a table, the form of its CSV file and of CKAN's datastore_search: one
// column per attribute of the type's entities (standard attributes first, in the standard order,
// under their 自治体標準オープンデータセット headers; the others under their own names; a Point
// location as 緯度 and 経度), one row per entity in id order, each cell the text of the
// attribute's default instance.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "broker/tenant.h"

namespace dejima::catalog {

// Every entity of one type (expanded).
query::Filter type_filter(const std::string& type);

// The type's entities a page at a time, in id order after a cursor (writes between pages move
// nothing: the next page starts after the last id read).
class Pages {
 public:
  static constexpr size_t kSize = 1000;
  Pages(broker::Tenant& t, const std::string& type);
  std::vector<broker::EntityPtr> next();  // empty at the end

 private:
  broker::Tenant& tenant_;
  query::Filter filter_;
  std::string after_;
  bool done_ = false;
};

struct Column {
  enum class Part { Whole, Latitude, Longitude };
  std::string attr;    // expanded name
  std::string header;  // as published
  Part part = Part::Whole;
  bool numeric = false;  // every value a number
};

// The columns: one pass over the type's entities.
std::vector<Column> columns_of(broker::Tenant& t, const std::string& type);
// The columns of each type in each tenant, computed again only once the type has changed (its
// TypeStamp version): a download or a datastore_search does not scan the type first each time.
class ColumnCache {
 public:
  std::vector<Column> columns(broker::Tenant& t, const std::string& tenant, const std::string& type);

 private:
  std::mutex mu_;
  std::map<std::string, std::pair<std::uint64_t, std::vector<Column>>> cached_;  // "<tenant>\n<type>"
};
// The text of a stored instance's value (its internal JSON): a string as it is, a Relationship's
// object, anything else as compact JSON.
std::string value_text(std::string_view instance_json);
// One cell of an entity's row ("" where it has no such attribute).
std::string cell_of(const model::Entity& e, const Column& column);
// The row of an entity: one cell per column.
std::vector<std::string> row_of(const model::Entity& e, const std::vector<Column>& columns);
// A CSV field, quoted when it must be (RFC 4180).
std::string csv_field(std::string_view s);

}  // namespace dejima::catalog

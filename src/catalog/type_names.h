// What the datasets of the entity types Dejima's connectors write are called in a catalog, in
// Japanese (the 自治体標準オープンデータセット names where there is one) and English.
#pragma once
#include <string_view>

namespace dejima::catalog {

struct TypeName {
  std::string_view ja, en;
};

// The names of a type by its short name; empty for a type without one.
TypeName type_name(std::string_view short_type);

}  // namespace dejima::catalog

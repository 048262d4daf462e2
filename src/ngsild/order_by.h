// orderBy (clause 4.x of v1.9, Query Entities): "name;desc,type,name.subProperty,createdAt". Each
// key is id, type, createdAt, modifiedAt, an attribute (its value), or attribute.member (a
// sub-attribute's value, or the instance's createdAt/modifiedAt/observedAt), optionally ;asc or
// ;desc. Numbers sort before strings; an entity without the value sorts last either way.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "broker/tenant.h"
#include "jsonld/context.h"
#include "util/error.h"

namespace dejima::ngsild {

struct OrderKey {
  std::string attribute;  // expanded name, or "id", "type", "createdAt", "modifiedAt"
  std::string member;     // expanded sub-attribute name or createdAt/modifiedAt/observedAt; empty = the value
  bool descending = false;
};

Result<std::vector<OrderKey>> parse_order_by(std::string_view text, const jsonld::Context& ctx);
// Stable: entities equal on every key keep their (id) order.
void sort_entities(std::vector<broker::EntityPtr>& entities, const std::vector<OrderKey>& keys);

}  // namespace dejima::ngsild

// Which entities a query (or purge, or later a subscription) selects: the conjunction of every
// criterion given. Built by the NGSI-LD handlers from URL parameters or a Query body, with
// names already expanded; evaluated by broker::Tenant over the candidates its indexes give.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/entity.h"
#include "query/geo.h"
#include "query/names.h"
#include "query/q.h"
#include "util/regex.h"

namespace dejima::query {

// One entity selector (clause 5.2.33 EntitySelector; the URL's type/id/idPattern are one).
struct Selector {
  std::optional<Names> types;    // expanded type names
  std::vector<std::string> ids;  // any of these ids
  std::shared_ptr<const Regex> id_pattern;
  bool matches(const model::Entity& e) const;
};

struct Filter {
  std::vector<Selector> entities;  // any of them; none = every entity
  std::vector<std::string> attrs;  // expanded; the entity has at least one of them
  std::optional<Expr> q;
  std::optional<Names> scope;
  std::shared_ptr<GeoQuery> geo;
  // What the response's projection (pick/omit) must leave of an entity for it to be returned.
  std::function<bool(const model::Entity&)> shown;
  // Expanded entity types; when set, only entities of one of them match (what the caller may read).
  std::optional<std::vector<std::string>> readable_types;

  // With geo_checked, the geo-query is known to hold already (the geo index tested it).
  bool matches(const model::Entity& e, bool geo_checked = false) const;
};

struct Page {
  size_t offset = 0;
  size_t limit = 20;
  bool count = false;  // count every match, not only the page
  // Only entities whose id sorts after this one (a cursor that stays right when entities are
  // written between pages, as an offset does not); empty = from the first.
  std::string after;
};

}  // namespace dejima::query

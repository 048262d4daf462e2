#include "ngsiv2/selection.h"

#include <algorithm>

#include "http/message.h"
#include "jsonld/context.h"
#include "ngsiv2/entity.h"
#include "ngsiv2/request_context.h"
#include "query/selection.h"

namespace dejima::ngsiv2 {

bool Item::matches(const model::Entity& e) const {
  if (!ids.empty() && std::find(ids.begin(), ids.end(), e.id) == ids.end()) return false;
  if (id_pattern && !id_pattern->search(e.id)) return false;
  if (!types.empty() && std::none_of(types.begin(), types.end(), [&](const std::string& t) { return e.has_type(t); }))
    return false;
  return !type_pattern || type_pattern->search(entity_type(e));
}

Result<std::shared_ptr<const Regex>> pattern(std::string_view text, std::string_view what) {
  auto re = Regex::compile(text);
  if (!re) return std::unexpected(bad_request("Invalid regex for " + std::string(what)));
  return *re;
}

Result<Item> item_of(const std::string* id, const std::string* id_pattern, const std::string* type,
                     const std::string* type_pattern) {
  Item it;
  if (id && id_pattern) return std::unexpected(bad_request("Incompatible parameters: id, IdPattern"));
  if (type && type_pattern) return std::unexpected(bad_request("Incompatible parameters: type, typePattern"));
  if (id)
    for (auto i : http::list_items(*id)) it.ids.emplace_back(i);
  if (type)
    for (auto t : http::list_items(*type)) it.types.push_back(expanded_name(t));
  if (id_pattern) {
    auto re = pattern(*id_pattern, "idPattern");
    if (!re) return std::unexpected(re.error());
    it.id_pattern = *re;
  }
  if (type_pattern) {
    auto re = pattern(*type_pattern, "typePattern");
    if (!re) return std::unexpected(re.error());
    it.type_pattern = *re;
  }
  return it;
}

Result<query::Filter> filter_of(const Selection& s, PathTest in_paths,
                                std::optional<std::vector<std::string>> readable_types) {
  query::Filter f;
  const bool patterns = std::any_of(s.items.begin(), s.items.end(), [](const Item& i) { return i.type_pattern; });
  if (!patterns)
    for (const auto& it : s.items) {
      query::Selector sel;
      sel.ids = it.ids;
      sel.id_pattern = it.id_pattern;
      if (!it.types.empty()) {
        query::Names names;
        names.kind = query::Names::Kind::Or;
        for (const auto& t : it.types) names.children.push_back(query::Names{.atom = t});
        sel.types = std::move(names);
      }
      f.entities.push_back(std::move(sel));
    }
  if (!s.q.q.empty()) {
    auto expr = query::parse_q(s.q.q, *jsonld::Context::core());
    if (!expr) return std::unexpected(bad_request("invalid query: " + expr.error().detail));
    f.q = std::move(*expr);
  }
  f.readable_types = std::move(readable_types);
  std::vector<query::Expr> absent;
  for (const auto& a : s.q.absent) {
    auto expr = query::parse_q(a, *jsonld::Context::core());
    if (!expr) return std::unexpected(bad_request("invalid query expression: " + expr.error().detail));
    absent.push_back(std::move(*expr));
  }
  f.shown = [in_paths = std::move(in_paths), items = patterns ? s.items : std::vector<Item>{}, absent,
             geo = s.geo](const model::Entity& e) {
    if (!in_paths(e)) return false;
    if (geo && !geo(e)) return false;
    for (const auto& a : absent)
      if (query::matches(a, e)) return false;
    return items.empty() || std::any_of(items.begin(), items.end(), [&](const Item& i) { return i.matches(e); });
  };
  return f;
}

}  // namespace dejima::ngsiv2

#include "query/filter.h"

#include <algorithm>

namespace dejima::query {

bool Selector::matches(const model::Entity& e) const {
  if (!ids.empty() && std::find(ids.begin(), ids.end(), e.id) == ids.end()) return false;
  if (types && !types->eval([&](const std::string& t) { return e.has_type(t); })) return false;
  if (id_pattern && !id_pattern->search(e.id)) return false;
  return true;
}

bool Filter::matches(const model::Entity& e, bool geo_checked) const {
  if (!entities.empty() &&
      std::none_of(entities.begin(), entities.end(), [&](const Selector& s) { return s.matches(e); }))
    return false;
  if (!attrs.empty() && std::none_of(attrs.begin(), attrs.end(), [&](const std::string& a) { return e.has_attr(a); }))
    return false;
  if (scope && !scope->eval([&](const std::string& p) {
        return std::any_of(e.scopes.begin(), e.scopes.end(), [&](const std::string& s) { return scope_matches(p, s); });
      }))
    return false;
  if (q && !query::matches(*q, e)) return false;
  if (geo && !geo_checked && !geo->matches(e)) return false;
  if (shown && !shown(e)) return false;
  if (readable_types &&
      std::none_of(readable_types->begin(), readable_types->end(), [&](const std::string& t) { return e.has_type(t); }))
    return false;
  return true;
}

}  // namespace dejima::query

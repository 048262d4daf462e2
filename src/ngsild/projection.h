// The pick and omit grammar (clause 4.21): a comma-separated list of members, where a
// Relationship may carry the members of the entities it links to in braces:
// `id,locatedAt{id,name,isInCountry{name}}`.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace dejima::ngsild {

struct ProjectionItem {
  std::string name;                                   // as written (not expanded)
  std::optional<std::vector<ProjectionItem>> linked;  // the braces, when given
};

// list = item *("," item); item = name ["{" list "}"]. Empty items, empty or unclosed braces and
// characters outside attribute names are BadRequestData.
Result<std::vector<ProjectionItem>> parse_projection(std::string_view text);

}  // namespace dejima::ngsild

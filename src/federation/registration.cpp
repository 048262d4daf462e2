#include "federation/registration.h"

#include <algorithm>

namespace dejima::federation {

bool EntityInfo::matches(std::string_view entity_id, const std::string* entity_type) const {
  if (entity_type && !types.empty() && std::find(types.begin(), types.end(), *entity_type) == types.end()) return false;
  if (!id.empty()) return id == entity_id;
  if (pattern) return pattern->search(entity_id);
  return id_pattern.empty() || id_pattern == ".*";  // the only pattern NGSIv2 registers
}

bool Registration::provides(std::string_view attr) const {
  return attrs.empty() || std::find(attrs.begin(), attrs.end(), attr) != attrs.end();
}

}  // namespace dejima::federation

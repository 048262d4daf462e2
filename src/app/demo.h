// The demo connectors of `dejima serve --demo`: Nagasaki prefecture's public data at its
// published URLs, or at local copies under --demo-data (laid out like ../shared/data).
#pragma once
#include <string>
#include <vector>

#include "connect/declaration.h"

namespace dejima {

// `data` = "" for the published URLs, else the directory of local copies.
std::vector<connect::Declaration> demo_connectors(const std::string& data);

}  // namespace dejima

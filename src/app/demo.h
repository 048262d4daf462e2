// The demo connectors of `dejima serve --demo`: Nagasaki prefecture's public data at its
// published URLs, or at local copies under --demo-data (laid out like ../shared/data).
#pragma once
#include <string>
#include <vector>

#include "access/tenant_record.h"
#include "connect/declaration.h"

namespace dejima {

// `data` = "" for the published URLs, else the directory of local copies.
std::vector<connect::Declaration> demo_connectors(const std::string& data);

// The demo's tenant registry. The default tenant is Nagasaki prefecture's shared open-data space:
// the demo connectors write there, and their entity types are public. With the 2020 census under
// `data` (population/major_results_2020.csv), the 21 municipalities are registered too, with
// their populations (the cost shares rest on them); without it, only the default tenant.
std::vector<access::TenantRecord> demo_tenants(const std::string& data);

}  // namespace dejima

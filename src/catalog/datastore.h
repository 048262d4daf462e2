// CKAN's datastore_search over a dataset's table (table.h): resource_id (the dataset's CSV
// resource), q (text anywhere, or {"column": text}), filters ({"column": value or [values]},
// exact), fields (which columns), sort ("column asc, other desc"), limit (≤ 32,000, default
// 100) and offset; records as objects with CKAN's _id (the row's position in id order),
// fields with their types (int, numeric, text), total and the _links of the next page.
#pragma once
#include <string>

#include "broker/tenant.h"
#include "catalog/catalog.h"
#include "catalog/ckan_input.h"
#include "catalog/table.h"

namespace dejima::catalog {

Outcome datastore_search(broker::Tenant& t, const Dataset& d, const std::vector<Column>& columns,
                         const std::string& resource_id, const Input& in);

}  // namespace dejima::catalog

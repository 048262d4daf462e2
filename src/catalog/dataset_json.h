// The dataset as /dejima/v1/datasets shows it: the stored metadata, what the platform knows of
// the dataset, the files it downloads as and how to reach its entities through the APIs.
#pragma once
#include <string>

#include "catalog/catalog.h"
#include "catalog/links.h"

namespace dejima::catalog {

void write_dataset(json::Writer& w, const Dataset& d, const Links& links);
std::string dataset_json(const Dataset& d, const Links& links);

}  // namespace dejima::catalog

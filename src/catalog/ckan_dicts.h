// Datasets, tenants, themes and licences as the CKAN Action API shows packages, organizations,
// groups and licences (the member names and shapes of CKAN 2.9/2.10, as BODIK's catalogs serve
// them), so that CKAN harvesters and client libraries read Dejima as a CKAN site. A package is a
// dataset (id and name: the dataset's name), an organization a tenant, a group a theme; each
// package has one resource per file format (id "<name>-<extension>", url: the file).
#pragma once
#include <string>

#include "catalog/catalog.h"
#include "catalog/links.h"

namespace dejima::catalog {

void write_package(json::Writer& w, const Dataset& d, const Links& links);
void write_resource(json::Writer& w, const Dataset& d, size_t position, const Links& links);
// `packages`: the number of the caller's visible datasets it publishes (package_count).
void write_organization(json::Writer& w, const Dataset& any_of_its, size_t packages);
void write_group(json::Writer& w, const std::string& theme, size_t packages);
void write_licenses(json::Writer& w);
// CKAN's time format: "2026-12-07T09:00:00.000000" (UTC, no zone).
std::string ckan_time(Millis t);

}  // namespace dejima::catalog

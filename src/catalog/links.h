// Where a dataset's pages and files are, as absolute URLs for catalogs that harvest them: under
// --public-url when it is set, else http:// and the Host the request came to.
#pragma once
#include <string>

#include "catalog/catalog.h"
#include "http/message.h"

namespace dejima::catalog {

struct Links {
  std::string base;  // "https://data.example.jp" (no trailing slash)
  static Links of(const http::Request& req, const std::string& public_url);
  // /dejima/v1/datasets/{tenant}/{type}
  std::string dataset(const Dataset& d) const;
  // /dejima/v1/datasets/{tenant}/{type}/{file}
  std::string file(const Dataset& d, std::string_view file) const;
  // The web app's page of the dataset (/datasets/{name}).
  std::string page(const Dataset& d) const;
};

}  // namespace dejima::catalog

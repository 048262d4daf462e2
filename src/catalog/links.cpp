#include "catalog/links.h"

#include "util/uri.h"

namespace dejima::catalog {

Links Links::of(const http::Request& req, const std::string& public_url) {
  std::string base = public_url;
  if (base.empty()) {
    std::string host(req.header("Host"));
    // A Host that is not a plain host[:port] is not put into the links.
    if (host.empty() || host.find_first_of("/\\@ \"<>") != std::string::npos) host = "localhost";
    base = "http://" + host;
  }
  while (base.ends_with('/')) base.pop_back();
  return {base};
}

std::string Links::dataset(const Dataset& d) const {
  return base + "/dejima/v1/datasets/" + percent_encode(d.tenant_name, "") + "/" + percent_encode(d.short_type, "");
}

std::string Links::file(const Dataset& d, std::string_view file) const { return dataset(d) + "/" + std::string(file); }

std::string Links::page(const Dataset& d) const { return base + "/datasets/" + d.name; }

}  // namespace dejima::catalog

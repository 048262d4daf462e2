// The web app's routes: its files at / (any GET no API route takes), the map's layers and
// settings under /dejima/v1/map/, and the live change stream /dejima/v1/events (server-sent
// events; see live.h).
#pragma once
#include <optional>
#include <string>

#include "http/router.h"
#include "site/asset.h"
#include "site/live.h"
#include "site/static_files.h"

namespace dejima::site {

struct Site {
  std::optional<StaticFiles> files;  // nullopt: not built, and files_error says why
  std::string files_error;
  std::optional<Asset> boundaries;  // nullopt: none configured or readable (boundaries_error)
  std::string boundaries_error;
  std::string map_style;  // a base map style URL, "" = the boundaries alone
  LiveHub* live = nullptr;
};

// The paths the web app never shadows (they keep their own 404).
inline const std::vector<std::string> kApiPrefixes = {"/ngsi-ld", "/v2",      "/dejima",     "/api",
                                                      "/health",  "/version", "/statistics", "/admin/log"};

void add_site_routes(http::Router& r, const Site& site);

}  // namespace dejima::site

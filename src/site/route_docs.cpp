#include "site/route_docs.h"

namespace dejima::site {

http::ApiDocs route_docs() {
  using M = http::Method;
  const std::string tag = "Web app";
  return {
      {
          {M::Get, "/dejima/v1/map/boundaries", "The municipal boundaries (GeoJSON, with tenant and names)", tag, 200,
           "", "Any"},
          {M::Get, "/dejima/v1/map/config", "The map's settings (base style)", tag, 200, "", "Any"},
          {M::Get,
           "/dejima/v1/events",
           "Server-sent events: one per committed change the caller may read",
           tag,
           200,
           "",
           "",
           {"tenant", "types"}},
          {M::Get, "/{file}", "The web app's files and pages", tag, 200},
      },
      {},
  };
}

}  // namespace dejima::site

// The API's own description, OpenAPI 3.1, generated from the router's route table and the
// RouteDocs each module keeps beside its handlers (<module>/route_docs.cpp): every route the
// router serves is in the document, with its path parameters, the tenant header, the security
// its permission needs and its error format; a route no module documents is marked
// "x-dejima-undocumented" (the tests refuse that), and a doc of no route is left out.
#pragma once
#include <string>
#include <vector>

#include "http/router.h"

namespace dejima::http {

struct RouteDoc {
  Method method;
  std::string pattern;
  std::string summary;
  std::string tag;
  unsigned status = 200;           // the success answer
  std::string request;             // the body's schema (a component's name), "" = none
  std::string response;            // the success body's schema, "" = none
  std::vector<std::string> query;  // the query parameters it reads
};

// What a module documents: its routes and the component schemas they name (name, JSON schema).
struct ApiDocs {
  std::vector<RouteDoc> routes;
  std::vector<std::pair<std::string, std::string>> schemas;
};

struct ApiInfo {
  std::string title, version, description;
};

std::string openapi_json(const std::vector<RouteInfo>& routes, const std::vector<ApiDocs>& docs, const ApiInfo& info);

}  // namespace dejima::http

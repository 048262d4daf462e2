#include "http/openapi.h"

#include <algorithm>
#include <map>

#include "util/json.h"

namespace dejima::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The error body of a path: Orion's for /v2, CKAN's envelope for the Action API, ProblemDetails
// for the rest.
std::string error_schema(std::string_view path) {
  if (path.starts_with("/v2")) return "OrionError";
  if (path.starts_with("/api/")) return "CkanError";
  return "ProblemDetails";
}

void ref(json::Writer& w, std::string_view schema) {
  w.StartObject();
  w.Key("$ref");
  json::write_string(w, "#/components/schemas/" + std::string(schema));
  w.EndObject();
}

void content(json::Writer& w, std::string_view schema, std::string_view media = "application/json") {
  w.Key("content");
  w.StartObject();
  json::write_key(w, media);
  w.StartObject();
  w.Key("schema");
  ref(w, schema);
  w.EndObject();
  w.EndObject();
}

// A parameter with a string value: in the path (required), a header or the query.
void parameter(json::Writer& w, std::string_view name, std::string_view in, std::string_view description = {}) {
  w.StartObject();
  w.Key("name");
  json::write_string(w, name);
  w.Key("in");
  json::write_string(w, in);
  if (in == "path") {
    w.Key("required");
    w.Bool(true);
  }
  if (!description.empty()) {
    w.Key("description");
    json::write_string(w, description);
  }
  w.Key("schema");
  w.StartObject();
  w.Key("type");
  w.String("string");
  w.EndObject();
  w.EndObject();
}

// The schemas every document has: the error bodies.
const std::vector<std::pair<std::string, std::string>>& common_schemas() {
  static const std::vector<std::pair<std::string, std::string>> all = {
      {"ProblemDetails",
       R"json({"type":"object","description":"RFC 9457 problem details (NGSI-LD's error types, urn:dejima:errors:* for Dejima's own)","properties":{"type":{"type":"string"},"title":{"type":"string"},"status":{"type":"integer"},"detail":{"type":"string"}},"required":["type","title"]})json"},
      {"OrionError",
       R"json({"type":"object","description":"Orion's error body","properties":{"error":{"type":"string"},"description":{"type":"string"}},"required":["error"]})json"},
      {"CkanError",
       R"json({"description":"CKAN's failed envelope (or a JSON string for an unknown action)","oneOf":[{"type":"object","properties":{"help":{"type":"string"},"success":{"const":false},"error":{"type":"object","properties":{"__type":{"type":"string"},"message":{"type":"string"}}}},"required":["success","error"]},{"type":"string"}]})json"},
  };
  return all;
}

}  // namespace

std::string openapi_json(const std::vector<RouteInfo>& routes, const std::vector<ApiDocs>& docs, const ApiInfo& info) {
  std::map<std::pair<Method, std::string>, const RouteDoc*> by_route;
  std::vector<std::string> tags;
  for (const auto& d : docs)
    for (const auto& r : d.routes) {
      by_route[{r.method, r.pattern}] = &r;
      if (std::find(tags.begin(), tags.end(), r.tag) == tags.end()) tags.push_back(r.tag);
    }
  // Paths in the order their first route was added, each with its operations.
  std::vector<std::string> paths;
  std::map<std::string, std::vector<const RouteInfo*>> ops;
  for (const auto& r : routes) {
    auto& list = ops[r.pattern];
    if (list.empty()) paths.push_back(r.pattern);
    list.push_back(&r);
  }
  return json::written([&](json::Writer& w) {
    w.StartObject();
    w.Key("openapi");
    w.String("3.1.0");
    w.Key("info");
    w.StartObject();
    w.Key("title");
    json::write_string(w, info.title);
    w.Key("version");
    json::write_string(w, info.version);
    w.Key("description");
    json::write_string(w, info.description);
    w.EndObject();
    w.Key("servers");
    w.StartArray();
    w.StartObject();
    w.Key("url");
    w.String("/");
    w.EndObject();
    w.EndArray();
    w.Key("tags");
    w.StartArray();
    for (const auto& t : tags) {
      w.StartObject();
      w.Key("name");
      json::write_string(w, t);
      w.Key("description");
      json::write_string(w, t + " (docs/ARCHITECTURE.md lists the module that serves it)");
      w.EndObject();
    }
    w.EndArray();
    w.Key("paths");
    w.StartObject();
    for (const auto& path : paths) {
      json::write_key(w, path);
      w.StartObject();
      for (const RouteInfo* r : ops[path]) {
        const auto it = by_route.find({r->method, r->pattern});
        const RouteDoc* doc = it == by_route.end() ? nullptr : it->second;
        json::write_key(w, lower(method_name(r->method)));
        w.StartObject();
        w.Key("operationId");
        std::string id = lower(method_name(r->method));
        for (char c : path) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
        json::write_string(w, id);
        w.Key("summary");
        json::write_string(w, doc ? doc->summary : "(not documented)");
        if (!doc) {
          w.Key("x-dejima-undocumented");
          w.Bool(true);
        }
        w.Key("tags");
        w.StartArray();
        json::write_string(w, doc ? doc->tag : "Other");
        w.EndArray();
        w.Key("x-dejima-need");
        json::write_string(w, need_name(r->permission.need));
        w.Key("parameters");
        w.StartArray();
        for (size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1))
          parameter(w, path.substr(at + 1, path.find('}', at) - at - 1), "path");
        if (r->permission.tenant == TenantFrom::Header && r->permission.need != Need::Open &&
            r->permission.need != Need::Identified)
          parameter(w, path.starts_with("/v2") ? "Fiware-Service" : "NGSILD-Tenant", "header",
                    "the tenant (absent: the default tenant)");
        if (doc)
          for (const auto& q : doc->query) parameter(w, q, "query");
        w.EndArray();
        if (doc && !doc->request.empty()) {
          w.Key("requestBody");
          w.StartObject();
          w.Key("required");
          w.Bool(true);
          content(w, doc->request);
          w.EndObject();
        }
        w.Key("responses");
        w.StartObject();
        const unsigned status = doc ? doc->status : 200;
        json::write_key(w, std::to_string(status));
        w.StartObject();
        w.Key("description");
        w.String(status == 201   ? "created"
                 : status == 204 ? "done, no body"
                 : status == 202 ? "accepted"
                                 : "the answer");
        if (doc && !doc->response.empty() && status != 204) content(w, doc->response);
        w.EndObject();
        for (const char* range : {"4XX", "5XX"}) {
          w.Key(range);
          w.StartObject();
          w.Key("description");
          w.String(range[0] == '4' ? "the request is refused (bad input, no rights, nothing there)" : "a failure");
          content(w, error_schema(path));
          w.EndObject();
        }
        w.EndObject();
        w.Key("security");  // none for an open route
        w.StartArray();
        if (r->permission.need != Need::Open)
          for (const char* scheme : {"apiKey", "bearer", "session"}) {
            w.StartObject();
            w.Key(scheme);
            w.StartArray();
            w.EndArray();
            w.EndObject();
          }
        w.EndArray();
        w.EndObject();
      }
      w.EndObject();
    }
    w.EndObject();
    w.Key("components");
    w.StartObject();
    w.Key("securitySchemes");
    json::write_raw(
        w,
        R"json({"apiKey":{"type":"apiKey","in":"header","name":"X-API-Key","description":"a service's API key (also Authorization: ApiKey <key>)"},)json"
        R"json("bearer":{"type":"http","scheme":"bearer","description":"a session token from POST /dejima/v1/login, or an OpenID Connect provider's JWT"},)json"
        R"json("session":{"type":"apiKey","in":"cookie","name":"dejima_session","description":"the web app's session"}})json");
    w.Key("schemas");
    w.StartObject();
    for (const auto* list : {&common_schemas()})
      for (const auto& [name, schema] : *list) {
        json::write_key(w, name);
        json::write_raw(w, schema);
      }
    for (const auto& d : docs)
      for (const auto& [name, schema] : d.schemas) {
        json::write_key(w, name);
        json::write_raw(w, schema);
      }
    w.EndObject();
    w.EndObject();
    w.EndObject();
  });
}

}  // namespace dejima::http

// Everything one NGSIv2 request carries through its handler: tenant (Fiware-Service), service
// paths (Fiware-ServicePath), correlator, parsed body and request time. Built once per request and
// passed explicitly, as ngsild/ does for NGSI-LD.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/tenant.h"
#include "federation/forwarder.h"
#include "federation/registry.h"
#include "http/message.h"
#include "subscription/manager.h"
#include "util/json.h"

namespace dejima::ngsiv2 {

// The Orion version whose behaviour /v2 follows (/version, notifications' User-Agent).
inline constexpr std::string_view kOrionVersion = "4.0.0";
// The User-Agent of what Dejima sends as Orion would (notifications, forwarded requests).
const std::string& orion_user_agent();

// The API's limits and defaults, built by app/ from the settings table.
struct Options {
  unsigned default_limit = 20;     // entities per page when a query gives no limit
  unsigned max_limit = 1000;       // larger limits are 400 (as Orion)
  long forward_timeout_ms = 5000;  // of one request to a context provider
};

class SubscriptionFlavor;
class RegistrationFlavor;

// The services a handler may use.
struct Services {
  const Options& options;
  broker::Tenants& tenants;
  subscription::Manager& subscriptions;
  const SubscriptionFlavor& flavor;  // NGSIv2's subscriptions in the Manager
  federation::Registry& registrations;
  federation::Forwarder& forwarder;
  const RegistrationFlavor& registration_flavor;  // NGSIv2's registrations in the Registry
};

struct RequestContext {
  explicit RequestContext(const http::Request& r) : req(r) {}
  const http::Request& req;
  std::string tenant;  // empty = default tenant
  // The paths Fiware-ServicePath names (empty: the header is absent). An entity's service path is
  // its NGSI-LD scope ("/" when it has none).
  std::vector<std::string> service_paths;
  std::string correlator;  // Fiware-Correlator: the request's, or a new UUID
  json::LocalDocument<4096> body_storage;
  json::Document& body = body_storage.doc;  // IsNull() when the request has none (or it is text)
  std::string_view text;                    // the body of a text/plain request
  Millis now = 0;
  // The entity types the caller may read (expanded), when its grant restricts them.
  std::optional<std::vector<std::string>> readable_types;

  bool readable(const model::Entity& e) const;
  // The request as the origin of the changes it writes (correlator, X-Auth-Token, forcedUpdate,
  // the attributes it wrote with update operators: operated_names).
  std::shared_ptr<const broker::Origin> origin(std::vector<std::pair<std::string, std::string>> operated = {}) const;
  // Whether a query sees the entity: in_service_paths(service_paths, e).
  bool in_query_paths(const model::Entity& e) const;
  // The one service path a write names ("/" when absent); a write finds an entity only there.
  const std::string& write_path() const;
  bool in_write_path(const model::Entity& e) const { return path_of(e) == write_path(); }
  static const std::string& path_of(const model::Entity& e);
};

// Whether an entity is in the service paths a query or subscription names (none: every path;
// "/a/#": /a and below; "/a": exactly /a).
bool in_service_paths(const std::vector<std::string>& paths, const model::Entity& e);
inline bool RequestContext::in_query_paths(const model::Entity& e) const { return in_service_paths(service_paths, e); }

enum class Body {
  None,        // no body is read
  Json,        // application/json, required
  JsonOrText,  // application/json or text/plain (PUT .../value)
};

struct Expect {
  Body body = Body::None;
  bool write = false;  // one service path, without '#'
  // The error name of a body that is not JSON (registrations: "BadRequest").
  const char* parse_error = "ParseError";
};

Result<std::unique_ptr<RequestContext>> make_request_context(const http::Request& req, Expect expect);

// Responses carry Fiware-Correlator, as Orion's do.
http::Response json_response(const RequestContext& c, unsigned status, std::string body);
http::Response empty_response(const RequestContext& c, unsigned status);
http::Response error_response(const RequestContext& c, const Error& e);
// An error before a context exists: the request's correlator or a new one.
http::Response error_response(const http::Request& req, const Error& e);

// The router's own answers under /v2 (http::Router::set_error_format) as Orion words them: 405
// "method not allowed", an unknown path 400 "Service not found. ...", refusals with a correlator.
http::Response router_error(const http::Request& req, const Error& e);

// Orion's errors: BadRequest and ParseError (400), NotFound (404), Unprocessable and
// PartialUpdate (422), with Orion's descriptions.
Error bad_request(std::string description);
Error parse_error(std::string description);
Error not_found(std::string description);
Error unprocessable(std::string description, bool partial = false);
inline constexpr std::string_view kEntityNotFound = "The requested entity has not been found. Check type and id";

// Builds the request context and runs `f(ctx, reply)`; replies with Orion's error otherwise.
template <class F>
void with_request(const http::Request& req, Expect expect, http::Reply reply, F&& f) {
  auto c = make_request_context(req, expect);
  if (!c) return reply(error_response(req, c.error()));
  f(std::move(*c), std::move(reply));
}

}  // namespace dejima::ngsiv2

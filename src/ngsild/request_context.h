// Everything one NGSI-LD request carries through its handler: tenant, negotiated media types,
// active @context, parsed body and the request time. Built once per request and passed
// explicitly; there is no global or thread-local request state.
#pragma once
#include <memory>
#include <string>

#include "broker/tenant.h"
#include "federation/forwarder.h"
#include "federation/registry.h"
#include "http/message.h"
#include "jsonld/registry.h"
#include "ngsild/negotiation.h"
#include "ngsild/parameters.h"
#include "subscription/manager.h"
#include "util/json.h"

namespace dejima::ngsild {

// The API's limits and defaults, built by app/ from the settings table.
struct Options {
  unsigned default_limit = 20;               // entities per page when a query gives no limit
  unsigned max_limit = 1000;                 // larger limits are 403 TooManyResults
  unsigned temporal_max_instances = 1000;    // per attribute in one temporal response (206 beyond)
  std::string self_host = "127.0.0.1:1026";  // host:port of hosted @context URLs when a request has no Host
  long forward_timeout_ms = 5000;            // of one request to a context source (unless it says)
  std::string via;                           // this server in Via headers: a request that names it is not forwarded
};

class CsourceSubscriptions;

// The services a handler may use.
struct Services {
  const Options& options;
  broker::Tenants& tenants;
  jsonld::Registry& contexts;
  subscription::Manager& subscriptions;
  federation::Registry& registrations;                // context source registrations (csource_registration.h)
  federation::Forwarder& forwarder;                   // the threads that wait on context sources (distributed.h)
  const CsourceSubscriptions& csource_subscriptions;  // /csourceSubscriptions (csource_subscription.h)
};

struct RequestContext {
  explicit RequestContext(const http::Request& r) : req(r) {}
  const http::Request& req;
  std::string tenant;  // empty = default tenant
  MediaType accept = MediaType::Json;
  std::shared_ptr<const jsonld::Context> context;
  json::LocalDocument<4096> body_storage;
  json::Document& body = body_storage.doc;  // IsNull() when the request has none
  bool body_is_jsonld = false;              // application/ld+json: every object carries "@context"
  Millis now = 0;
  // The entity types the caller may read (expanded with the core @context), when its grant
  // restricts them (http::Grant); nullopt: every type.
  std::optional<std::vector<std::string>> readable_types;
  bool readable(const model::Entity& e) const;
  bool readable_type(const std::string& expanded) const;
};

struct Expect {
  Offer offer{};
  bool body = false;         // a JSON body is required
  bool merge_patch = false;  // application/merge-patch+json is accepted
  ParamGroups params{};      // the query parameters taken; any other is 400 (when checked)
};

Result<std::unique_ptr<RequestContext>> make_request_context(const http::Request& req, Services& s, Expect expect);

// A JSON response in the negotiated media type, with the Link header for application/json.
http::Response json_response(const RequestContext& c, unsigned status, std::string body);
http::Response no_content();

}  // namespace dejima::ngsild

// Maps (method, path pattern) to a handler. Patterns are literal segments and {name} captures;
// captures are percent-decoded. A path that matches with another method gets 405 + Allow.
// Every route declares the Permission it needs (http/access.h); when a Gate is installed, it
// decides before the handler runs, and a refusal is the handler's answer.
#pragma once
#include <string>
#include <vector>

#include "http/access.h"
#include "http/message.h"
#include "util/error.h"

namespace dejima::http {

using RouteHandler = std::function<void(const Request&, const std::vector<std::string>& params, Reply)>;

// The one decision point: admits a request to a route (the Grant goes into the Request) or
// refuses it (Unauthorized → 401, Forbidden → 403, TooManyRequests → 429, ...), adding to
// `refusal_headers` what the refusal's answer carries (WWW-Authenticate, Retry-After).
class Gate {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  virtual ~Gate() = default;
  virtual Result<Grant> admit(const Request& req, const Permission& need, const std::vector<std::string>& params,
                              Headers& refusal_headers) = 0;
};

class Router {
 public:
  void add(Method method, std::string_view pattern, Permission permission, RouteHandler handler);
  // Without a gate every request is admitted with the default (unrestricted) Grant.
  void set_gate(Gate* gate) { gate_ = gate; }
  void dispatch(Request& req, Reply reply) const;

  struct RouteInfo {
    Method method;
    std::string pattern;  // as added, e.g. /ngsi-ld/v1/entities/{id}
    Permission permission;
  };
  // Every route, in the order added (the access tests walk them).
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    Method method;
    std::vector<std::string> segments;  // "{}" marks a capture
    RouteInfo info;
    RouteHandler handler;
  };
  std::vector<Route> routes_;
  Gate* gate_ = nullptr;
};

std::string_view method_name(Method m);

}  // namespace dejima::http

// Maps (method, path pattern) to a handler. Patterns are literal segments and {name} captures;
// captures are percent-decoded. A path that matches with another method gets 405 + Allow.
// Every route declares the Permission it needs (http/access.h); when a Gate is installed, it
// decides before the handler runs, and a refusal is the handler's answer.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "http/access.h"
#include "http/message.h"
#include "util/error.h"

namespace dejima::http {

using RouteHandler = std::function<void(const Request&, const std::vector<std::string>& params, Reply)>;

struct RouteInfo {
  Method method;
  std::string pattern;  // as added, e.g. /ngsi-ld/v1/entities/{id}
  Permission permission;
};

// What a refusal says besides its error: the headers its answer carries (WWW-Authenticate,
// Retry-After) and whom it refused in which tenant, as far as the gate got (the audit log).
struct Refusal {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string caller = "anonymous";
  std::string tenant;
};

// The one decision point: admits a request to a route (the Grant goes into the Request) or
// refuses it (Unauthorized → 401, Forbidden → 403, TooManyRequests → 429, ...).
class Gate {
 public:
  virtual ~Gate() = default;
  virtual Result<Grant> admit(const Request& req, const Permission& need, const std::vector<std::string>& params,
                              Refusal& refusal) = 0;
};

// Sees every request the router answers, after its handler replied and before the answer is
// sent: the Grant (a refused request's holds whom the gate refused, with no rights), the route
// (null when none matched), the answer and when the router got the request. Runs on the thread
// that replies, on every request: keep it cheap (usage metering, the audit log).
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void observe(const Request& req, const RouteInfo* route, const Response& resp,
                       std::chrono::steady_clock::time_point received) = 0;
};

class Router {
 public:
  void add(Method method, std::string_view pattern, Permission permission, RouteHandler handler);
  // The route for a GET of any path no other route matches (the web app's files); listed in
  // routes() with the pattern "/{file}". Paths under a prefix in `reserved` keep their 404.
  void set_fallback(Permission permission, std::vector<std::string> reserved, RouteHandler handler);
  // How the router's own answers (404, 405, a bad path, the gate's refusals) are written for paths
  // under `prefix`, when an API there has its own error format (NGSIv2); ProblemDetails otherwise.
  using ErrorFormat = std::function<Response(const Request&, const Error&)>;
  void set_error_format(std::string prefix, ErrorFormat format) {
    formats_.emplace_back(std::move(prefix), std::move(format));
  }
  // Without a gate every request is admitted with the default (unrestricted) Grant.
  void set_gate(Gate* gate) { gate_ = gate; }
  void add_observer(Observer* o) { observers_.push_back(o); }
  void dispatch(Request& req, Reply reply) const;

  using RouteInfo = http::RouteInfo;
  // Every route, in the order added (the access tests walk them).
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    Method method;
    std::vector<std::string> segments;  // "{}" marks a capture
    RouteInfo info;
    RouteHandler handler;
  };
  // Answers req with its route's handler, or with the refusal or error that stops it, through
  // `reply`; `matched` is set to the route whose path and method matched.
  void route(Request& req, Reply reply, const Route*& matched) const;
  // The router's own answer to `req`: ProblemDetails, or the format of the API the path is under.
  Response error(const Request& req, const Error& e) const;
  // Asks the gate, then runs the route's handler.
  void admit_and_run(Request& req, const Route& r, const std::vector<std::string>& params, Reply reply) const;
  std::vector<Route> routes_;
  std::optional<Route> fallback_;
  std::vector<std::string> reserved_;
  std::vector<std::pair<std::string, ErrorFormat>> formats_;
  Gate* gate_ = nullptr;
  std::vector<Observer*> observers_;
};

std::string_view method_name(Method m);

}  // namespace dejima::http

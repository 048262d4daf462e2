// Maps (method, path pattern) to a handler. Patterns are literal segments and {name} captures;
// captures are percent-decoded. A path that matches with another method gets 405 + Allow.
#pragma once
#include <string>
#include <vector>

#include "http/message.h"

namespace dejima::http {

using RouteHandler = std::function<void(const Request&, const std::vector<std::string>& params, Reply)>;

class Router {
 public:
  void add(Method method, std::string_view pattern, RouteHandler handler);
  void dispatch(const Request& req, Reply reply) const;

 private:
  struct Route {
    Method method;
    std::vector<std::string> segments;  // "{}" marks a capture
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

std::string_view method_name(Method m);

}  // namespace dejima::http

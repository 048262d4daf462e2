#include "http/router.h"

#include "http/problem.h"
#include "util/uri.h"

namespace dejima::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

std::string_view method_name(Method m) {
  switch (m) {
    case Method::Get: return "GET";
    case Method::Post: return "POST";
    case Method::Put: return "PUT";
    case Method::Patch: return "PATCH";
    case Method::Delete: return "DELETE";
    case Method::Head: return "HEAD";
    case Method::Options: return "OPTIONS";
    case Method::Other: break;
  }
  return "OTHER";
}

void Router::add(Method method, std::string_view pattern, RouteHandler handler) {
  Route r{method, {}, std::move(handler)};
  for (auto seg : split_path(pattern))
    r.segments.emplace_back(seg.front() == '{' ? std::string("{}") : std::string(seg));
  routes_.push_back(std::move(r));
}

void Router::dispatch(const Request& req, Reply reply) const {
  const auto segs = split_path(req.path);
  std::string allow;
  std::vector<std::string> params;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    params.clear();
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      if (r.segments[i] == "{}") {
        auto decoded = percent_decode(segs[i]);
        if (!decoded) {
          return reply(problem(Error{ErrorKind::BadRequestData, "Malformed path",
                                     "invalid percent-encoding in the path"}));
        }
        params.push_back(std::move(*decoded));
      } else {
        ok = r.segments[i] == segs[i];
      }
    }
    if (!ok) continue;
    if (r.method == req.method) return r.handler(req, params, std::move(reply));
    if (!allow.empty()) allow += ", ";
    allow += method_name(r.method);
  }
  if (!allow.empty()) {
    Response resp = problem(Error{ErrorKind::MethodNotAllowed, "Method not allowed",
                                  std::string(method_name(req.method)) + " is not supported on " +
                                      std::string(req.path)});
    resp.header("Allow", allow);
    return reply(std::move(resp));
  }
  reply(problem(Error{ErrorKind::ResourceNotFound, "No such resource", std::string(req.path)}));
}

}  // namespace dejima::http

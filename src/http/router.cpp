#include "http/router.h"

#include "http/problem.h"
#include "util/uri.h"

namespace dejima::http {
namespace {

// The segments of a path; an empty segment between two slashes is kept (an empty {id}), a
// trailing slash only when keep_trailing.
std::vector<std::string_view> split_path(std::string_view path, bool keep_trailing) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  if (path.empty()) return out;
  for (;;) {
    size_t j = path.find('/');
    out.push_back(path.substr(0, j));
    if (j == std::string_view::npos) break;
    path.remove_prefix(j + 1);
  }
  if (!keep_trailing && !out.empty() && out.back().empty()) out.pop_back();
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
  for (auto seg : split_path(pattern, false))
    r.segments.emplace_back(seg.front() == '{' ? std::string("{}") : std::string(seg));
  routes_.push_back(std::move(r));
}

void Router::dispatch(const Request& req, Reply reply) const {
  std::string allow;
  std::vector<std::string> params;
  // A route matching `segs`: its handler runs, or a path parameter is empty or malformed (400);
  // routes of other methods that match are collected in `allow`.
  enum class Match { None, Handled };
  auto route = [&](const std::vector<std::string_view>& segs, bool collect_allow) -> Match {
    for (const auto& r : routes_) {
      if (r.segments.size() != segs.size()) continue;
      params.clear();
      bool ok = true;
      for (size_t i = 0; i < segs.size() && ok; ++i) {
        if (r.segments[i] != "{}") ok = r.segments[i] == segs[i];
        else params.emplace_back(segs[i]);
      }
      if (!ok) continue;
      if (r.method != req.method) {
        if (collect_allow) allow += (allow.empty() ? "" : ", ") + std::string(method_name(r.method));
        continue;
      }
      for (auto& p : params) {
        if (p.empty()) {
          reply(problem(Error{ErrorKind::BadRequestData, "Empty path parameter", "the path " + std::string(req.path) + " leaves an identifier empty"}));
          return Match::Handled;
        }
        auto decoded = percent_decode(p);
        if (!decoded) {
          reply(problem(Error{ErrorKind::BadRequestData, "Malformed path", "invalid percent-encoding in the path"}));
          return Match::Handled;
        }
        p = std::move(*decoded);
      }
      r.handler(req, params, std::move(reply));
      return Match::Handled;
    }
    return Match::None;
  };
  // "/entities/" is "/entities"; only when no route of this method takes it so is the trailing
  // slash an empty identifier ("PATCH /entities/" is 400, not 405).
  if (route(split_path(req.path, false), true) == Match::Handled) return;
  if (req.path.ends_with('/') && req.path.size() > 1 && route(split_path(req.path, true), false) == Match::Handled) return;
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

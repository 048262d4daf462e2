#include "http/router.h"

#include <algorithm>
#include <memory>

#include "http/problem.h"
#include "util/json.h"
#include "util/uri.h"

namespace dejima::http {
namespace {

// The segments of a path; an empty segment between two slashes is kept (an empty {id}, 400), a
// trailing slash is not.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  if (path.empty()) return out;
  for (;;) {
    size_t j = path.find('/');
    out.push_back(path.substr(0, j));
    if (j == std::string_view::npos) break;
    path.remove_prefix(j + 1);
  }
  if (!out.empty() && out.back().empty()) out.pop_back();
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

std::string_view need_name(Need n) {
  switch (n) {
    case Need::Open: return "open";
    case Need::Identified: return "identified";
    case Need::Read: return "read";
    case Need::Temporal: return "temporal";
    case Need::Write: return "write";
    case Need::Subscribe: return "subscribe";
    case Need::TenantAdmin: return "tenant-admin";
    case Need::Operator: return "operator";
  }
  return "operator";
}

void Router::add(Method method, std::string_view pattern, Permission permission, RouteHandler handler) {
  Route r{method, {}, RouteInfo{method, std::string(pattern), permission}, std::move(handler)};
  for (auto seg : split_path(pattern))
    r.segments.emplace_back(seg.front() == '{' ? std::string("{}") : std::string(seg));
  routes_.push_back(std::move(r));
}

void Router::set_fallback(Permission permission, std::vector<std::string> reserved, RouteHandler handler) {
  fallback_ = Route{Method::Get, {}, RouteInfo{Method::Get, "/{file}", permission}, std::move(handler)};
  reserved_ = std::move(reserved);
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& r : routes_) out.push_back(r.info);
  if (fallback_) out.push_back(fallback_->info);
  return out;
}

void Router::dispatch(Request& req, Reply reply) const {
  const Route* matched = nullptr;
  if (observers_.empty()) return route(req, std::move(reply), matched);
  // `matched` is set before any reply (the handler's may come later, from another thread).
  auto at = std::make_shared<const Route*>(nullptr);
  route(
      req,
      [this, &req, at, received = std::chrono::steady_clock::now(), inner = std::move(reply)](Response&& r) {
    for (Observer* o : observers_) o->observe(req, *at ? &(*at)->info : nullptr, r, received);
    inner(std::move(r));
      },
      *at);
}

void Router::route(Request& req, Reply reply, const Route*& matched) const {
  // A trailing slash is ignored: "/entities/" is "/entities" (405 for a method it lacks).
  const auto segs = split_path(req.path);
  std::string allow;  // the methods of the routes that match the path
  std::vector<std::string> params;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    params.clear();
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      if (r.segments[i] != "{}")
        ok = r.segments[i] == segs[i];
      else
        params.emplace_back(segs[i]);
    }
    if (!ok) continue;
    if (r.method != req.method) {
      allow += (allow.empty() ? "" : ", ") + std::string(method_name(r.method));
      continue;
    }
    for (auto& p : params) {
      if (p.empty())
        return reply(error(req, Error{ErrorKind::BadRequestData, "Empty path parameter",
                                      "the path " + std::string(req.path) + " leaves an identifier empty"}));
      auto decoded = percent_decode(p);
      if (!decoded || !json::valid_utf8(*decoded))
        return reply(error(
            req, Error{ErrorKind::BadRequestData, "Malformed path", "invalid percent-encoding or UTF-8 in the path"}));
      p = std::move(*decoded);
    }
    matched = &r;
    return admit_and_run(req, r, params, std::move(reply));
  }
  if (!allow.empty()) {
    Response resp =
        error(req, Error{ErrorKind::MethodNotAllowed, "Method not allowed",
                         std::string(method_name(req.method)) + " is not supported on " + std::string(req.path)});
    if (resp.status == 405) resp.header("Allow", allow);  // an API's formatter may answer otherwise (NGSIv2: 411)
    return reply(std::move(resp));
  }
  if (fallback_ && req.method == Method::Get &&
      std::none_of(reserved_.begin(), reserved_.end(), [&](const std::string& p) {
        return req.path.starts_with(p) && (req.path.size() == p.size() || req.path[p.size()] == '/');
      })) {
    matched = &*fallback_;
    return admit_and_run(req, *fallback_, {}, std::move(reply));
  }
  reply(error(req, Error{ErrorKind::ResourceNotFound, "No such resource", std::string(req.path)}));
}

Response Router::error(const Request& req, const Error& e) const {
  for (const auto& [prefix, format] : formats_)
    if (req.path.starts_with(prefix) && (req.path.size() == prefix.size() || req.path[prefix.size()] == '/'))
      return format(req, e);
  return problem(e);
}

void Router::admit_and_run(Request& req, const Route& r, const std::vector<std::string>& params, Reply reply) const {
  if (gate_) {
    Refusal refusal;
    auto grant = gate_->admit(req, r.info.permission, params, refusal);
    if (!grant) {
      req.grant = Grant{.caller = std::move(refusal.caller),
                        .tenant = std::move(refusal.tenant),
                        .operator_rights = false,
                        .tenant_admin = false,
                        .all_types = false};
      Response resp = error(req, grant.error());
      for (auto& [name, value] : refusal.headers) resp.header(std::move(name), std::move(value));
      return reply(std::move(resp));
    }
    req.grant = std::move(*grant);
  }
  r.handler(req, params, std::move(reply));
}

}  // namespace dejima::http

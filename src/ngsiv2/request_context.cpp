#include "ngsiv2/request_context.h"

#include "fetch/transfers.h"

#include <algorithm>

#include "http/problem.h"
#include "jsonld/context.h"
#include "store/store.h"
#include "util/uri.h"

namespace dejima::ngsiv2 {
namespace {

// Orion's 411 for a write without a body.
Error length_required() {
  return Error{ErrorKind::InvalidRequest, "ContentLengthRequired", "Zero/No Content-Length in PUT/POST/PATCH request"};
}

bool word_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

// Orion's rules for Fiware-Service: letters, digits and '_', at most 50.
Status check_service(std::string_view s) {
  if (s.size() > 50) return std::unexpected(bad_request("bad length - a tenant name can be max 50 characters long"));
  if (!std::all_of(s.begin(), s.end(), word_char)) return std::unexpected(bad_request("bad character in tenant name"));
  return {};
}

// Fiware-ServicePath: up to 10 comma-separated absolute paths of up to 10 components of up to 50
// word characters; a query's path may end in "/#" (the subtree).
Result<std::vector<std::string>> service_paths(std::string_view header, bool write, http::Method method) {
  std::vector<std::string> out;
  if (header.empty()) return out;
  for (std::string_view p : http::list_items(header)) out.emplace_back(p);
  const bool patch = method == http::Method::Patch, del = method == http::Method::Delete;
  if (write && out.size() > 1)
    return std::unexpected(bad_request(patch ? "more than one servicepath in patch update request is not allowed"
                                       : del ? "more than one servicepath is not allowed in DELETE operation"
                                             : "more than one service path in context update request"));
  if (out.size() > 10)
    return std::unexpected(bad_request("too many service paths - a maximum of ten service paths is allowed"));
  for (auto& p : out) {
    if (p.empty() || p[0] != '/')
      return std::unexpected(bad_request("Only /absolute/ Service Paths allowed [a service path must begin with /]"));
    std::string_view rest(p);
    rest.remove_prefix(1);
    if (rest.ends_with("/#") || rest == "#") {
      if (write && (patch || del))
        return std::unexpected(bad_request(patch ? "servicepath with wildcard # is not allowed in patch update request"
                                                 : "servicepath with wildcard # is not allowed in DELETE operation"));
      if (write) return std::unexpected(bad_request("a component of ServicePath contains an illegal character"));
      rest.remove_suffix(rest == "#" ? 1 : 2);
    }
    if (!rest.empty() && rest.back() == '/') {  // "/a/" names /a
      p.pop_back();
      rest.remove_suffix(1);
    }
    if (rest.empty()) continue;
    size_t components = 0;
    size_t start = 0;
    while (start <= rest.size()) {
      size_t slash = rest.find('/', start);
      if (slash == std::string_view::npos) slash = rest.size();
      std::string_view c = rest.substr(start, slash - start);
      if (++components > 10) return std::unexpected(bad_request("too many components in ServicePath"));
      if (c.size() > 50) return std::unexpected(bad_request("component-name too long in ServicePath"));
      if (c.empty()) return std::unexpected(bad_request("empty component in ServicePath"));
      if (!std::all_of(c.begin(), c.end(), word_char))
        return std::unexpected(bad_request("a component of ServicePath contains an illegal character"));
      start = slash + 1;
    }
  }
  return out;
}

bool media_is(std::string_view header, std::string_view type) {
  std::string_view base = header.substr(0, header.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  return http::iequals(base, type);
}

std::string correlator_of(const http::Request& req) {
  std::string_view c = req.header("Fiware-Correlator");
  return c.empty() ? random_uuid() : std::string(c);
}

}  // namespace

const std::string& orion_user_agent() {
  static const std::string ua = "orion/" + std::string(kOrionVersion) + " libcurl/" + fetch::libcurl_version();
  return ua;
}

Error bad_request(std::string description) {
  return Error{ErrorKind::BadRequestData, "BadRequest", std::move(description)};
}
Error parse_error(std::string description) {
  return Error{ErrorKind::BadRequestData, "ParseError", std::move(description)};
}
Error not_found(std::string description) {
  return Error{ErrorKind::ResourceNotFound, "NotFound", std::move(description)};
}
Error unprocessable(std::string description, bool partial) {
  return Error{ErrorKind::OperationNotSupported, partial ? "PartialUpdate" : "Unprocessable", std::move(description)};
}

Result<std::unique_ptr<RequestContext>> make_request_context(const http::Request& req, Expect expect) {
  auto c = std::make_unique<RequestContext>(req);
  c->now = now_millis();
  c->correlator = correlator_of(req);
  for (const auto& [name, value] : req.query)
    if (value.empty()) return std::unexpected(bad_request("Empty right-hand-side for URI param /" + name + "/"));
  if (std::string_view ld = req.header("NGSILD-Tenant"); !ld.empty()) {
    if (!store::valid_tenant_name(ld)) return std::unexpected(bad_request("bad character in tenant name"));
  } else if (auto s = check_service(req.header("Fiware-Service")); !s) {
    return std::unexpected(s.error());
  }
  c->tenant = req.tenant_header();
  if (c->tenant == "default") c->tenant.clear();  // the registry's name of the default tenant
  auto paths = service_paths(req.header("Fiware-ServicePath"), expect.write, req.method);
  if (!paths) return std::unexpected(paths.error());
  c->service_paths = std::move(*paths);
  if (!req.grant.all_types) {
    c->readable_types.emplace();
    for (const auto& t : req.grant.types) c->readable_types->push_back(jsonld::Context::core()->expand(t));
  }
  if (expect.body == Body::None) return c;

  std::string_view type = req.header("Content-Type");
  if (req.body.empty()) return std::unexpected(length_required());
  if (type.empty())
    return fail(ErrorKind::UnsupportedMediaType,
                "Content-Type header not used, default application/octet-stream is not supported");
  if (expect.body == Body::JsonOrText && media_is(type, "text/plain")) {
    c->text = req.body;
    return c;
  }
  if (!media_is(type, "application/json"))
    return fail(ErrorKind::UnsupportedMediaType,
                "not supported content type: " + std::string(type.substr(0, type.find(';'))));
  if (auto err = json::parse(c->body, req.body); !err.empty())
    return std::unexpected(
        Error{ErrorKind::BadRequestData, expect.parse_error, "Errors found in incoming JSON buffer"});
  return c;
}

bool RequestContext::readable(const model::Entity& e) const {
  return !readable_types || std::any_of(readable_types->begin(), readable_types->end(),
                                        [&](const std::string& t) { return e.has_type(t); });
}

std::shared_ptr<const broker::Origin> RequestContext::origin(
    std::vector<std::pair<std::string, std::string>> operated) const {
  auto o = std::make_shared<broker::Origin>();
  o->operated = std::move(operated);
  o->correlator = correlator;
  o->auth_token = std::string(req.header("X-Auth-Token"));
  if (const std::string* options = req.param("options"))
    for (auto item : http::list_items(*options)) o->forced = o->forced || item == "forcedUpdate";
  return o;
}

const std::string& RequestContext::path_of(const model::Entity& e) {
  static const std::string root = "/";
  return e.scopes.empty() ? root : e.scopes.front();
}

bool in_service_paths(const std::vector<std::string>& paths, const model::Entity& e) {
  if (paths.empty()) return true;
  const std::string& path = RequestContext::path_of(e);
  for (std::string_view p : paths) {
    if (p == "/#" || p == "#") return true;
    if (p.ends_with("/#")) {
      p.remove_suffix(2);
      if (path == p || (path.starts_with(p) && path.size() > p.size() && path[p.size()] == '/')) return true;
    } else if (path == p) {
      return true;
    }
  }
  return false;
}

const std::string& RequestContext::write_path() const {
  static const std::string root = "/";
  return service_paths.empty() ? root : service_paths.front();
}

http::Response json_response(const RequestContext& c, unsigned status, std::string body) {
  http::Response r = http::json_body(status, std::move(body));
  r.header("Fiware-Correlator", c.correlator);
  return r;
}

http::Response empty_response(const RequestContext& c, unsigned status) {
  http::Response r;
  r.status = status;
  r.header("Fiware-Correlator", c.correlator);
  return r;
}

http::Response error_response(const RequestContext& c, const Error& e) {
  http::Response r = http::orion_error(e);
  r.header("Fiware-Correlator", c.correlator);
  return r;
}

http::Response router_error(const http::Request& req, const Error& e) {
  // Orion reads the payload before it looks for the resource: a PUT/POST/PATCH without one is 411.
  const bool write =
      req.method == http::Method::Put || req.method == http::Method::Post || req.method == http::Method::Patch;
  if (e.kind == ErrorKind::MethodNotAllowed && write && req.body.empty()) return error_response(req, length_required());
  if (e.kind == ErrorKind::MethodNotAllowed)
    return error_response(req, Error{e.kind, "MethodNotAllowed", "method not allowed"});
  if (e.kind == ErrorKind::ResourceNotFound)
    return error_response(req, bad_request("Service not found. Check your URL as probably it is wrong."));
  return error_response(req, e);
}

http::Response error_response(const http::Request& req, const Error& e) {
  http::Response r = http::orion_error(e);
  r.header("Fiware-Correlator", correlator_of(req));
  return r;
}

}  // namespace dejima::ngsiv2

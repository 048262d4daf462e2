// GET/POST /dejima/v1/connectors, GET/PUT/DELETE /dejima/v1/connectors/{name},
// GET/POST /dejima/v1/connectors/{name}/runs. Bodies are the declaration documents of
// connect/declaration.h; errors are ProblemDetails like everywhere else. The operator manages
// every connector; a tenant's administrator (the tenant named by NGSILD-Tenant) those that write
// into that tenant, with http(s) sources only — a file on the server is the operator's to name.
#include "manage/connector_handlers.h"

#include "http/problem.h"
#include "manage/json_body.h"

namespace dejima::manage {
namespace {

using Params = std::vector<std::string>;
constexpr std::string_view kBase = "/dejima/v1/connectors";

Result<connect::Declaration> declaration_from(const http::Request& req) {
  json::Document doc;
  if (auto s = parse_json_body(req, doc, "declaration"); !s) return std::unexpected(s.error());
  if (doc.IsObject() && doc.HasMember("origin"))
    return fail(ErrorKind::BadRequestData, "Invalid connector", "origin is set by Dejima, not by the client");
  return connect::parse_declaration(doc);
}

// Whether the caller manages connectors writing into `tenant`.
bool manages(const http::Request& req, const std::string& tenant) {
  return req.grant.operator_rights || req.grant.tenant == tenant;
}

// What a tenant's administrator may declare: into its own tenant, from the web.
Status check_declarable(const http::Request& req, const connect::Declaration& d) {
  if (req.grant.operator_rights) return {};
  if (d.tenant != req.grant.tenant)
    return fail(ErrorKind::Forbidden, "Not allowed", "a tenant's administrator declares connectors of its own tenant");
  if (!d.source.starts_with("http://") && !d.source.starts_with("https://"))
    return fail(ErrorKind::Forbidden, "Not allowed", "only the operator names a file on the server as a source");
  return {};
}

// 404 for a connector the caller may not see, as for one that does not exist.
Status check_visible(const http::Request& req, connect::Connectors& c, const std::string& name) {
  auto d = c.find(name);
  if (d && manages(req, d->tenant)) return {};
  return fail(ErrorKind::ResourceNotFound, "Connector not found", name);
}

std::string array_of(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& i : items) out += (out.size() > 1 ? "," : "") + i;
  return out + "]";
}

}  // namespace

void add_connector_routes(http::Router& r, connect::Connectors& c) {
  using http::Method;
  const std::string base(kBase);
  const http::Permission admin{http::Need::TenantAdmin};
  r.add(Method::Get, base, admin, [&c](const http::Request& req, const Params&, http::Reply reply) {
    std::vector<std::string> items;
    for (const auto& d : c.list())
      if (manages(req, d.tenant))
        if (auto s = c.describe(d.name)) items.push_back(std::move(*s));
    reply(http::json_body(200, array_of(items)));
  });
  r.add(Method::Post, base, admin, [&c](const http::Request& req, const Params&, http::Reply reply) {
    auto d = declaration_from(req);
    if (!d) return reply(http::problem(d.error()));
    if (auto s = check_declarable(req, *d); !s) return reply(http::problem(s.error()));
    if (c.find(d->name)) return reply(http::problem({ErrorKind::AlreadyExists, "Connector already exists", d->name}));
    const std::string name = d->name;
    if (auto s = c.declare(std::move(*d)); !s) return reply(http::problem(s.error()));
    http::Response resp = status_only(201);
    resp.header("Location", std::string(kBase) + "/" + name);
    reply(std::move(resp));
  });
  r.add(Method::Get, base + "/{name}", admin, [&c](const http::Request& req, const Params& p, http::Reply reply) {
    if (auto st = check_visible(req, c, p[0]); !st) return reply(http::problem(st.error()));
    auto s = c.describe(p[0]);
    if (!s) return reply(http::problem({ErrorKind::ResourceNotFound, "Connector not found", p[0]}));
    reply(http::json_body(200, std::move(*s)));
  });
  r.add(Method::Put, base + "/{name}", admin, [&c](const http::Request& req, const Params& p, http::Reply reply) {
    auto d = declaration_from(req);
    if (!d) return reply(http::problem(d.error()));
    if (auto s = check_declarable(req, *d); !s) return reply(http::problem(s.error()));
    if (c.find(p[0]))
      if (auto s = check_visible(req, c, p[0]); !s) return reply(http::problem(s.error()));
    if (d->name != p[0])
      return reply(http::problem({ErrorKind::BadRequestData, "Invalid connector",
                                  "name '" + d->name + "' differs from the URL's '" + p[0] + "'"}));
    auto created = c.declare(std::move(*d));
    if (!created) return reply(http::problem(created.error()));
    http::Response resp = status_only(*created ? 201 : 204);
    if (*created) resp.header("Location", std::string(kBase) + "/" + p[0]);
    reply(std::move(resp));
  });
  r.add(Method::Delete, base + "/{name}", admin, [&c](const http::Request& req, const Params& p, http::Reply reply) {
    if (auto s = check_visible(req, c, p[0]); !s) return reply(http::problem(s.error()));
    if (auto s = c.remove(p[0]); !s) return reply(http::problem(s.error()));
    reply(status_only(204));
  });
  r.add(Method::Get, base + "/{name}/runs", admin, [&c](const http::Request& req, const Params& p, http::Reply reply) {
    if (auto s = check_visible(req, c, p[0]); !s) return reply(http::problem(s.error()));
    auto runs = c.runs(p[0]);
    if (!runs) return reply(http::problem(runs.error()));
    reply(http::json_body(200, array_of(*runs)));
  });
  r.add(Method::Post, base + "/{name}/runs", admin, [&c](const http::Request& req, const Params& p, http::Reply reply) {
    if (auto s = check_visible(req, c, p[0]); !s) return reply(http::problem(s.error()));
    if (auto s = c.trigger(p[0]); !s) return reply(http::problem(s.error()));
    http::Response resp = status_only(202);
    resp.header("Location", std::string(kBase) + "/" + p[0] + "/runs");
    reply(std::move(resp));
  });
}

}  // namespace dejima::manage

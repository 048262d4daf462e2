#include "access/gate.h"

namespace dejima::access {
namespace {

using http::Need;

std::string_view operation_of(Need n) {
  switch (n) {
    case Need::Read: return "read";
    case Need::Temporal: return "temporal";
    case Need::Write: return "write";
    case Need::Subscribe: return "subscribe";
    case Need::TenantAdmin: return "admin";
    case Need::Open:
    case Need::Operator: break;
  }
  return "";
}

bool reads(Need n) { return n == Need::Read || n == Need::Temporal; }

std::string shown(const std::string& tenant) {
  return tenant.empty() ? "the default tenant" : "tenant '" + tenant + "'";
}

http::Grant nothing(std::string caller, std::string tenant) {
  return http::Grant{.caller = std::move(caller),
                     .tenant = std::move(tenant),
                     .operator_rights = false,
                     .tenant_admin = false,
                     .all_types = false};
}

// What anybody may do: read the public types.
Result<http::Grant> public_grant(http::Grant g, Need need, std::vector<std::string> types, Error refusal) {
  if (!reads(need) || types.empty()) return std::unexpected(std::move(refusal));
  g.types = std::move(types);
  return g;
}

}  // namespace

std::string tenant_of_name(std::string_view name) {
  return name == kDefaultTenantAlias ? std::string() : std::string(name);
}

Result<std::optional<std::string_view>> presented_key(const http::Request& req) {
  std::string_view key = req.header("X-API-Key");
  if (req.has_header("Authorization")) {
    std::string_view auth = req.header("Authorization");
    const size_t sp = auth.find(' ');
    if (sp == std::string_view::npos || !http::iequals(auth.substr(0, sp), "ApiKey"))
      return fail(ErrorKind::Unauthorized, "Unsupported credentials",
                  "send an API key in X-API-Key or as Authorization: ApiKey <key>");
    key = auth.substr(sp + 1);
    while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
  } else if (!req.has_header("X-API-Key")) {
    return std::optional<std::string_view>();
  }
  if (key.empty() || key.size() > 512) return fail(ErrorKind::Unauthorized, "Invalid API key", "the key is empty");
  return std::optional(key);
}

Result<http::Grant> AccessGate::admit(const http::Request& req, const http::Permission& permission,
                                      const std::vector<std::string>& params, Headers& refusal_headers) {
  auto g = decide(req, permission, params, refusal_headers);
  if (!g && g.error().kind == ErrorKind::Unauthorized)
    refusal_headers.emplace_back("WWW-Authenticate", R"(ApiKey realm="dejima", header="X-API-Key")");
  return g;
}

Result<http::Grant> AccessGate::decide(const http::Request& req, const http::Permission& permission,
                                       const std::vector<std::string>& params, Headers& refusal_headers) {
  const Need need = permission.need;
  if (need == Need::Open) return nothing("anonymous", "");
  const std::string tenant =
      tenant_of_name(permission.tenant == http::TenantFrom::Path && !params.empty() ? std::string_view(params[0])
                                                                                    : req.header("NGSILD-Tenant"));
  auto key = presented_key(req);
  if (!key) return std::unexpected(key.error());
  std::optional<Principal> who;
  if (*key) {
    who = directory_.authenticate(**key, now_millis());
    if (!who) return fail(ErrorKind::Unauthorized, "Invalid API key", "the key is unknown, revoked or expired");
  }
  if (need != Need::Operator && !directory_.has_tenant(tenant))
    return fail(ErrorKind::NonexistentTenant, "Tenant not registered",
                shown(tenant) + " is not in the registry (/dejima/v1/tenants)");
  if (who && who->key->operator_key) return http::Grant{.caller = "operator", .tenant = tenant};
  if (!who)
    return public_grant(nothing("anonymous", tenant), need, directory_.public_types(tenant),
                        {ErrorKind::Unauthorized, "Credentials required", "this operation needs an API key"});

  if (who->service)
    if (const unsigned wait = quotas_.admit(*who->key, *who->service, now_millis()); wait > 0) {
      refusal_headers.emplace_back("Retry-After", std::to_string(wait));
      return fail(ErrorKind::TooManyRequests, "Too many requests",
                  "the key's rate limit or daily quota is spent; retry in " + std::to_string(wait) + " s");
    }
  http::Grant g = nothing(who->key->id, tenant);
  const Error refused{ErrorKind::Forbidden, "Not allowed",
                      "the key's service may not " + std::string(http::need_name(need)) + " in " + shown(tenant)};
  if (need == Need::Operator || who->key->tenant != tenant)
    return public_grant(std::move(g), need, directory_.public_types(tenant), refused);
  bool allowed = false;
  for (const auto& scope : who->service->scopes) {
    if (!scope.allows(operation_of(need))) continue;
    allowed = true;
    if (scope.types.empty()) g.all_types = true;
    g.types.insert(g.types.end(), scope.types.begin(), scope.types.end());
  }
  if (!allowed) return public_grant(std::move(g), need, directory_.public_types(tenant), refused);
  g.tenant_admin = need == Need::TenantAdmin;
  if (g.all_types)
    g.types.clear();
  else
    for (auto& t : directory_.public_types(tenant)) g.types.push_back(std::move(t));
  return g;
}

}  // namespace dejima::access

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
    case Need::Identified:
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

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool changes(http::Method m) { return m != http::Method::Get && m != http::Method::Head && m != http::Method::Options; }

// Whether an Origin header ("scheme://host[:port]") names the host the request was sent to.
bool same_origin(std::string_view origin, std::string_view host) {
  const size_t scheme = origin.find("://");
  return scheme != std::string_view::npos && http::iequals(origin.substr(scheme + 3), host);
}

}  // namespace

struct AccessGate::Caller {
  std::string id;
  bool operator_rights = false;
  Principal key;                           // a service's key (or the operator's)
  std::shared_ptr<const UserRecord> user;  // a signed-in user or a token's subject
  bool by_cookie = false;

  // The scopes the caller has in `tenant`.
  std::vector<Scope> scopes_in(const std::string& tenant) const {
    if (key.service) return key.key->tenant == tenant ? key.service->scopes : std::vector<Scope>{};
    if (user)
      if (auto it = user->roles.find(tenant); it != user->roles.end()) return {role_scope(it->second)};
    return {};
  }
};

std::string tenant_of_name(std::string_view name) {
  return name == kDefaultTenantAlias ? std::string() : std::string(name);
}

std::optional<std::string_view> session_cookie(std::string_view header) {
  while (!header.empty()) {
    const size_t semi = header.find(';');
    const std::string_view pair = trimmed(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && trimmed(pair.substr(0, eq)) == kSessionCookie) {
      std::string_view value = trimmed(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return value;
    }
  }
  return std::nullopt;
}

Result<Credentials> presented_credentials(const http::Request& req) {
  Credentials c;
  if (req.has_header("X-API-Key")) {
    c = {Credentials::Kind::ApiKey, trimmed(req.header("X-API-Key"))};
  } else if (req.has_header("Authorization")) {
    std::string_view auth = trimmed(req.header("Authorization"));
    const size_t sp = auth.find(' ');
    const std::string_view scheme = auth.substr(0, sp);
    const std::string_view text = sp == std::string_view::npos ? std::string_view() : trimmed(auth.substr(sp + 1));
    if (http::iequals(scheme, "ApiKey"))
      c = {Credentials::Kind::ApiKey, text};
    else if (http::iequals(scheme, "Bearer"))
      c = {Credentials::Kind::Bearer, text};
    else
      return fail(ErrorKind::Unauthorized, "Unsupported credentials",
                  "send an API key in X-API-Key or as Authorization: ApiKey <key>, or a token as Authorization: "
                  "Bearer <token>");
  } else if (auto cookie = session_cookie(req.header("Cookie"))) {
    c = {Credentials::Kind::Cookie, *cookie};
  } else {
    return c;
  }
  if (c.text.empty() || c.text.size() > 8192)
    return fail(ErrorKind::Unauthorized, "Invalid credentials", "the key or token is empty or too long");
  return c;
}

Result<std::optional<AccessGate::Caller>> AccessGate::identify(const http::Request& req) {
  auto creds = presented_credentials(req);
  if (!creds) return std::unexpected(creds.error());
  const Millis now = now_millis();
  const std::string_view text = creds->text;
  switch (creds->kind) {
    case Credentials::Kind::None: return std::optional<Caller>();
    case Credentials::Kind::ApiKey: {
      auto who = text.size() <= 512 ? directory_.authenticate(text, now) : std::nullopt;
      if (!who) return fail(ErrorKind::Unauthorized, "Invalid API key", "the key is unknown, revoked or expired");
      const bool op = who->key->operator_key;
      return std::optional(Caller{.id = op ? "operator" : who->key->id, .operator_rights = op, .key = *who});
    }
    case Credentials::Kind::Cookie:
    case Credentials::Kind::Bearer: {
      std::shared_ptr<const UserRecord> user;
      if (creds->kind == Credentials::Kind::Cookie || text.starts_with("djs_")) {
        user = users_.session_user(text, now);
        if (!user) return fail(ErrorKind::Unauthorized, "Session ended", "sign in again (POST /dejima/v1/login)");
      } else {
        if (!tokens_)
          return fail(ErrorKind::Unauthorized, "Invalid token",
                      "no identity provider is configured (--oidc-issuer); a session token starts with djs_");
        auto verified = tokens_->verify(text, now);
        if (!verified) return std::unexpected(verified.error());
        user = std::move(*verified);
      }
      if (creds->kind == Credentials::Kind::Cookie && changes(req.method) && req.has_header("Origin") &&
          !same_origin(req.header("Origin"), req.header("Host")))
        return fail(ErrorKind::Forbidden, "Cross-site request refused",
                    "a change made with the session cookie must come from Dejima's own pages");
      const bool op = user->operator_role;
      const std::string id = user->name.starts_with("oidc:") ? user->name : "user:" + user->name;
      return std::optional(Caller{.id = id,
                                  .operator_rights = op,
                                  .user = std::move(user),
                                  .by_cookie = creds->kind == Credentials::Kind::Cookie});
    }
  }
  return std::optional<Caller>();
}

std::string tenant_of_request(const http::Request& req, const http::Permission& permission,
                              const std::vector<std::string>& params) {
  switch (permission.tenant) {
    case http::TenantFrom::Path: return params.empty() ? std::string() : tenant_of_name(params[0]);
    case http::TenantFrom::Query: {
      const std::string* t = req.param("tenant");
      return t ? tenant_of_name(*t) : std::string();
    }
    case http::TenantFrom::Header: break;
  }
  return tenant_of_name(req.tenant_header());
}

Result<http::Grant> AccessGate::admit(const http::Request& req, const http::Permission& permission,
                                      const std::vector<std::string>& params, http::Refusal& refusal) {
  auto g = decide(req, permission, params, refusal);
  if (!g && g.error().kind == ErrorKind::Unauthorized) {
    refusal.headers.emplace_back("WWW-Authenticate", R"(ApiKey realm="dejima", header="X-API-Key")");
    refusal.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="dejima")");
  }
  return g;
}

Result<http::Grant> AccessGate::decide(const http::Request& req, const http::Permission& permission,
                                       const std::vector<std::string>& params, http::Refusal& refusal) {
  const Need need = permission.need;
  if (need == Need::Open) return nothing("anonymous", "");
  const std::string tenant = tenant_of_request(req, permission, params);
  refusal.tenant = tenant;
  auto who = identify(req);
  if (!who) return std::unexpected(who.error());
  if (*who) refusal.caller = (*who)->id;
  if (need == Need::Identified) {
    if (!*who) return fail(ErrorKind::Unauthorized, "Credentials required", "sign in or send an API key");
    http::Grant g = nothing((*who)->id, "");
    g.operator_rights = (*who)->operator_rights;
    if ((*who)->user)
      for (const auto& [t, role] : (*who)->user->roles)
        g.roles.emplace_back(t.empty() ? std::string(kDefaultTenantAlias) : t, role_name(role));
    return g;
  }
  if (need != Need::Operator && !directory_.has_tenant(tenant))
    return fail(ErrorKind::NonexistentTenant, "Tenant not registered",
                shown(tenant) + " is not in the registry (/dejima/v1/tenants)");
  if (*who && (*who)->operator_rights) return http::Grant{.caller = (*who)->id, .tenant = tenant};
  if (!*who)
    return public_grant(nothing("anonymous", tenant), need, directory_.public_types(tenant),
                        {ErrorKind::Unauthorized, "Credentials required", "this operation needs an API key or a user"});
  const Caller& caller = **who;
  if (caller.key.service)
    if (const unsigned wait = quotas_.admit(*caller.key.key, *caller.key.service, now_millis()); wait > 0) {
      refusal.headers.emplace_back("Retry-After", std::to_string(wait));
      return fail(ErrorKind::TooManyRequests, "Too many requests",
                  "the key's rate limit or daily quota is spent; retry in " + std::to_string(wait) + " s");
    }
  http::Grant g = nothing(caller.id, tenant);
  const Error refused{ErrorKind::Forbidden, "Not allowed",
                      (caller.user ? "the user may not " : "the key's service may not ") +
                          std::string(http::need_name(need)) + " in " + shown(tenant)};
  // Allowed by a scope with the need's operation; the readable types are those of the scopes
  // that read (the history's for a temporal need): a subscription may not notify others.
  bool allowed = false;
  const std::string_view reading = need == Need::Temporal ? "temporal" : "read";
  const auto scopes = need == Need::Operator ? std::vector<Scope>{} : caller.scopes_in(tenant);
  for (const auto& scope : scopes) {
    allowed = allowed || scope.allows(operation_of(need));
    if (!scope.allows(reading)) continue;
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

http::Grant AccessGate::reading(const http::Request& req, const std::string& tenant) {
  http::Grant g = nothing("anonymous", tenant);
  if (!directory_.has_tenant(tenant)) return g;
  auto who = identify(req);
  if (who && *who && (*who)->operator_rights) return http::Grant{.caller = (*who)->id, .tenant = tenant};
  if (who && *who) {
    g.caller = (*who)->id;
    for (const auto& scope : (*who)->scopes_in(tenant)) {
      if (!scope.allows("read")) continue;
      if (scope.types.empty()) g.all_types = true;
      g.types.insert(g.types.end(), scope.types.begin(), scope.types.end());
    }
    if (g.all_types) {
      g.types.clear();
      return g;
    }
  }
  for (auto& t : directory_.public_types(tenant)) g.types.push_back(std::move(t));
  return g;
}

}  // namespace dejima::access

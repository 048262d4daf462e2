#include "manage/user_handlers.h"

#include "access/gate.h"
#include "access/login_throttle.h"
#include "http/problem.h"
#include "manage/json_body.h"

namespace dejima::manage {
namespace {

using Params = std::vector<std::string>;
using access::UserRecord;
using access::Users;

std::string path_name(const std::string& tenant) { return tenant.empty() ? "default" : tenant; }

Error bad(std::string detail) { return {ErrorKind::BadRequestData, "Invalid user", std::move(detail)}; }
Error forbidden(std::string detail) { return {ErrorKind::Forbidden, "Not allowed", std::move(detail)}; }

using json::member;

// Applies a body's members to u: displayName, password, role (in `tenant`) and operator. What
// `creating` requires (name, password, a role or operator) is checked by the caller.
Status apply_user_fields(const json::Value& body, UserRecord& u, const std::string& tenant, const http::Grant& grant) {
  if (!body.IsObject()) return std::unexpected(bad("the body must be a JSON object"));
  for (const auto& m : body.GetObject()) {
    const std::string_view key = json::view(m.name);
    if (key == "name") continue;  // taken when creating
    if (key == "displayName") {
      if (!m.value.IsString() || m.value.GetStringLength() > 200)
        return std::unexpected(bad("displayName must be a string of at most 200 bytes"));
      u.display_name = json::view(m.value);
    } else if (key == "password") {
      if (!m.value.IsString()) return std::unexpected(bad("password must be a string"));
      if (auto s = access::check_password(json::view(m.value)); !s) return s;
      auto hash = access::hash_password(json::view(m.value));
      if (!hash) return std::unexpected(hash.error());
      u.password_hash = std::move(*hash);
    } else if (key == "role") {
      auto role = m.value.IsString() ? access::role_of(json::view(m.value)) : std::nullopt;
      if (!role) return std::unexpected(bad("role is admin, editor or viewer"));
      u.roles[tenant] = *role;
    } else if (key == "operator") {
      if (!m.value.IsBool()) return std::unexpected(bad("operator is true or false"));
      if (!grant.operator_rights && m.value.GetBool() != u.operator_role)
        return std::unexpected(forbidden("only the operator gives or takes the operator role"));
      u.operator_role = m.value.GetBool();
    } else {
      return std::unexpected(bad("unknown member '" + std::string(key) + "'"));
    }
  }
  return {};
}

http::Response user_answer(unsigned status, const UserRecord& u, const std::optional<std::string>& tenant) {
  return http::json_body(status, json::written([&](json::Writer& w) { access::write_user(w, u, tenant); }));
}

std::string cookie(std::string_view token, Millis max_age_ms) {
  return std::string(access::kSessionCookie) + "=" + std::string(token) +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_ms / 1000);
}

void login(Users& users, access::LoginThrottle& throttle, const SessionOptions& options, const http::Request& req,
           http::Reply reply) {
  json::Document doc;
  if (auto s = parse_json_body(req, doc, "login"); !s) return reply(http::problem(s.error()));
  const json::Value* name = doc.IsObject() ? member(doc, "user") : nullptr;
  const json::Value* password = doc.IsObject() ? member(doc, "password") : nullptr;
  if (!name || !name->IsString() || !password || !password->IsString())
    return reply(http::problem({ErrorKind::BadRequestData, "Invalid login", R"(send {"user": …, "password": …})"}));
  const std::string tried(json::view(*name).substr(0, 64));
  const std::string actor = "user:" + tried;  // the audit log's
  const std::string address(req.peer);
  const Millis now = now_millis();
  if (const unsigned wait = throttle.wait(address, tried, now); wait > 0) {
    http::Response refused =
        http::problem({ErrorKind::TooManyRequests, "Too many failed logins",
                       "from this address or for this user; retry in " + std::to_string(wait) + " s"});
    refused.header("Retry-After", std::to_string(wait));
    refused.actor = actor;
    return reply(std::move(refused));
  }
  auto session = users.login(json::view(*name), json::view(*password), now, options.ttl_ms);
  if (!session) {
    throttle.failed(address, tried, now);
    http::Response refused = http::problem(session.error());
    refused.actor = actor;
    return reply(std::move(refused));
  }
  throttle.succeeded(tried);
  http::Response resp = http::json_body(200, json::written([&](json::Writer& w) {
                                          w.StartObject();
                                          w.Key("user");
                                          access::write_user(w, *session->user);
                                          w.Key("token");
                                          json::write_string(w, session->token);
                                          w.Key("expiresAt");
                                          json::write_string(w, format_iso8601(session->expires_at));
                                          w.EndObject();
                                        }));
  resp.header("Set-Cookie", cookie(session->token, options.ttl_ms));
  resp.header("Cache-Control", "no-store");
  resp.actor = actor;
  reply(std::move(resp));
}

void logout(Users& users, const http::Request& req, http::Reply reply) {
  auto creds = access::presented_credentials(req);
  std::string actor = "anonymous";
  if (creds && (creds->kind == access::Credentials::Kind::Cookie ||
                (creds->kind == access::Credentials::Kind::Bearer && creds->text.starts_with("djs_")))) {
    if (auto user = users.session_user(creds->text, now_millis())) actor = "user:" + user->name;
    if (auto s = users.logout(creds->text); !s) return reply(http::problem(s.error()));
  }
  http::Response resp = status_only(204);
  resp.actor = std::move(actor);
  resp.header("Set-Cookie", cookie("", 0));
  reply(std::move(resp));
}

// The signed-in user's own record (nullptr for a key or a token's subject).
std::shared_ptr<const UserRecord> own_user(Users& users, const http::Grant& g) {
  return g.caller.starts_with("user:") ? users.find(g.caller.substr(5)) : nullptr;
}

void add_self_routes(http::Router& r, Users& users, const SessionOptions& options) {
  using http::Method;
  using http::Need;
  auto throttle = std::make_shared<access::LoginThrottle>();
  r.add(Method::Post, "/dejima/v1/login", {Need::Open},
        [&users, throttle, options](const http::Request& req, const Params&, http::Reply reply) {
    login(users, *throttle, options, req, std::move(reply));
  });
  r.add(Method::Post, "/dejima/v1/logout", {Need::Open},
        [&users](const http::Request& req, const Params&, http::Reply reply) { logout(users, req, std::move(reply)); });
  r.add(Method::Get, "/dejima/v1/me", {Need::Identified},
        [&users](const http::Request& req, const Params&, http::Reply reply) {
    auto user = own_user(users, req.grant);
    reply(http::json_body(200, json::written([&](json::Writer& w) {
                            w.StartObject();
                            w.Key("caller");
                            json::write_string(w, req.grant.caller);
                            w.Key("operator");
                            w.Bool(req.grant.operator_rights);
                            w.Key("roles");
                            w.StartObject();
                            for (const auto& [tenant, role] : req.grant.roles) {
                              json::write_key(w, tenant);
                              json::write_string(w, role);
                            }
                            w.EndObject();
                            if (user) {
                              w.Key("user");
                              access::write_user(w, *user);
                            }
                            w.EndObject();
                          })));
  });
  // A user changes their own display name or password (the current one required).
  r.add(Method::Patch, "/dejima/v1/me", {Need::Identified},
        [&users](const http::Request& req, const Params&, http::Reply reply) {
    auto user = own_user(users, req.grant);
    if (!user) return reply(http::problem(forbidden("only a signed-in user has a record to change")));
    json::Document doc;
    if (auto s = parse_json_body(req, doc, "change"); !s) return reply(http::problem(s.error()));
    if (!doc.IsObject()) return reply(http::problem(bad("the body must be a JSON object")));
    UserRecord u = *user;
    if (doc.HasMember("password")) {
      const json::Value* current = member(doc, "currentPassword");
      if (!current || !current->IsString() || !access::password_matches(u.password_hash, json::view(*current)))
        return reply(http::problem(forbidden("currentPassword is missing or wrong")));
    }
    doc.RemoveMember("currentPassword");
    for (const char* privileged : {"role", "operator"})
      if (doc.HasMember(privileged))
        return reply(http::problem(forbidden(std::string(privileged) + " is given by an administrator")));
    if (auto s = apply_user_fields(doc, u, "", req.grant); !s) return reply(http::problem(s.error()));
    u.modified_at = now_millis();
    if (auto s = users.put(std::move(u)); !s) return reply(http::problem(s.error()));
    reply(status_only(204));
  });
  r.add(Method::Get, "/dejima/v1/users", {Need::Operator},
        [&users](const http::Request&, const Params&, http::Reply reply) {
    reply(http::json_body(200, json::written([&](json::Writer& w) {
                            w.StartArray();
                            for (const auto& u : users.list()) access::write_user(w, *u);
                            w.EndArray();
                          })));
  });
}

// Whether `u` works anywhere but `tenant` (another tenant's role, or the operator role).
bool works_elsewhere(const UserRecord& u, const std::string& tenant) {
  if (u.operator_role) return true;
  for (const auto& [t, _] : u.roles)
    if (t != tenant) return true;
  return false;
}

void create_user(Users& users, const http::Request& req, const std::string& tenant, http::Reply reply) {
  json::Document doc;
  if (auto s = parse_json_body(req, doc, "user"); !s) return reply(http::problem(s.error()));
  const json::Value* name = doc.IsObject() ? member(doc, "name") : nullptr;
  if (!name || !name->IsString() || !access::valid_user_name(json::view(*name)))
    return reply(http::problem(bad("name is 1 to 64 of a-z 0-9 . _ @ -")));
  if (!doc.HasMember("password")) return reply(http::problem(bad("a new user needs a password")));
  if (!doc.HasMember("role")) return reply(http::problem(bad("a new user needs a role: admin, editor or viewer")));
  UserRecord u{.name = std::string(json::view(*name))};
  if (users.find(u.name))
    return reply(
        http::problem({ErrorKind::AlreadyExists, "User already exists",
                       u.name + " (the operator gives an existing user a role here with PUT …/users/" + u.name + ")"}));
  if (auto s = apply_user_fields(doc, u, tenant, req.grant); !s) return reply(http::problem(s.error()));
  u.created_at = u.modified_at = now_millis();
  if (auto s = users.put(u); !s) return reply(http::problem(s.error()));
  http::Response resp = user_answer(201, u, tenant);
  resp.header("Location", "/dejima/v1/tenants/" + path_name(tenant) + "/users/" + u.name);
  reply(std::move(resp));
}

// PUT gives an existing user a role here (the operator, for a user of another tenant); PATCH
// changes a user of this tenant.
void change_user(Users& users, const http::Request& req, const std::string& tenant, const std::string& name, bool put,
                 http::Reply reply) {
  auto current = users.find(name);
  const bool here = current && current->roles.count(tenant);
  if (!current || (!here && !(put && req.grant.operator_rights)))
    return reply(http::problem({ErrorKind::ResourceNotFound, "User not found", name + " has no role here"}));
  json::Document doc;
  if (auto s = parse_json_body(req, doc, "user"); !s) return reply(http::problem(s.error()));
  if (put && (!doc.IsObject() || !doc.HasMember("role")))
    return reply(http::problem(bad("PUT gives a role: {\"role\": \"admin\" | \"editor\" | \"viewer\"}")));
  if (doc.IsObject() && doc.HasMember("password") && works_elsewhere(*current, tenant) && !req.grant.operator_rights)
    return reply(http::problem(forbidden("the user works in other tenants too: the operator resets the password")));
  UserRecord u = *current;
  if (auto s = apply_user_fields(doc, u, tenant, req.grant); !s) return reply(http::problem(s.error()));
  u.modified_at = now_millis();
  if (auto s = users.put(u); !s) return reply(http::problem(s.error()));
  reply(user_answer(200, u, tenant));
}

// Takes the user's role here; a user left with no role (and not an operator) is removed.
void delete_user(Users& users, const std::string& tenant, const std::string& name, http::Reply reply) {
  auto current = users.find(name);
  if (!current || !current->roles.count(tenant))
    return reply(http::problem({ErrorKind::ResourceNotFound, "User not found", name + " has no role here"}));
  UserRecord u = *current;
  u.roles.erase(tenant);
  u.modified_at = now_millis();
  auto s = u.roles.empty() && !u.operator_role ? users.remove(name) : users.put(std::move(u));
  if (!s) return reply(http::problem(s.error()));
  reply(status_only(204));
}

void add_tenant_user_routes(http::Router& r, Users& users) {
  using http::Method;
  const std::string base = "/dejima/v1/tenants/{tenant}/users";
  const http::Permission admin{http::Need::TenantAdmin, http::TenantFrom::Path};
  r.add(Method::Get, base, admin, [&users](const http::Request&, const Params& p, http::Reply reply) {
    const std::string tenant = access::tenant_of_name(p[0]);
    reply(http::json_body(200, json::written([&](json::Writer& w) {
                            w.StartArray();
                            for (const auto& u : users.list())
                              if (u->roles.count(tenant)) access::write_user(w, *u, tenant);
                            w.EndArray();
                          })));
  });
  r.add(Method::Post, base, admin, [&users](const http::Request& req, const Params& p, http::Reply reply) {
    create_user(users, req, access::tenant_of_name(p[0]), std::move(reply));
  });
  r.add(Method::Get, base + "/{user}", admin, [&users](const http::Request&, const Params& p, http::Reply reply) {
    const std::string tenant = access::tenant_of_name(p[0]);
    auto u = users.find(p[1]);
    if (!u || !u->roles.count(tenant))
      return reply(http::problem({ErrorKind::ResourceNotFound, "User not found", p[1] + " has no role here"}));
    reply(user_answer(200, *u, tenant));
  });
  r.add(Method::Put, base + "/{user}", admin, [&users](const http::Request& req, const Params& p, http::Reply reply) {
    change_user(users, req, access::tenant_of_name(p[0]), p[1], true, std::move(reply));
  });
  r.add(Method::Patch, base + "/{user}", admin, [&users](const http::Request& req, const Params& p, http::Reply reply) {
    change_user(users, req, access::tenant_of_name(p[0]), p[1], false, std::move(reply));
  });
  r.add(Method::Delete, base + "/{user}", admin, [&users](const http::Request&, const Params& p, http::Reply reply) {
    delete_user(users, access::tenant_of_name(p[0]), p[1], std::move(reply));
  });
}

}  // namespace

void add_user_routes(http::Router& r, Users& users, SessionOptions options) {
  add_self_routes(r, users, options);
  add_tenant_user_routes(r, users);
}

}  // namespace dejima::manage

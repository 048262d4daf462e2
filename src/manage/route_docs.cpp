#include "manage/route_docs.h"

namespace dejima::manage {

http::ApiDocs route_docs() {
  using M = http::Method;
  const std::string c = "/dejima/v1/connectors", t = "/dejima/v1/tenants";
  const std::string s = t + "/{tenant}/services", u = t + "/{tenant}/users";
  const std::string conn = "Connectors", access = "Access control", people = "Users", usage = "Usage and costs";
  return {
      {
          {M::Get, c, "The connectors (each with its state, next run and last run)", conn, 200, "", "Any"},
          {M::Post, c, "Declare a connector", conn, 201, "Connector"},
          {M::Get, c + "/{name}", "One connector", conn, 200, "", "Connector"},
          {M::Put, c + "/{name}", "Declare or replace a connector", conn, 204, "Connector"},
          {M::Delete, c + "/{name}", "Remove a connector (its entities stay)", conn, 204},
          {M::Get, c + "/{name}/runs", "The last 20 run logs, newest first", conn, 200, "", "Any"},
          {M::Post, c + "/{name}/runs", "Run now", conn, 202},
          {M::Get, t, "The tenant registry", access, 200, "", "Any"},
          {M::Post, t, "Register a tenant", access, 201, "Tenant"},
          {M::Get, t + "/{tenant}", "One tenant", access, 200, "", "Tenant"},
          {M::Put, t + "/{tenant}", "Register or replace a tenant", access, 204, "Tenant"},
          {M::Patch, t + "/{tenant}", "Change a tenant's names or public types", access, 204, "Tenant"},
          {M::Get, s, "The tenant's services", access, 200, "", "Any"},
          {M::Post, s, "Register a service and issue its first API key", access, 201, "Service", "Any"},
          {M::Get, s + "/{service}", "One service, with its keys", access, 200, "", "Service"},
          {M::Delete, s + "/{service}", "Remove a service (its keys are revoked)", access, 204},
          {M::Post, s + "/{service}/keys", "Issue another key (rotation)", access, 201, "Any", "Any"},
          {M::Delete, s + "/{service}/keys/{keyId}", "Revoke a key", access, 204},
          {M::Post, "/dejima/v1/login", "Sign in: a session (cookie and bearer token)", people, 200, "Login", "Any"},
          {M::Post, "/dejima/v1/logout", "End the session", people, 204},
          {M::Get, "/dejima/v1/me", "Who the caller is, and its roles", people, 200, "", "Any"},
          {M::Patch, "/dejima/v1/me", "Change one's display name or password", people, 204, "Any"},
          {M::Get, "/dejima/v1/users", "Every user and their roles", people, 200, "", "Any"},
          {M::Get, u, "The users with a role in the tenant", people, 200, "", "Any"},
          {M::Post, u, "Create a user with a role in the tenant", people, 201, "Any"},
          {M::Get, u + "/{user}", "One user", people, 200, "", "Any"},
          {M::Put, u + "/{user}", "Give an existing user a role here", people, 204, "Any"},
          {M::Patch, u + "/{user}", "Change a user's role, name or password", people, 204, "Any"},
          {M::Delete, u + "/{user}", "Take the user's role here", people, 204},
          {M::Get,
           "/dejima/v1/cost-shares",
           "The members' cost shares (負担金)",
           usage,
           200,
           "",
           "Any",
           {"year", "format"}},
          {M::Get,
           "/dejima/v1/usage",
           "The usage history",
           usage,
           200,
           "",
           "Any",
           {"tenant", "key", "from", "to", "groupBy", "format"}},
          {M::Get, "/dejima/v1/audit", "The audit log", usage, 200, "", "Any", {"tenant", "from", "to", "limit"}},
      },
      {
          {"Connector",
           R"json({"type":"object","description":"a connector's declaration","properties":{"name":{"type":"string"},"source":{"type":"string"},"format":{"type":"string"},"tenant":{"type":"string"},"type":{"type":"string"},"schedule":{"type":"string"},"deleteMissing":{"type":"boolean"},"history":{"type":"boolean"},"params":{"type":"object"}},"required":["name","source","format"]})json"},
          {"Tenant",
           R"json({"type":"object","properties":{"name":{"type":"string"},"nameJa":{"type":"string"},"nameEn":{"type":"string"},"code":{"type":"string"},"kind":{"type":"string"},"population":{"type":"integer"},"publicTypes":{"type":"array","items":{"type":"string"}}}})json"},
          {"Service",
           R"json({"type":"object","properties":{"name":{"type":"string"},"owner":{"type":"string"},"scopes":{"type":"array","items":{"type":"object"}},"rateLimit":{"type":"object"},"dailyQuota":{"type":"integer"}}})json"},
          {"Login",
           R"json({"type":"object","properties":{"user":{"type":"string"},"password":{"type":"string"}},"required":["user","password"]})json"},
      },
  };
}

}  // namespace dejima::manage

#include "access/user_record.h"

#include <sodium.h>

#include <algorithm>

namespace dejima::access {
namespace {

std::string shown_tenant(const std::string& t) { return t.empty() ? "default" : t; }
std::string tenant_named(std::string_view t) { return t == "default" ? std::string() : std::string(t); }

void write_fields(json::Writer& w, const UserRecord& u, const std::optional<std::string>& only_tenant) {
  w.Key("name");
  json::write_string(w, u.name);
  w.Key("displayName");
  json::write_string(w, u.display_name);
  w.Key("operator");
  w.Bool(u.operator_role);
  w.Key("roles");
  w.StartObject();
  for (const auto& [tenant, role] : u.roles) {
    if (only_tenant && *only_tenant != tenant) continue;
    json::write_key(w, shown_tenant(tenant));
    json::write_string(w, role_name(role));
  }
  w.EndObject();
  w.Key("createdAt");
  json::write_string(w, format_iso8601(u.created_at));
  w.Key("modifiedAt");
  json::write_string(w, format_iso8601(u.modified_at));
}

}  // namespace

std::optional<Role> role_of(std::string_view name) {
  if (name == "viewer") return Role::Viewer;
  if (name == "editor") return Role::Editor;
  if (name == "admin") return Role::Admin;
  return std::nullopt;
}

std::string_view role_name(Role r) {
  switch (r) {
    case Role::Viewer: return "viewer";
    case Role::Editor: return "editor";
    case Role::Admin: return "admin";
  }
  return "viewer";
}

Scope role_scope(Role r) {
  Scope s{.operations = {"read", "temporal"}};
  if (r != Role::Viewer) s.operations.insert(s.operations.end(), {"write", "subscribe"});
  if (r == Role::Admin) s.operations.emplace_back("admin");
  return s;
}

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' || c == '-';
  });
}

Status check_password(std::string_view password) {
  if (password.size() < 10 || password.size() > 1024)
    return fail(ErrorKind::BadRequestData, "Invalid password", "a password has 10 to 1024 bytes");
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password.front(); }))
    return fail(ErrorKind::BadRequestData, "Invalid password", "a password of one repeated character is refused");
  if (!json::valid_utf8(password))
    return fail(ErrorKind::BadRequestData, "Invalid password", "a password must be UTF-8 text");
  return {};
}

Result<std::string> hash_password(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return fail(ErrorKind::InternalError, "Cannot hash the password", "out of memory");
  return std::string(out);
}

bool password_matches(const std::string& hash, std::string_view password) {
  return !hash.empty() && crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void write_user(json::Writer& w, const UserRecord& u, const std::optional<std::string>& only_tenant) {
  w.StartObject();
  write_fields(w, u, only_tenant);
  w.EndObject();
}

std::string stored_user_json(const UserRecord& u) {
  return json::written([&](json::Writer& w) {
    w.StartObject();
    write_fields(w, u, std::nullopt);
    w.Key("passwordHash");
    json::write_string(w, u.password_hash);
    w.EndObject();
  });
}

Result<UserRecord> stored_user(std::string_view body) {
  json::Document doc;
  if (auto err = json::parse_stored(doc, body); !err.empty() || !doc.IsObject())
    return fail(ErrorKind::InternalError, "Corrupt user record", err);
  UserRecord u;
  auto text = [&](const char* key) {
    auto it = doc.FindMember(key);
    return it != doc.MemberEnd() && it->value.IsString() ? std::string(json::view(it->value)) : std::string();
  };
  u.name = text("name");
  u.display_name = text("displayName");
  u.password_hash = text("passwordHash");
  u.created_at = parse_iso8601(text("createdAt")).value_or(0);
  u.modified_at = parse_iso8601(text("modifiedAt")).value_or(0);
  if (auto it = doc.FindMember("operator"); it != doc.MemberEnd() && it->value.IsBool())
    u.operator_role = it->value.GetBool();
  if (auto it = doc.FindMember("roles"); it != doc.MemberEnd() && it->value.IsObject())
    for (const auto& m : it->value.GetObject())
      if (auto r = m.value.IsString() ? role_of(json::view(m.value)) : std::nullopt)
        u.roles[tenant_named(json::view(m.name))] = *r;
  if (!valid_user_name(u.name)) return fail(ErrorKind::InternalError, "Corrupt user record", "invalid name");
  return u;
}

}  // namespace dejima::access

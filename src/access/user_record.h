// A person who signs in (ユーザ管理): a login name, a password Dejima keeps only as an argon2id
// hash (libsodium), and a role in each tenant they work for — admin (the tenant's users,
// services, keys and connectors), editor (writes data), viewer (reads data) — or the operator
// role across every tenant (the prefecture's platform team).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "access/service_record.h"
#include "util/error.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::access {

enum class Role { Viewer, Editor, Admin };

std::optional<Role> role_of(std::string_view name);
std::string_view role_name(Role r);
// What a role may do in its tenant, as a scope over every type.
Scope role_scope(Role r);

struct UserRecord {
  std::string name;  // the login name: 1-64 of a-z 0-9 . _ @ -
  std::string display_name;
  std::string password_hash;  // crypto_pwhash_str (argon2id)
  bool operator_role = false;
  std::map<std::string, Role> roles;  // tenant ("" = the default tenant) → role
  Millis created_at = 0, modified_at = 0;
};

bool valid_user_name(std::string_view name);
// A password a person may choose: 10 to 1024 bytes, not all the same character.
Status check_password(std::string_view password);
// The argon2id hash of `password` (interactive limits: about 0.1 s and 64 MiB).
Result<std::string> hash_password(std::string_view password);
bool password_matches(const std::string& hash, std::string_view password);

// The API form: {"name", "displayName", "operator", "roles": {tenant: role}, "createdAt",
// "modifiedAt"}; never the hash. `only_tenant` (when set) shows the role in that tenant only.
void write_user(json::Writer& w, const UserRecord& u, const std::optional<std::string>& only_tenant = std::nullopt);
// Stored forms (with the hash).
std::string stored_user_json(const UserRecord& u);
Result<UserRecord> stored_user(std::string_view body);

}  // namespace dejima::access

// An app or service registered under a tenant (サービス管理), what its API keys may do, and the
// keys themselves. A key's text is shown once, when it is issued; Dejima keeps only its hash.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "util/error.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::access {

// The operations a scope names: read, temporal, write, subscribe, and admin (manage the
// tenant's services and keys).
bool valid_operation(std::string_view op);

// What a key may do: `operations` on the entities of `types` (none listed: every type). Types
// restrict read and temporal only; a scope with write or subscribe lists none.
struct Scope {
  std::vector<std::string> types;
  std::vector<std::string> operations;
  bool allows(std::string_view op) const;
};

struct RateLimit {
  double per_second = 0;  // 0 = none
  unsigned burst = 0;
};

struct ServiceRecord {
  std::string tenant;  // "" = the default tenant
  std::string id;      // assigned by Dejima
  std::string name, owner, contact, purpose;
  std::vector<Scope> scopes;
  RateLimit rate_limit;
  long long daily_quota = 0;  // requests per day, 0 = none
  Millis created_at = 0;
};

struct KeyRecord {
  std::string id;               // public, names the key for revocation
  std::string tenant, service;  // both "" for the operator's key
  bool operator_key = false;
  std::string hash;  // hex BLAKE2b-256 of the key text
  Millis created_at = 0;
  Millis expires_at = 0;  // 0 = never
  Millis revoked_at = 0;  // 0 = not revoked
  bool active(Millis now) const { return revoked_at == 0 && (expires_at == 0 || now < expires_at); }
};

// Applies a POST body's members (name, owner, contact, purpose, scopes, rateLimit, dailyQuota) to s.
Status apply_service_fields(const json::Value& body, ServiceRecord& s);
// The API form, with the service's keys (never their hashes).
void write_service(json::Writer& w, const ServiceRecord& s, const std::vector<KeyRecord>& keys);
void write_key(json::Writer& w, const KeyRecord& k);
// Stored forms.
std::string stored_service_json(const ServiceRecord& s);
Result<ServiceRecord> stored_service(std::string_view body);
std::string stored_key_json(const KeyRecord& k);
Result<KeyRecord> stored_key(std::string_view body);

}  // namespace dejima::access

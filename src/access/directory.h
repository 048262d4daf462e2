// The access model's state: the tenant registry, the services registered under each tenant and
// their API keys, in memory (every request consults it) and in the store's records (kinds
// "tenant", "service", "apikey"), written before a change is visible. Thread-safe.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "access/service_record.h"
#include "access/tenant_record.h"
#include "store/store.h"

namespace dejima::access {

// A key as issued: its record and its text, which exists only in this answer.
struct IssuedKey {
  KeyRecord record;
  std::string text;
};

// Who a valid key speaks for.
struct Principal {
  std::shared_ptr<const KeyRecord> key;
  std::shared_ptr<const ServiceRecord> service;  // null for the operator's key
};

class Directory {
 public:
  // `open_tenant` opens (creating) the data store of a tenant being registered, so that a
  // registered tenant answers reads (empty) before its first write.
  using OpenTenant = std::function<Status(const std::string& tenant)>;
  Directory(store::Storage& storage, OpenTenant open_tenant)
      : storage_(storage), open_tenant_(std::move(open_tenant)) {}
  // Loads the records and opens every registered tenant's store.
  Status load();

  // Tenants ("" = the default tenant).
  std::vector<TenantRecord> tenants() const;
  std::optional<TenantRecord> tenant(const std::string& name) const;
  bool has_tenant(const std::string& name) const;
  // Nothing registered yet (the first start): only the implicit default tenant.
  bool registry_empty() const;
  Status put_tenant(TenantRecord t);  // creates or replaces (times kept by the caller)
  // The public types of a tenant (empty when it has none or is not registered).
  std::vector<std::string> public_types(const std::string& tenant) const;

  // Services of a tenant and their keys.
  std::vector<std::shared_ptr<const ServiceRecord>> services(const std::string& tenant) const;
  std::shared_ptr<const ServiceRecord> service(const std::string& tenant, const std::string& id) const;
  std::vector<KeyRecord> keys(const std::string& tenant, const std::string& service) const;
  // Registers s (id and creation time assigned) and issues its first key.
  Result<IssuedKey> create_service(ServiceRecord s, Millis key_expires_at);
  // Removes the service and revokes its keys.
  Status delete_service(const std::string& tenant, const std::string& id);
  // Issues another key of the service; with `replaces`, that key expires `overlap_ms` from now
  // (rotation: both work meanwhile).
  Result<IssuedKey> issue_key(const std::string& tenant, const std::string& service, Millis expires_at,
                              const std::string& replaces, Millis overlap_ms);
  Status revoke_key(const std::string& tenant, const std::string& service, const std::string& key_id);

  // The operator's key: `text` when given (the bootstrap setting), else a generated one.
  bool has_operator_key() const;
  Result<IssuedKey> issue_operator_key(const std::string& text);
  // Revokes every operator key but `except` (a leaked key replaced).
  Status revoke_operator_keys(const std::string& except);

  // The active key whose text this is, if any. A key once verified is found again by its text
  // in a cache (no hash computed); any change to keys or services empties the cache.
  std::optional<Principal> authenticate(std::string_view key_text, Millis now) const;

 private:
  Result<IssuedKey> issue_locked(KeyRecord k, std::string text);
  // Saves k and makes it the key of its id (the cache forgets every key).
  Status put_key_locked(KeyRecord k);
  std::optional<Principal> principal_locked(const std::string& key_id) const;

  store::Storage& storage_;
  OpenTenant open_tenant_;
  mutable std::shared_mutex mu_;
  std::map<std::string, TenantRecord> tenants_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const ServiceRecord>> services_;  // (tenant, id)
  std::map<std::string, std::shared_ptr<const KeyRecord>> keys_;                                  // by id
  std::unordered_map<std::string, std::string> by_hash_;                                          // hash → key id
  mutable std::mutex cache_mu_;
  mutable std::unordered_map<std::string, Principal> verified_;  // key text → whom it was found to be
};

// A new random key text (`prefix` and 43 base64url characters: 256 bits) and its hash.
std::string new_key_text(std::string_view prefix = "dj_");
std::string key_hash(std::string_view key_text);

}  // namespace dejima::access

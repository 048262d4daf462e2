#include "access/directory.h"

#include <sodium.h>

#include <mutex>

namespace dejima::access {
namespace {

constexpr const char* kTenantKind = "tenant";
constexpr const char* kServiceKind = "service";
constexpr const char* kKeyKind = "apikey";

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  hex.pop_back();
  return hex;
}

std::string service_key(const std::string& tenant, const std::string& id) { return tenant + "/" + id; }

}  // namespace

std::string new_key_text(std::string_view prefix) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(prefix) + text;
}

// Keys are 256 random bits, so a fast hash is enough (no dictionary to try); passwords, which
// people choose, are another matter.
std::string key_hash(std::string_view key_text) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(key_text.data()), key_text.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

Status Directory::load() {
  if (sodium_init() < 0) return fail(ErrorKind::InternalError, "libsodium cannot start", "");
  std::unique_lock lock(mu_);
  auto tenants = storage_.load_records(kTenantKind);
  if (!tenants) return std::unexpected(tenants.error());
  for (const auto& r : *tenants) {
    auto t = stored_tenant(r.body);
    if (!t) return std::unexpected(t.error());
    tenants_[t->name] = std::move(*t);
  }
  auto services = storage_.load_records(kServiceKind);
  if (!services) return std::unexpected(services.error());
  for (const auto& r : *services) {
    auto s = stored_service(r.body);
    if (!s) return std::unexpected(s.error());
    auto record = std::make_shared<const ServiceRecord>(std::move(*s));
    services_[{record->tenant, record->id}] = std::move(record);
  }
  auto keys = storage_.load_records(kKeyKind);
  if (!keys) return std::unexpected(keys.error());
  for (const auto& r : *keys) {
    auto k = stored_key(r.body);
    if (!k) return std::unexpected(k.error());
    auto record = std::make_shared<const KeyRecord>(std::move(*k));
    by_hash_[record->hash] = record->id;
    keys_[record->id] = std::move(record);
  }
  tenants_.try_emplace("", TenantRecord{.kind = "other"});  // the default tenant is always there
  for (const auto& [name, _] : tenants_)
    if (auto s = open_tenant_(name); !s) return s;
  return {};
}

std::vector<TenantRecord> Directory::tenants() const {
  std::shared_lock lock(mu_);
  std::vector<TenantRecord> out;
  for (const auto& [_, t] : tenants_) out.push_back(t);
  return out;
}

std::optional<TenantRecord> Directory::tenant(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = tenants_.find(name);
  if (it == tenants_.end()) return std::nullopt;
  return it->second;
}

bool Directory::has_tenant(const std::string& name) const {
  std::shared_lock lock(mu_);
  return tenants_.count(name) > 0;
}

bool Directory::registry_empty() const {
  std::shared_lock lock(mu_);
  return tenants_.size() == 1 && tenants_.begin()->second.created_at == 0;
}

std::vector<std::string> Directory::public_types(const std::string& tenant) const {
  std::shared_lock lock(mu_);
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? std::vector<std::string>{} : it->second.public_types;
}

Status Directory::put_tenant(TenantRecord t) {
  std::unique_lock lock(mu_);
  if (!tenants_.count(t.name))
    if (auto s = open_tenant_(t.name); !s) return s;
  if (auto s = storage_.save_record(kTenantKind, {t.name, tenant_json(t)}); !s) return s;
  tenants_[t.name] = std::move(t);
  return {};
}

std::vector<std::shared_ptr<const ServiceRecord>> Directory::services(const std::string& tenant) const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const ServiceRecord>> out;
  for (auto it = services_.lower_bound({tenant, ""}); it != services_.end() && it->first.first == tenant; ++it)
    out.push_back(it->second);
  return out;
}

std::shared_ptr<const ServiceRecord> Directory::service(const std::string& tenant, const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = services_.find({tenant, id});
  return it == services_.end() ? nullptr : it->second;
}

std::vector<KeyRecord> Directory::keys(const std::string& tenant, const std::string& service) const {
  std::shared_lock lock(mu_);
  std::vector<KeyRecord> out;
  for (const auto& [_, k] : keys_)
    if (!k->operator_key && k->tenant == tenant && k->service == service) out.push_back(*k);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
  return out;
}

Status Directory::put_key_locked(KeyRecord k) {
  if (auto s = storage_.save_record(kKeyKind, {k.id, stored_key_json(k)}); !s) return s;
  auto record = std::make_shared<const KeyRecord>(std::move(k));
  by_hash_[record->hash] = record->id;
  keys_[record->id] = std::move(record);
  std::lock_guard lock(cache_mu_);
  verified_.clear();
  return {};
}

Result<IssuedKey> Directory::issue_locked(KeyRecord k, std::string text) {
  do k.id = random_hex(6);  // 12 characters: short enough to stay inside a std::string
  while (keys_.count(k.id));
  k.hash = key_hash(text);
  if (by_hash_.count(k.hash)) return fail(ErrorKind::AlreadyExists, "Key already in use", "choose another key");
  k.created_at = now_millis();
  if (auto s = put_key_locked(k); !s) return std::unexpected(s.error());
  return IssuedKey{std::move(k), std::move(text)};
}

Result<IssuedKey> Directory::create_service(ServiceRecord s, Millis key_expires_at) {
  std::unique_lock lock(mu_);
  if (!tenants_.count(s.tenant)) return fail(ErrorKind::NonexistentTenant, "Tenant not registered", s.tenant);
  s.id = random_hex(8);
  s.created_at = now_millis();
  if (auto st = storage_.save_record(kServiceKind, {service_key(s.tenant, s.id), stored_service_json(s)}); !st)
    return std::unexpected(st.error());
  KeyRecord k{.tenant = s.tenant, .service = s.id, .expires_at = key_expires_at};
  auto record = std::make_shared<const ServiceRecord>(std::move(s));
  services_[{record->tenant, record->id}] = std::move(record);
  return issue_locked(std::move(k), new_key_text());
}

Status Directory::delete_service(const std::string& tenant, const std::string& id) {
  std::unique_lock lock(mu_);
  if (!services_.count({tenant, id})) return fail(ErrorKind::ResourceNotFound, "Service not found", id);
  const Millis now = now_millis();
  std::vector<KeyRecord> revoked;
  for (const auto& [_, k] : keys_)
    if (!k->operator_key && k->tenant == tenant && k->service == id && !k->revoked_at) revoked.push_back(*k);
  for (auto& k : revoked) {
    k.revoked_at = now;
    if (auto s = put_key_locked(std::move(k)); !s) return s;
  }
  if (auto s = storage_.delete_record(kServiceKind, service_key(tenant, id)); !s) return s;
  services_.erase({tenant, id});
  std::lock_guard cache(cache_mu_);
  verified_.clear();
  return {};
}

Result<IssuedKey> Directory::issue_key(const std::string& tenant, const std::string& service, Millis expires_at,
                                       const std::string& replaces, Millis overlap_ms) {
  std::unique_lock lock(mu_);
  if (!services_.count({tenant, service})) return fail(ErrorKind::ResourceNotFound, "Service not found", service);
  if (!replaces.empty()) {
    auto it = keys_.find(replaces);
    if (it == keys_.end() || it->second->tenant != tenant || it->second->service != service || it->second->revoked_at)
      return fail(ErrorKind::BadRequestData, "Invalid key rotation", "replaces names no active key of this service");
    KeyRecord old = *it->second;
    const Millis until = now_millis() + overlap_ms;
    if (!old.expires_at || until < old.expires_at) old.expires_at = until;
    if (auto s = put_key_locked(std::move(old)); !s) return std::unexpected(s.error());
  }
  return issue_locked(KeyRecord{.tenant = tenant, .service = service, .expires_at = expires_at}, new_key_text());
}

Status Directory::revoke_key(const std::string& tenant, const std::string& service, const std::string& key_id) {
  std::unique_lock lock(mu_);
  auto it = keys_.find(key_id);
  if (it == keys_.end() || it->second->operator_key || it->second->tenant != tenant || it->second->service != service)
    return fail(ErrorKind::ResourceNotFound, "Key not found", key_id);
  if (it->second->revoked_at) return {};
  KeyRecord revoked = *it->second;
  revoked.revoked_at = now_millis();
  return put_key_locked(std::move(revoked));
}

bool Directory::has_operator_key() const {
  std::shared_lock lock(mu_);
  for (const auto& [_, k] : keys_)
    if (k->operator_key && !k->revoked_at) return true;
  return false;
}

Result<IssuedKey> Directory::issue_operator_key(const std::string& text) {
  if (!text.empty() && text.size() < 16)
    return fail(ErrorKind::BadRequestData, "Operator key too short", "give at least 16 characters");
  std::unique_lock lock(mu_);
  return issue_locked(KeyRecord{.operator_key = true}, text.empty() ? new_key_text() : text);
}

Status Directory::revoke_operator_keys(const std::string& except) {
  std::unique_lock lock(mu_);
  std::vector<KeyRecord> revoked;
  for (const auto& [id, k] : keys_)
    if (k->operator_key && !k->revoked_at && id != except) revoked.push_back(*k);
  for (auto& k : revoked) {
    k.revoked_at = now_millis();
    if (auto s = put_key_locked(std::move(k)); !s) return s;
  }
  return {};
}

std::optional<Principal> Directory::principal_locked(const std::string& key_id) const {
  const auto& k = keys_.at(key_id);
  if (k->operator_key) return Principal{k, nullptr};
  auto s = services_.find({k->tenant, k->service});
  if (s == services_.end()) return std::nullopt;
  return Principal{k, s->second};
}

std::optional<Principal> Directory::authenticate(std::string_view key_text, Millis now) const {
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = verified_.find(std::string(key_text)); it != verified_.end())
      return it->second.key->active(now) ? std::optional(it->second) : std::nullopt;
  }
  const std::string hash = key_hash(key_text);
  std::shared_lock lock(mu_);
  auto h = by_hash_.find(hash);
  if (h == by_hash_.end()) return std::nullopt;
  auto who = principal_locked(h->second);
  if (!who) return std::nullopt;
  {
    std::lock_guard cache(cache_mu_);  // inside mu_ as everywhere: a change empties the cache under mu_
    if (verified_.size() >= 10000) verified_.clear();
    verified_.emplace(key_text, *who);
  }
  return who->key->active(now) ? who : std::nullopt;
}

}  // namespace dejima::access

#include "federation/registry.h"

#include <algorithm>
#include <mutex>

#include <spdlog/spdlog.h>

namespace dejima::federation {
namespace {
constexpr const char* kKind = "registration";
}

Status Registry::load() {
  auto rows = storage_.load_records(kKind);
  if (!rows) return std::unexpected(rows.error());
  std::unique_lock lock(mu_);
  for (const auto& row : *rows) {
    const size_t slash = row.key.find('/');
    json::Document d;
    if (auto err = json::parse_stored(d, row.body); slash == std::string::npos || !err.empty() || !d.IsObject()) {
      spdlog::error("registration {}: stored document unreadable, skipped", row.key);
      continue;
    }
    const json::Value* tag = json::member(d, "@flavor");
    const std::string_view name = tag && tag->IsString() ? json::view(*tag) : "";
    auto f = std::find_if(flavors_.begin(), flavors_.end(), [&](const Flavor* f) { return f->name() == name; });
    if (f == flavors_.end()) {
      spdlog::error("registration {}: no API reads its kind '{}', skipped", row.key, name);
      continue;
    }
    auto r = (*f)->restore(d);
    if (!r) {
      spdlog::error("registration {}: {}, skipped", row.key, r.error().detail);
      continue;
    }
    (*r)->tenant = row.key.substr(0, slash);
    (*r)->id = row.key.substr(slash + 1);
    (*r)->flavor = *f;
    by_tenant_[(*r)->tenant][(*r)->id] = std::move(*r);
  }
  return {};
}

Status Registry::create(RegPtr r) {
  std::unique_lock lock(mu_);
  auto& regs = by_tenant_[r->tenant];
  if (regs.contains(r->id)) return fail(ErrorKind::AlreadyExists, "Registration already exists", r->id);
  if (auto st = storage_.save_record(kKind, {key(r->tenant, r->id), r->flavor->stored(*r)}); !st) return st;
  regs.emplace(r->id, std::move(r));
  return {};
}

RegPtr* Registry::locate_locked(const std::string& tenant, const std::string& id, const Flavor* flavor) {
  auto t = by_tenant_.find(tenant);
  if (t == by_tenant_.end()) return nullptr;
  auto it = t->second.find(id);
  return it == t->second.end() || it->second->flavor != flavor ? nullptr : &it->second;
}

Status Registry::replace(RegPtr r) {
  std::unique_lock lock(mu_);
  RegPtr* current = locate_locked(r->tenant, r->id, r->flavor);
  if (!current) return fail(ErrorKind::ResourceNotFound, "Registration not found", r->id);
  if (auto st = storage_.save_record(kKind, {key(r->tenant, r->id), r->flavor->stored(*r)}); !st) return st;
  *current = std::move(r);
  return {};
}

Status Registry::remove(const std::string& tenant, const std::string& id, const Flavor* flavor) {
  std::unique_lock lock(mu_);
  if (!locate_locked(tenant, id, flavor)) return fail(ErrorKind::ResourceNotFound, "Registration not found", id);
  if (auto st = storage_.delete_record(kKind, key(tenant, id)); !st) return st;
  by_tenant_[tenant].erase(id);
  return {};
}

RegPtr Registry::find(const std::string& tenant, const std::string& id, const Flavor* flavor) const {
  std::shared_lock lock(mu_);
  auto t = by_tenant_.find(tenant);
  if (t == by_tenant_.end()) return nullptr;
  auto it = t->second.find(id);
  return it == t->second.end() || it->second->flavor != flavor ? nullptr : it->second;
}

std::vector<RegPtr> Registry::list(const std::string& tenant, const Flavor* flavor) const {
  std::vector<RegPtr> out;
  std::shared_lock lock(mu_);
  if (auto t = by_tenant_.find(tenant); t != by_tenant_.end())
    for (const auto& [id, r] : t->second)
      if (r->flavor == flavor) out.push_back(r);
  return out;
}

bool Registry::any(const std::string& tenant) const {
  std::shared_lock lock(mu_);
  auto t = by_tenant_.find(tenant);
  return t != by_tenant_.end() && !t->second.empty();
}

std::vector<RegPtr> Registry::covering(const std::string& tenant, std::string_view id, const std::string* type, Op op,
                                       const Flavor* flavor, const ScopeTest& in_scope, Millis now) const {
  std::vector<RegPtr> out;
  for (const RegPtr& r : list(tenant, flavor)) {
    if (!(r->ops & op) || !r->live(now) || !in_scope(*r)) continue;
    if (std::any_of(r->entities.begin(), r->entities.end(), [&](const EntityInfo& e) { return e.matches(id, type); }))
      out.push_back(r);
  }
  return out;
}

}  // namespace dejima::federation

#include "broker/tenant.h"

#include <mutex>

#include <spdlog/spdlog.h>

#include "model/codec.h"

namespace dejima::broker {

Tenant::Tenant(std::string name, std::unique_ptr<store::TenantStore> store)
    : name_(std::move(name)), store_(std::move(store)) {}

Tenant::~Tenant() { close(); }

void Tenant::close() {
  if (store_) store_->close();
}

Status Tenant::load() {
  auto docs = store_->load_entities();
  if (!docs) return std::unexpected(docs.error());
  std::unique_lock lock(mu_);
  for (const auto& doc : *docs) {
    auto e = model::decode(doc);
    if (!e) return std::unexpected(e.error());
    auto ptr = std::make_shared<const model::Entity>(std::move(*e));
    index(*ptr);
    by_id_[ptr->id] = std::move(ptr);
  }
  return {};
}

EntityPtr Tenant::get(const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

size_t Tenant::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

std::vector<std::string> Tenant::ids_of_type(const std::string& type) const {
  std::shared_lock lock(mu_);
  auto it = by_type_.find(type);
  if (it == by_type_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void Tenant::index(const model::Entity& e) {
  for (const auto& t : e.types) by_type_[t].insert(e.id);
}

void Tenant::unindex(const model::Entity& e) {
  for (const auto& t : e.types) {
    auto it = by_type_.find(t);
    if (it == by_type_.end()) continue;
    it->second.erase(e.id);
    if (it->second.empty()) by_type_.erase(it);
  }
}

void Tenant::apply(const std::string& id, const Change& change, std::function<void(Status)> done) {
  EntityPtr before, after;
  std::vector<store::EntityWrite> writes;
  {
    std::unique_lock lock(mu_);
    auto it = by_id_.find(id);
    before = it == by_id_.end() ? nullptr : it->second;
    auto next = change(before);
    if (!next) {
      lock.unlock();
      return done(std::unexpected(next.error()));
    }
    after = std::move(*next);
    const bool types_changed = !before || !after || before->types != after->types;
    if (before && types_changed) unindex(*before);
    if (after) {
      if (types_changed) index(*after);
      by_id_[id] = after;
      writes.push_back({id, model::encode(*after)});
    } else {
      if (it != by_id_.end()) by_id_.erase(it);
      writes.push_back({id, std::nullopt});
    }
    // Submitting under the lock keeps the store's commit order equal to the memory order.
    auto queued = store_->write(std::move(writes), [this, id, before, after, done](Status s) {
      if (!s) {
        spdlog::error("tenant '{}': write of {} failed, rolling back: {}", name_, id, s.error().detail);
        std::unique_lock lock(mu_);
        rollback(id, before, after);
      }
      done(s);
    });
    if (queued) return;
    rollback(id, before, after);
  }
  done(fail(ErrorKind::ServiceUnavailable, "Shutting down", "the write was not accepted"));
}

void Tenant::rollback(const std::string& id, const EntityPtr& before, const EntityPtr& after) {
  auto cur = by_id_.find(id);
  const bool still_ours = after ? (cur != by_id_.end() && cur->second == after) : cur == by_id_.end();
  if (!still_ours) return;  // a later write replaced it; its own commit decides
  if (after) unindex(*after);
  if (before) {
    index(*before);
    by_id_[id] = before;
  } else if (cur != by_id_.end()) {
    by_id_.erase(cur);
  }
}

Status Tenants::load_all() {
  auto names = storage_.list_tenants();
  if (!names) return std::unexpected(names.error());
  for (const auto& n : *names) {
    auto store = storage_.open_tenant(n, false);
    if (!store) return std::unexpected(store.error());
    auto t = std::make_unique<Tenant>(n, std::move(*store));
    if (auto s = t->load(); !s) return s;
    spdlog::info("tenant '{}': {} entities loaded", n.empty() ? "(default)" : n, t->size());
    std::unique_lock lock(mu_);
    tenants_[n] = std::move(t);
  }
  return {};
}

Result<Tenant*> Tenants::find(const std::string& name) {
  std::shared_lock lock(mu_);
  auto it = tenants_.find(name);
  if (it == tenants_.end())
    return fail(ErrorKind::NonexistentTenant, "Tenant does not exist", "tenant '" + name + "' has no data yet");
  return it->second.get();
}

Result<Tenant*> Tenants::find_or_create(const std::string& name) {
  if (auto t = find(name)) return t;
  std::unique_lock lock(mu_);
  if (auto it = tenants_.find(name); it != tenants_.end()) return it->second.get();
  auto store = storage_.open_tenant(name, true);
  if (!store) return std::unexpected(store.error());
  auto t = std::make_unique<Tenant>(name, std::move(*store));
  Tenant* raw = t.get();
  tenants_[name] = std::move(t);
  spdlog::info("tenant '{}' created", name);
  return raw;
}

void Tenants::close_all() {
  std::unique_lock lock(mu_);
  for (auto& [n, t] : tenants_) t->close();
}

}  // namespace dejima::broker

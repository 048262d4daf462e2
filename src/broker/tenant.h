// One tenant's current entity state: an in-memory index (by id, by type) in front of the
// tenant's durable store. Reads never touch disk; writes are applied in memory under the
// tenant's write lock and acknowledged once the store has committed them.
#pragma once
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/entity.h"
#include "store/store.h"

namespace dejima::broker {

using EntityPtr = std::shared_ptr<const model::Entity>;

class Tenant {
 public:
  Tenant(std::string name, std::unique_ptr<store::TenantStore> store);
  ~Tenant();

  const std::string& name() const { return name_; }
  Status load();

  EntityPtr get(const std::string& id) const;
  size_t size() const;
  std::vector<std::string> ids_of_type(const std::string& type) const;

  // A change computes the next version of one entity from the current one (nullptr when it does
  // not exist). It returns the new entity, nullptr to delete it, or an error (nothing changes).
  using Change = std::function<Result<std::shared_ptr<model::Entity>>(const EntityPtr& current)>;
  // Applies the change in memory and in the store; `done` runs once the write is durable (or
  // failed, in which case the in-memory state is rolled back).
  void apply(const std::string& id, const Change& change, std::function<void(Status)> done);

  void close();

 private:
  void index(const model::Entity& e);
  void unindex(const model::Entity& e);
  // Restores `before` if `after` is still the current version (mu_ held).
  void rollback(const std::string& id, const EntityPtr& before, const EntityPtr& after);

  const std::string name_;
  std::unique_ptr<store::TenantStore> store_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, EntityPtr> by_id_;
  std::unordered_map<std::string, std::unordered_set<std::string>> by_type_;
};

// All tenants: found by name, created on first write.
class Tenants {
 public:
  explicit Tenants(store::Storage& storage) : storage_(storage) {}
  Status load_all();
  // The tenant, or NonexistentTenant (404) when it has never been written to.
  Result<Tenant*> find(const std::string& name);
  // The tenant, created when missing.
  Result<Tenant*> find_or_create(const std::string& name);
  void close_all();

 private:
  store::Storage& storage_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Tenant>> tenants_;
};

}  // namespace dejima::broker

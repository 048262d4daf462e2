// Every tenant's context source registrations, in memory and in the Storage (records of kind
// "registration", key "<tenant>/<id>", the flavor's document as body). A registration is durable
// before create() returns. Lookups scan a tenant's registrations: a tenant holds tens of them (one
// per provider or IoT agent service), not thousands.
#pragma once
#include <functional>
#include <map>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "federation/registration.h"
#include "store/store.h"

namespace dejima::federation {

class Registry {
 public:
  explicit Registry(store::Storage& storage) : storage_(storage) {}
  // Lets `f`'s stored registrations be read back by load() (call it before).
  void add_flavor(const Flavor& f) { flavors_.push_back(&f); }
  // Reads the stored registrations; one that no flavor can read is logged and skipped.
  Status load();

  // Each API sees only its own registrations.
  Status create(RegPtr r);  // AlreadyExists when the id is taken
  // A new version of a registration of the same flavor (ResourceNotFound when there is none).
  Status replace(RegPtr r);
  Status remove(const std::string& tenant, const std::string& id, const Flavor* flavor);  // ResourceNotFound
  RegPtr find(const std::string& tenant, const std::string& id, const Flavor* flavor) const;
  std::vector<RegPtr> list(const std::string& tenant, const Flavor* flavor) const;  // ordered by id
  // Whether the tenant has any registration (requests of other tenants stop here).
  bool any(const std::string& tenant) const;

  // The live registrations of `flavor` that cover the entity (id, type; a null type: any) for
  // `op` and that `in_scope` accepts, ordered by id.
  using ScopeTest = std::function<bool(const Registration&)>;
  std::vector<RegPtr> covering(const std::string& tenant, std::string_view id, const std::string* type, Op op,
                               const Flavor* flavor, const ScopeTest& in_scope, Millis now) const;

 private:
  static std::string key(const std::string& tenant, const std::string& id) { return tenant + "/" + id; }
  // The slot of a registration of `flavor` (null when there is none); mu_ held.
  RegPtr* locate_locked(const std::string& tenant, const std::string& id, const Flavor* flavor);

  store::Storage& storage_;
  std::vector<const Flavor*> flavors_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::map<std::string, RegPtr>> by_tenant_;
};

}  // namespace dejima::federation

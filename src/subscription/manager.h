// Every tenant's subscriptions: the API's store (persisted in the Storage), an in-memory index
// by entity id, entity type and watched attribute, the matcher that turns committed entity changes into
// notifications, and the timer for periodic (timeInterval) ones and expiry.
#pragma once
#include <condition_variable>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "broker/tenant.h"
#include "jsonld/registry.h"
#include "notify/dispatcher.h"
#include "store/store.h"
#include "subscription/flavor.h"
#include "subscription/subscription.h"

namespace dejima::subscription {

using SubPtr = std::shared_ptr<const Subscription>;

class Manager {
 public:
  Manager(store::Storage& storage, jsonld::Registry& contexts, broker::Tenants& tenants,
          notify::Dispatcher& dispatcher);
  ~Manager();
  // Reads the stored subscriptions (with their delivery state) and starts the timer thread,
  // which also keeps changed delivery states in the store every kStateSaveMs.
  Status load();
  // Lets `f`'s stored subscriptions be read back by load() (call it before).
  void add_flavor(const Flavor& f) { flavors_.push_back(&f); }
  void stop();
  // Keeps the delivery states changed since the last call (after the dispatcher has stopped,
  // the last outcomes included).
  void save_states();
  static constexpr Millis kStateSaveMs = 5000;

  // Each API sees only its own subscriptions: `flavor` null is NGSI-LD's.
  Status create(SubPtr s);   // AlreadyExists when the id is taken
  Status replace(SubPtr s);  // ResourceNotFound when the id is unknown
  Status remove(const std::string& tenant, const std::string& id, const Flavor* flavor = nullptr);
  SubPtr find(const std::string& tenant, const std::string& id, const Flavor* flavor = nullptr) const;
  std::vector<SubPtr> list(const std::string& tenant, const Flavor* flavor = nullptr) const;  // ordered by id

  // Sends `m` for `s` unless it is paused, expired, disabled or within its throttling (for a
  // flavor that matches its subscriptions itself).
  void deliver(const Subscription& s, notify::Message m);

  // The tenants' change listener: matches and queues notifications.
  void on_changes(const std::string& tenant, const std::vector<broker::ChangeEvent>& changes);

 private:
  struct TenantSubs {
    std::map<std::string, SubPtr> by_id;
    std::unordered_map<std::string, std::vector<const Subscription*>> by_entity;  // ids of selectors that list one
    std::unordered_map<std::string, std::vector<const Subscription*>> by_type;    // type atoms of the other selectors
    std::unordered_map<std::string, std::vector<const Subscription*>>
        by_attr;                              // watched, for subscriptions without entities
    std::vector<const Subscription*> by_any;  // selectors with neither ids nor types (NGSIv2 idPattern)
  };
  void index(TenantSubs& t, const Subscription* s, bool add);
  template <class Lock>
  SubPtr find(const std::string& tenant, const std::string& id, const Flavor* flavor, Lock& held) const;
  // A stored row back as a subscription (nullptr, logged, when it cannot be read).
  std::shared_ptr<Subscription> restore(const store::StoredSubscription& row, Millis now) const;
  void add_locked(SubPtr s);
  void erase_locked(const std::string& tenant, const std::string& id);
  // Sends one notification of `s` (mu_ may be held: only queues).
  void send(const Subscription& s, notify::Message m, Millis now);
  void timer_loop();

  store::Storage& storage_;
  jsonld::Registry& contexts_;
  broker::Tenants& tenants_;
  notify::Dispatcher& dispatcher_;
  std::vector<const Flavor*> flavors_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, TenantSubs> tenants_subs_;
  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  bool stopping_ = false;
  std::thread timer_;
};

}  // namespace dejima::subscription

// One tenant's current entity state: an in-memory index (by id, by type) in front of the
// tenant's durable store. Reads never touch disk; writes are applied in memory under the
// tenant's write lock and acknowledged once the store has committed them.
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "broker/geo_index.h"
#include "broker/id_set.h"
#include "broker/value_index.h"
#include "model/entity.h"
#include "query/filter.h"
#include "store/store.h"

namespace dejima::broker {

// One committed change of an entity (before or after is null for a creation or a deletion).
// Who made a change, for the notifications it causes (NGSIv2 passes its request's).
struct Origin {
  std::string correlator;  // the request's Fiware-Correlator
  std::string auth_token;  // X-Auth-Token, passed on to notifications
  bool forced = false;     // options=forcedUpdate: a write notifies whether it changed anything or not
  // Attributes written with an NGSIv2 update operator ($inc ...), as (entity id, expanded name):
  // each counts as changed for subscriptions even when its value stayed, as in Orion.
  std::vector<std::pair<std::string, std::string>> operated;
  mutable std::atomic<unsigned> notifications{0};  // sent so far for this request (cbnotif)
};

struct ChangeEvent {
  EntityPtr before, after;
  std::shared_ptr<const Origin> origin;  // null: an NGSI-LD request, a connector
  // When the change was published, in every tenant's one order: greater than change_ticket()
  // was when anything that happened before the write's reply asked for it (a subscription
  // created after the reply is told apart from one created before the write).
  std::uint64_t ticket = 0;
};
// The ticket of the newest change published so far.
std::uint64_t change_ticket();
// Told about every durable change of a tenant, in commit order, after the writer got its reply
// (on the storage thread: it must not block).
using ChangeListener = std::function<void(const std::string& tenant, const std::vector<ChangeEvent>& changes)>;

struct QueryResult {
  std::vector<EntityPtr> entities;  // the page, in id order
  size_t total = 0;                 // every match (when the page asked for a count)
};

// What the tenant holds of one type or one attribute (discovery, clause 5.7.5-5.7.6).
struct TypeInfo {
  size_t entity_count = 0;
  std::map<std::string, std::set<std::string>> attributes;  // expanded name -> Property, Relationship, ...
};
// How a type's entities last changed: a count of the changes published since the start (a
// download's validator) and the newest modification time (a deletion counts as now).
struct TypeStamp {
  std::uint64_t version = 0;
  Millis modified = 0;
};
struct AttributeInfo {
  size_t entity_count = 0;
  std::set<std::string> types;       // expanded
  std::set<std::string> attr_types;  // Property, Relationship, ...
};

class Tenant {
 public:
  Tenant(std::string name, std::unique_ptr<store::TenantStore> store, const ChangeListener* listener = nullptr);
  ~Tenant();

  const std::string& name() const { return name_; }
  Status load();

  EntityPtr get(const std::string& id) const;
  size_t size() const;

  // The entities matching the filter, ordered by id, one page of them. Candidates come from
  // the id list, the type index or the geo index, whichever applies; the rest are filtered.
  QueryResult query(const query::Filter& f, const query::Page& page) const;
  // The same in another order: every match, put in order by `sort` (which should be stable, so
  // that ties keep id order), then the page; `total` is every match.
  using Sort = std::function<void(std::vector<EntityPtr>& entities)>;
  QueryResult query_sorted(const query::Filter& f, const query::Page& page, const Sort& sort) const;
  std::map<std::string, TypeInfo> types(bool details) const;
  TypeStamp stamp(const std::string& type) const;  // expanded type
  std::map<std::string, AttributeInfo> attributes(bool details) const;

  // A change computes the next version of one entity from the current one (nullptr when it does
  // not exist). It returns the new entity, nullptr to delete it, or an error (nothing changes).
  using Change = std::function<Result<std::shared_ptr<model::Entity>>(const EntityPtr& current)>;
  // Applies the change in memory and in the store; `done` runs once the write is durable (or
  // failed, in which case the in-memory state is rolled back).
  void apply(const std::string& id, const Change& change, std::function<void(Status)> done,
             std::shared_ptr<const Origin> origin = nullptr);

  // Batch form: change(i, current) for ids[i] in order (an id may repeat and then sees the
  // previous result). Items whose change fails are left out; an item whose change returns the
  // current entity itself is left as it is (no write, no history); the others are written in one
  // durable transaction. done(per-item status, commit status) runs once it is durable.
  using BatchChange = std::function<Result<std::shared_ptr<model::Entity>>(size_t i, const EntityPtr& current)>;
  using BatchDone = std::function<void(std::vector<Status> items, Status commit)>;
  // History::Skip leaves the changes out of the entity history (a connector of static reference
  // data that asks for no history).
  enum class History { Keep, Skip };
  void apply_batch(const std::vector<std::string>& ids, const BatchChange& change, BatchDone done,
                   History history = History::Keep, std::shared_ptr<const Origin> origin = nullptr);

  // The temporal API's own writes: history only, the current state is left alone.
  void write_history(std::vector<store::HistoryWrite> history, std::function<void(Status)> done);
  store::HistoryReader& history() const { return *store_; }
  // How far the store's derived state (documents, history) is behind the acknowledged writes.
  store::Lag lag() const { return store_->lag(); }

  void close();

 private:
  struct Step {  // one applied change, kept to roll back a failed commit
    std::string id;
    EntityPtr before, after;
  };
  EntityPtr get_locked(std::string_view id) const;
  // Publishes `after` (nullptr: removes) in place of `before` and updates the indexes (mu_ held).
  void publish(const std::string& id, const EntityPtr& before, const EntityPtr& after);
  void index(const Slot* slot, const model::Entity& e);
  void unindex(const model::Entity& e);
  void count_attr_types(const model::Entity& e, int delta);
  // Walks the union of id-ordered sets in id order from the first id after `after`, each entity
  // once, until visit returns false.
  template <class Visit>
  static void merge_walk(const std::vector<const IdSet*>& sets, std::string_view after, Visit&& visit);

  // query's steps (mu_ held): candidates from one source, filtered into the page `m` collects.
  struct Matches;
  // The entities the selectors list.
  void query_ids(const query::Filter& f, Matches& m) const;
  // The geo index's candidates in the geo-query's search box.
  void query_geo(const query::Filter& f, const query::GeoBox& box, Matches& m) const;
  // The id-ordered sets whose union holds every match; false when no index applies.
  bool candidate_sets(const query::Filter& f, std::vector<const IdSet*>& sets) const;
  // The types that have the attributes every match must have (one of `attrs`, or what q
  // requires); false when the filter requires none.
  bool attribute_types(const query::Filter& f, std::vector<std::string>& types) const;
  // Adds the sets of the types; returns how many entities they hold.
  size_t type_sets(const std::vector<std::string>& types, std::vector<const IdSet*>& sets) const;
  // An equality term of q answered by the value index replaces the `walk` entities of the sets
  // (any number when not `indexed`) when it gives fewer candidates; both walks are in id order,
  // so a page still stops early. Returns whether an index applies.
  bool value_sets(const query::Expr& q, bool indexed, size_t walk, std::vector<const IdSet*>& sets) const;
  // No index applies: filters every entity, then orders the matches.
  void query_all(const query::Filter& f, Matches& m) const;
  // Undoes the steps, newest first, where they are still the current version (mu_ held).
  void rollback(const std::vector<Step>& steps);

  const std::string name_;
  std::unique_ptr<store::TenantStore> store_;
  const ChangeListener* listener_;
  mutable std::shared_mutex mu_;
  ById by_id_;  // the type sets and value index point at its nodes
  std::unordered_map<std::string, IdSet> by_type_;
  // attribute name -> type -> how many entities of that type have it: a query on attributes
  // without a type walks only the types that have them.
  std::unordered_map<std::string, std::unordered_map<std::string, size_t>> attr_types_;
  GeoIndex geo_;
  ValueIndex values_;
  std::unordered_map<std::string, TypeStamp> stamps_;  // expanded type -> its last change
};

// All tenants: found by name, created on first write.
class Tenants {
 public:
  // The history retention of a tenant, by name.
  using RetentionOf = std::function<store::Retention(const std::string& tenant)>;
  Tenants(store::Storage& storage, RetentionOf retention) : storage_(storage), retention_(std::move(retention)) {}
  // Set before any write; every tenant reports its committed changes to it.
  void set_listener(ChangeListener l) { listener_ = std::move(l); }
  Status load_all();
  // The tenant, or NonexistentTenant (404) when it has never been written to.
  Result<Tenant*> find(const std::string& name);
  // The tenant, created when missing.
  Result<Tenant*> find_or_create(const std::string& name);
  // Every tenant's name.
  std::vector<std::string> names();
  void close_all();

 private:
  store::Storage& storage_;
  RetentionOf retention_;
  ChangeListener listener_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Tenant>> tenants_;
};

}  // namespace dejima::broker

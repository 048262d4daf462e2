// The storage domain interface. Handlers and the broker speak only these types; every driver
// (SQLite today, PostgreSQL later) lives in its own folder beside this file.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/error.h"
#include "util/time.h"

namespace dejima::store {

// One change to an entity's durable state: a new serialized document, or a deletion.
struct EntityWrite {
  std::string id;
  std::optional<std::string> doc;  // nullopt = delete
};

using Done = std::function<void(Status)>;

// One tenant's durable entity state.
class TenantStore {
 public:
  virtual ~TenantStore() = default;
  // Every stored entity document (used once, at start).
  virtual Result<std::vector<std::string>> load_entities() = 0;
  // Queues the writes; they are applied atomically and durably, then done runs (on a storage
  // thread). Writes submitted earlier are committed no later than writes submitted after them;
  // concurrent submissions share one transaction and one fsync (group commit). An error return
  // means nothing was queued and done will not run.
  virtual Status write(std::vector<EntityWrite> writes, Done done) = 0;
  // Commits everything submitted so far and stops the storage thread.
  virtual void close() = 0;
};

// A JSON-LD @context document kept by the broker (clause 5.13: Hosted, Cached, ImplicitlyCreated).
struct StoredContext {
  std::string id;    // local identifier
  std::string url;   // the URL clients use
  std::string kind;  // "Hosted" | "Cached" | "ImplicitlyCreated"
  std::string body;  // the JSON document
  Millis created_at = 0;
};

// A subscription (clause 5.2.12) as its API document, with the @context it was written with.
struct StoredSubscription {
  std::string tenant;
  std::string id;
  std::string body;  // JSON, including "@context"
};

class Storage {
 public:
  virtual ~Storage() = default;
  virtual Result<std::vector<std::string>> list_tenants() = 0;
  // Opens a tenant's store; with create=false a missing tenant is ErrorKind::NonexistentTenant.
  virtual Result<std::unique_ptr<TenantStore>> open_tenant(const std::string& tenant, bool create) = 0;
  virtual Result<std::vector<StoredContext>> load_contexts() = 0;
  virtual Status save_context(const StoredContext& ctx) = 0;
  virtual Status delete_context(const std::string& id) = 0;
  virtual Result<std::vector<StoredSubscription>> load_subscriptions() = 0;
  virtual Status save_subscription(const StoredSubscription& s) = 0;
  virtual Status delete_subscription(const std::string& tenant, const std::string& id) = 0;
};

// Tenant names become file names and database identifiers: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}.
bool valid_tenant_name(std::string_view name);

}  // namespace dejima::store

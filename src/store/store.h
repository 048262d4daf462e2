// The storage domain interface. Handlers and the broker speak only these types; every driver
// (SQLite today, PostgreSQL later) lives in its own folder beside this file.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "util/time.h"

namespace dejima::store {

// One change to an entity's durable state: a new serialized document, a change to fold into
// the current one (delta), or a deletion.
struct EntityWrite {
  std::string id;
  std::optional<std::string> doc;  // nullopt = delete
  bool delta = false;              // doc is a change of the current document (see DocumentMerge)
};

// Folds a change (EntityWrite::delta) into an entity document. Documents are opaque here: the
// storage's owner supplies the function (model/delta.h), and a driver calls it when it derives
// the documents from the durable record.
using DocumentMerge = std::function<Result<std::string>(std::string_view doc, std::string_view delta)>;

// How far the state derived from the durable record (entity documents, history) is behind it.
struct Lag {
  long long records = 0;     // acknowledged writes not yet derived
  long long bytes = 0;       // their size in the record
  Millis oldest_ms = 0;      // how long the oldest of them has waited
  long long derived = 0;     // writes derived since the store was opened
  long long most_bytes = 0;  // the most bytes ever waiting at once since the store was opened
};

// A time window on one of the instance times (timerel/timeAt/endTimeAt, timeproperty).
struct TimeWindow {
  enum class Property { Observed, Created, Modified } property = Property::Observed;
  Millis from = INT64_MIN;  // inclusive
  Millis to = INT64_MAX;    // exclusive
};

// One recorded attribute instance of an entity's history (clause 4.5.x, temporal representation).
struct InstanceRecord {
  std::string attr;        // expanded name
  std::string dataset_id;  // empty = the default instance
  std::string json;        // internal form ({"type":..., "value":..., ...}); a deletion: type only
  Millis observed_at = 0;  // 0 = the instance has no observedAt
  Millis created_at = 0, modified_at = 0;
  Millis deleted_at = 0;   // non-zero: the attribute was deleted then
  long long instance = 0;  // instance number, unique in the tenant: assigned on write, set on read

  // The time an instance is filed under for timeproperty=observedAt: its observedAt, or the
  // time it was recorded when it has none.
  Millis time() const { return observed_at ? observed_at : modified_at; }
  Millis time(TimeWindow::Property p) const {
    return p == TimeWindow::Property::Created ? created_at : p == TimeWindow::Property::Modified ? modified_at : time();
  }
};

// A summary of the numbers among some instances: how many instances, how many of them numbers,
// and the sum, sum of squares, minimum and maximum of those (min/max meaningless when numbers = 0).
struct ValueSummary {
  long long count = 0, numbers = 0;
  double sum = 0, sumsq = 0, min = 0, max = 0;
  void add_number(double x) {
    if (numbers == 0 || x < min) min = x;
    if (numbers == 0 || x > max) max = x;
    sum += x;
    sumsq += x * x;
    ++numbers;
  }
  void merge(const ValueSummary& o) {
    if (o.numbers > 0 && (numbers == 0 || o.min < min)) min = o.min;
    if (o.numbers > 0 && (numbers == 0 || o.max > max)) max = o.max;
    count += o.count;
    numbers += o.numbers;
    sum += o.sum;
    sumsq += o.sumsq;
  }
};

// An entity as its history knows it.
struct HistoryEntity {
  std::string id;
  std::vector<std::string> types;  // expanded
  std::vector<std::string> scopes;
  Millis created_at = 0, modified_at = 0;
  Millis deleted_at = 0;  // non-zero: deleted from the current state then (its history remains)
};

// One change to the history, applied in the same transaction as the entity writes beside it.
struct HistoryWrite {
  enum class Op {
    Record,           // upsert `entity` (id, types, scopes, times) and add `instances`
    DeleteEntity,     // the whole history of entity.id
    DeleteAttribute,  // the instances of `attr` (of `dataset_id` unless all_datasets)
    DeleteInstance,   // instance `instance` of `attr`
    ReplaceInstance,  // instance `instance` of `attr` becomes instances[0]
  };
  Op op = Op::Record;
  HistoryEntity entity;
  std::vector<InstanceRecord> instances;
  std::string attr, dataset_id;
  bool all_datasets = false;
  long long instance = 0;
};

// What one transaction writes. A history operation that finds nothing to act on fails its own
// submission with ResourceNotFound; the rest of the transaction still commits.
struct WriteBatch {
  std::vector<EntityWrite> entities;
  std::vector<HistoryWrite> history;
};

// How long history is kept: instances older than max_age, and all but the newest max_count
// instances of each attribute of an entity, are removed in the background (0 = no limit).
struct Retention {
  Millis max_age = 0;
  long long max_count = 0;
  std::chrono::milliseconds interval{60000};  // between two passes over the tenant
  bool active() const { return max_age > 0 || max_count > 0; }
};

// Reading one tenant's history (any thread).
class HistoryReader {
 public:
  virtual ~HistoryReader() = default;
  // Every entity with a history, ordered by id; or the one with this id (nullopt: none).
  virtual Result<std::vector<HistoryEntity>> history_entities() = 0;
  virtual Result<std::optional<HistoryEntity>> history_entity(const std::string& id) = 0;
  // The expanded names of the attributes with instances, ordered.
  virtual Result<std::vector<std::string>> history_attributes(const std::string& id) = 0;
  // The instances of one attribute in the window, in time order: the oldest `limit`, or with
  // newest the newest `limit` (still returned oldest first).
  virtual Result<std::vector<InstanceRecord>> history_instances(const std::string& id, const std::string& attr,
                                                                const TimeWindow& w, size_t limit, bool newest) = 0;
  // What an aggregation reads of the instances: only the numeric ones (sum, avg, min, max, ...),
  // every one (totalCount), or every one with its value (distinctCount).
  enum class ScanNeed { Numbers, Instances, Values };
  // Visits the non-deleted instances of the attribute in the window that `need` asks for, in time
  // order, with the main value as JSON text (ScanNeed::Values only) and, when that is a number,
  // the number.
  using ValueVisitor = std::function<void(Millis t, std::string_view value, const double* number)>;
  virtual Status history_scan(const std::string& id, const std::string& attr, const TimeWindow& w, ScanNeed need,
                              const ValueVisitor& visit) = 0;
  // History is summarised per hour of observedAt (hour_of, util/time.h) so that aggregations
  // over whole hours read one row per hour instead of every instance.
  // Visits the summary of the numeric instances of each hour (observedAt) in [from, to) that has
  // some, in time order (count == numbers); from and to are whole hours.
  using HourVisitor = std::function<void(Millis hour, const ValueSummary& s)>;
  virtual Status history_hours(const std::string& id, const std::string& attr, Millis from, Millis to,
                               const HourVisitor& visit) = 0;
};

using Done = std::function<void(Status)>;

// One tenant's durable entity state and history.
//
// A write is durable once its record (the WriteBatch: entity changes and history instances) is;
// the entity documents and the history tables are derived from the records afterwards, off the
// writer's path, and re-derived at open from the records a crash left underived. Reads of the
// history see every acknowledged write (they wait for the derivation to reach it).
class TenantStore : public HistoryReader {
 public:
  // Every stored entity document (used once, at start).
  virtual Result<std::vector<std::string>> load_entities() = 0;
  // Queues the writes; they are recorded atomically and durably, then done runs (on a storage
  // thread). Writes submitted earlier are committed no later than writes submitted after them;
  // concurrent submissions share one transaction and one fsync (group commit). A batch with
  // history operations other than Record (the temporal API's own writes) is acknowledged once
  // derived, so that done can report one that found nothing. An error return means nothing was
  // queued and done will not run.
  virtual Status write(WriteBatch batch, Done done) = 0;
  // How far the derived state is behind the record.
  virtual Lag lag() const = 0;
  // Starts applying the retention in the background (replaces the previous one).
  virtual void set_retention(Retention r) = 0;
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
  std::string body;   // JSON, including "@context"
  std::string state;  // the delivery counters and times (JSON), "" when none were kept
};

// A connector declaration (connect/declaration.h) as its API document, with what its source
// looked like at the last fetch (so that an unchanged source is not read again).
struct StoredConnector {
  std::string name;
  std::string body;  // JSON
  std::string etag, last_modified;
};

// A small document of a registry that is not entity data (the access model's tenants,
// services and keys), filed under a kind and a key unique within it.
struct StoredRecord {
  std::string key;
  std::string body;  // JSON
};

// An entry of an append-only journal (the audit log, the usage meter's batches): the time it
// is filed under, the tenant it concerns ("" = the default tenant) and a JSON body.
struct JournalEntry {
  Millis at = 0;
  std::string tenant;
  std::string body;
};

// Which entries of a journal to read: `from` <= at < `to`, of one tenant when given, at most
// `limit`, oldest or newest first.
struct JournalQuery {
  Millis from = 0;
  Millis to = std::numeric_limits<Millis>::max();
  std::optional<std::string> tenant;
  size_t limit = std::numeric_limits<size_t>::max();
  bool newest_first = false;
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
  virtual Status delete_subscription(const std::string& tenant, const std::string& id) = 0;  // and its state
  // Keeps the `state` of each (tenant, id) that is still stored (one transaction; `body` unused).
  virtual Status save_subscription_states(const std::vector<StoredSubscription>& states) = 0;
  virtual Result<std::vector<StoredConnector>> load_connectors() = 0;
  virtual Status save_connector(const StoredConnector& c) = 0;
  virtual Status delete_connector(const std::string& name) = 0;  // and its run logs
  // Run logs (JSON) of a connector: saving one keeps the newest `keep`; loaded newest first.
  virtual Status save_run(const std::string& connector, Millis started, const std::string& body, size_t keep) = 0;
  virtual Result<std::vector<std::string>> load_runs(const std::string& connector) = 0;
  // Records of one kind, ordered by key; saving one replaces the record of that key. Durable
  // when the call returns.
  virtual Result<std::vector<StoredRecord>> load_records(const std::string& kind) = 0;
  virtual Status save_record(const std::string& kind, const StoredRecord& r) = 0;
  virtual Status delete_record(const std::string& kind, const std::string& key) = 0;
  // The records of a kind whose keys k are first <= k < last, ordered by key.
  virtual Result<std::vector<StoredRecord>> load_record_range(const std::string& kind, const std::string& first,
                                                              const std::string& last) = 0;
  // Saves several records in one transaction.
  virtual Status save_records(const std::string& kind, const std::vector<StoredRecord>& records) = 0;
  // Journals: appended in one transaction, durable when the call returns; never changed.
  virtual Status append_journal(const std::string& kind, const std::vector<JournalEntry>& entries) = 0;
  virtual Result<std::vector<JournalEntry>> read_journal(const std::string& kind, const JournalQuery& q) = 0;
};

// Tenant names become file names and database identifiers: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}.
bool valid_tenant_name(std::string_view name);

}  // namespace dejima::store

#include "store/sqlite/entity_log.h"

#include <algorithm>
#include <atomic>
#include <boost/unordered/unordered_flat_map.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "store/sqlite/db.h"
#include "store/sqlite/history_tables.h"
#include "store/write_record.h"

namespace dejima::store::sqlite {
namespace {

// The cleaner runs once the log holds kCleanSlack rows more than twice the live entities, and
// then looks at 3 x (rows appended) of the oldest rows in each derivation: small steady steps, so
// no single transaction pays for a big clean, and faster than the log grows (the oldest rows are
// mostly superseded).
constexpr long long kCleanSlack = 4096;
constexpr long long kCleanFactor = 3;
// The background checkpointer copies a WAL into its database once it holds this many pages.
constexpr int kCheckpointPages = 1000;
// The most record bytes one derivation takes (at start, and when the deriver is behind).
constexpr long long kDeriveBatchBytes = 8LL << 20;
// How long a history read waits for the deriver before it answers 503.
constexpr auto kCatchUpWait = std::chrono::seconds(30);

using Clock = std::chrono::steady_clock;

// Whether a write is acknowledged only once derived: the temporal API's own history operations,
// which report one that finds nothing to act on.
bool acknowledged_when_derived(const WriteBatch& b) {
  return std::any_of(b.history.begin(), b.history.end(),
                     [](const HistoryWrite& h) { return h.op != HistoryWrite::Op::Record; });
}

class EntityLog final : public TenantStore {
 public:
  static Result<std::unique_ptr<EntityLog>> open(const std::string& path, const std::string& records_path,
                                                 const TenantOptions& o) {
    auto log = std::unique_ptr<EntityLog>(new EntityLog(path, o));
    if (auto s = log->open_databases(path, records_path); !s) return std::unexpected(s.error());
    if (auto s = log->recover(); !s) return std::unexpected(s.error());
    log->committer_ = std::thread([l = log.get()] { l->commit_loop(); });
    log->deriver_ = std::thread([l = log.get()] { l->derive_loop(); });
    log->checkpointer_ = std::thread([l = log.get()] { l->checkpoint_loop(); });
    return log;
  }

  ~EntityLog() override { close(); }

  Result<std::vector<std::string>> load_entities() override {
    if (auto s = catch_up(); !s) return std::unexpected(s.error());
    std::lock_guard lock(db_mu_);
    Statement q(db_.handle(), "SELECT seq, id, doc FROM entity_log WHERE doc IS NOT NULL ORDER BY seq");
    if (!q.ok()) return std::unexpected(db_.error("load"));
    std::vector<std::string> out;
    out.reserve(live_.size());
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
      auto it = live_.find(std::string(q.column_text(1)));
      if (it != live_.end() && it->second == q.column_int(0)) out.emplace_back(q.column_text(2));
    }
    if (rc != SQLITE_DONE) return std::unexpected(db_.error("load"));
    return out;
  }

  Status write(WriteBatch batch, Done done) override {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return fail(ErrorKind::ServiceUnavailable, "storage is shutting down");
    if (failed_) return std::unexpected(failed());
    queue_.push_back(Pending{std::move(batch), std::move(done)});
    queue_cv_.notify_one();
    return {};
  }

  Lag lag() const override {
    std::lock_guard lock(derive_mu_);
    Lag l;
    l.records = committed_seq_ - applied_;
    l.bytes = lag_bytes_;
    l.derived = derived_;
    l.most_bytes = most_lag_bytes_;
    if (l.records > 0 && (deriving_ || !derive_queue_.empty())) {
      const Clock::time_point oldest = deriving_ ? deriving_since_ : derive_queue_.front().at;
      l.oldest_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - oldest).count();
    }
    return l;
  }

  void set_retention(Retention r) override {
    std::lock_guard lock(derive_mu_);
    retention_ = r;
    next_retention_ = Clock::now();
    derive_cv_.notify_one();
  }

  Result<std::vector<HistoryEntity>> history_entities() override {
    if (auto s = catch_up(); !s) return std::unexpected(s.error());
    return reads_.history_entities();
  }
  Result<std::optional<HistoryEntity>> history_entity(const std::string& id) override {
    if (auto s = catch_up(); !s) return std::unexpected(s.error());
    return reads_.history_entity(id);
  }
  Result<std::vector<std::string>> history_attributes(const std::string& id) override {
    if (auto s = catch_up(); !s) return std::unexpected(s.error());
    return reads_.history_attributes(id);
  }
  Result<std::vector<InstanceRecord>> history_instances(const std::string& id, const std::string& attr,
                                                        const TimeWindow& w, size_t limit, bool newest) override {
    if (auto s = catch_up(); !s) return std::unexpected(s.error());
    return reads_.history_instances(id, attr, w, limit, newest);
  }
  Status history_scan(const std::string& id, const std::string& attr, const TimeWindow& w, ScanNeed need,
                      const ValueVisitor& visit) override {
    if (auto s = catch_up(); !s) return s;
    return reads_.history_scan(id, attr, w, need, visit);
  }
  Status history_hours(const std::string& id, const std::string& attr, Millis from, Millis to,
                       const HourVisitor& visit) override {
    if (auto s = catch_up(); !s) return s;
    return reads_.history_hours(id, attr, from, to, visit);
  }

  void close() override {
    {
      std::lock_guard lock(queue_mu_);
      if (closed_) return;
      closed_ = true;
      stopping_ = true;
    }
    queue_cv_.notify_one();
    {
      std::lock_guard lock(derive_mu_);  // the committer may be between its check and its wait
    }
    room_cv_.notify_all();
    if (committer_.joinable()) committer_.join();
    {
      std::lock_guard lock(derive_mu_);
      derive_stop_ = true;
    }
    derive_cv_.notify_one();
    if (deriver_.joinable()) deriver_.join();
    caught_up_cv_.notify_all();
    // What the deriver could not derive stays recorded for the next start; a write waiting for
    // its derivation is told.
    std::deque<Derivable> left;
    {
      std::lock_guard lock(derive_mu_);
      left.swap(derive_queue_);
    }
    for (auto& d : left)
      if (d.done) d.done(fail(ErrorKind::ServiceUnavailable, "storage is shutting down", "derived at the next start"));
    {
      std::lock_guard lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_one();
    if (checkpointer_.joinable()) checkpointer_.join();
  }

 private:
  struct Pending {
    WriteBatch batch;
    Done done;
  };
  // A durable record waiting to be derived.
  struct Derivable {
    long long seq = 0;
    WriteBatch batch;
    Done done;  // set when the write is acknowledged once derived
    long long bytes = 0;
    Clock::time_point at;
    Status own;  // a history operation that found nothing
  };

  EntityLog(const std::string& path, const TenantOptions& o) : options_(o), reads_(path) {}

  static Error failed() {
    return Error{ErrorKind::ServiceUnavailable, "storage failed",
                 "a write could not be recorded or derived; writes are refused until the server restarts"};
  }

  Status open_databases(const std::string& path, const std::string& records_path) {
    // Every use of these connections holds db_mu_ or is the one thread's that owns it: SQLite's
    // own per-call locking is not needed.
    // The derived state is always fsynced at commit, whatever --sync says: the records it covers
    // are deleted after it, and its commits are few and large.
    if (auto s = db_.open(path, true, true, false); !s) return s;
    // The default 2 MB page cache re-read a third of the pages a busy commit touches (PATCHes
    // spread over 1,000 entities dirty ~4,000 history pages).
    if (auto s = db_.exec("PRAGMA cache_size=-32768"); !s) return s;
    if (auto s = db_.exec("CREATE TABLE IF NOT EXISTS entity_log(seq INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT)");
        !s)
      return s;
    if (auto s = db_.exec("CREATE TABLE IF NOT EXISTS derive_state(key TEXT PRIMARY KEY, value INTEGER NOT NULL)"); !s)
      return s;
    append_ = Statement(db_.handle(), "INSERT INTO entity_log(seq, id, doc) VALUES(?1, ?2, ?3)");
    oldest_ = Statement(db_.handle(), "SELECT seq, id, doc FROM entity_log ORDER BY seq LIMIT ?1");
    drop_ = Statement(db_.handle(), "DELETE FROM entity_log WHERE seq < ?1");
    current_ = Statement(db_.handle(), "SELECT doc FROM entity_log WHERE seq = ?1");
    save_applied_ = Statement(db_.handle(), "INSERT OR REPLACE INTO derive_state(key, value) VALUES('applied', ?1)");
    if (!append_.ok() || !oldest_.ok() || !drop_.ok() || !current_.ok() || !save_applied_.ok())
      return std::unexpected(db_.error("prepare"));
    if (auto s = rebuild_index(); !s) return s;
    if (auto s = history_.open(db_); !s) return s;

    if (auto s = records_.open(records_path, true, options_.full_sync, false); !s) return s;
    if (auto s = records_.exec("CREATE TABLE IF NOT EXISTS records(seq INTEGER PRIMARY KEY, body BLOB NOT NULL)"); !s)
      return s;
    insert_record_ = Statement(records_.handle(), "INSERT INTO records(seq, body) VALUES(?1, ?2)");
    delete_records_ = Statement(records_.handle(), "DELETE FROM records WHERE seq <= ?1");
    if (!insert_record_.ok() || !delete_records_.ok()) return std::unexpected(records_.error("prepare"));

    // Checkpoints run on their own connections and thread so that no commit waits for one.
    if (auto s = checkpoint_db_.open(path, false, options_.full_sync); !s) return s;
    if (auto s = checkpoint_records_.open(records_path, false, options_.full_sync); !s) return s;
    sqlite3_wal_hook(db_.handle(), &EntityLog::on_db_commit, this);  // replaces auto-checkpoint
    sqlite3_wal_hook(records_.handle(), &EntityLog::on_records_commit, this);
    return {};
  }

  // Derives the records a crash left underived, before the store serves anything.
  Status recover() {
    {
      Statement q(db_.handle(), "SELECT value FROM derive_state WHERE key = 'applied'");
      if (!q.ok()) return std::unexpected(db_.error("recover"));
      if (q.step() == SQLITE_ROW) applied_ = q.column_int(0);
    }
    long long newest = applied_;
    {
      Statement q(records_.handle(), "SELECT max(seq) FROM records");
      if (!q.ok() || q.step() != SQLITE_ROW) return std::unexpected(records_.error("recover"));
      if (!q.column_null(0)) newest = std::max(newest, q.column_int(0));
    }
    next_seq_ = newest + 1;
    committed_seq_ = newest;
    if (newest == applied_) return {};
    const long long from = applied_;
    Statement q(records_.handle(), "SELECT seq, body FROM records WHERE seq > ?1 ORDER BY seq");
    if (!q.ok()) return std::unexpected(records_.error("recover"));
    q.bind(1, applied_);
    std::vector<Derivable> chunk;
    long long bytes = 0;
    auto derive_chunk = [&]() -> Status {
      if (chunk.empty()) return {};
      if (auto s = derive(chunk); !s) return s;
      applied_ = chunk.back().seq;
      derived_ += static_cast<long long>(chunk.size());
      chunk.clear();
      bytes = 0;
      return {};
    };
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
      const long long seq = q.column_int(0);
      auto batch = decode_record(q.column_blob(1));
      if (!batch)
        return fail(ErrorKind::InternalError, "corrupt write record",
                    "record " + std::to_string(seq) + ": " + batch.error().detail);
      chunk.push_back(Derivable{seq, std::move(*batch), nullptr, 0, Clock::now(), {}});
      bytes += static_cast<long long>(q.column_blob(1).size());
      if (bytes >= kDeriveBatchBytes)
        if (auto s = derive_chunk(); !s) return s;
    }
    if (rc != SQLITE_DONE) return std::unexpected(records_.error("recover"));
    if (auto s = derive_chunk(); !s) return s;
    spdlog::info("derived {} write records left underived by the last run (records {} to {})", applied_ - from,
                 from + 1, applied_);
    truncate_to_ = applied_;
    return {};
  }

  static int on_db_commit(void* self, sqlite3*, const char*, int pages) {
    if (pages >= kCheckpointPages) static_cast<EntityLog*>(self)->want_checkpoint(false);
    return SQLITE_OK;
  }
  static int on_records_commit(void* self, sqlite3*, const char*, int pages) {
    if (pages >= kCheckpointPages) static_cast<EntityLog*>(self)->want_checkpoint(true);
    return SQLITE_OK;
  }
  void want_checkpoint(bool records) {
    std::lock_guard lock(checkpoint_mu_);
    (records ? checkpoint_records_wanted_ : checkpoint_db_wanted_) = true;
    checkpoint_cv_.notify_one();
  }

  void checkpoint_loop() {
    for (;;) {
      bool db = false, records = false;
      {
        std::unique_lock lock(checkpoint_mu_);
        checkpoint_cv_.wait(lock,
                            [&] { return checkpoint_stop_ || checkpoint_db_wanted_ || checkpoint_records_wanted_; });
        if (checkpoint_stop_) return;  // the last connection to close checkpoints the rest
        std::swap(db, checkpoint_db_wanted_);
        std::swap(records, checkpoint_records_wanted_);
      }
      for (Database* d : {db ? &checkpoint_db_ : nullptr, records ? &checkpoint_records_ : nullptr}) {
        if (!d) continue;
        int rc = sqlite3_wal_checkpoint_v2(d->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) spdlog::warn("checkpoint failed: {}", sqlite3_errstr(rc));
      }
    }
  }

  // Reads which row is current for every id (at open, and after a failed transaction).
  Status rebuild_index() {
    live_.clear();
    rows_ = 0;
    next_row_ = 1;
    Statement q(db_.handle(), "SELECT seq, id, doc IS NULL FROM entity_log ORDER BY seq");
    if (!q.ok()) return std::unexpected(db_.error("index"));
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
      const long long seq = q.column_int(0);
      std::string id(q.column_text(1));
      if (q.column_int(2))
        live_.erase(id);
      else
        live_.insert_or_assign(std::move(id), seq);
      ++rows_;
      next_row_ = seq + 1;
    }
    if (rc != SQLITE_DONE) return std::unexpected(db_.error("index"));
    return {};
  }

  // ---- the committer: records, durable, in submission order ----

  void commit_loop() {
    std::vector<Pending> group;
    for (;;) {
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        group.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
        queue_.clear();
      }
      wait_for_room();
      commit(group);
      group.clear();
    }
  }

  // Back-pressure: a group waits while the deriver is more than max_lag_bytes behind.
  void wait_for_room() {
    std::unique_lock lock(derive_mu_);
    room_cv_.wait(lock, [&] { return lag_bytes_ <= options_.max_lag_bytes || stopping_ || derive_failed_; });
  }

  void commit(std::vector<Pending>& group) {
    bool refused;
    {
      std::lock_guard lock(queue_mu_);
      refused = failed_;
    }
    std::vector<std::string> bodies;
    bodies.reserve(group.size());
    for (const auto& p : group) bodies.push_back(encode_record(p.batch));
    Status status = refused ? Status(std::unexpected(failed())) : records_.exec("BEGIN IMMEDIATE");
    long long seq = next_seq_;
    for (const auto& body : bodies) {
      if (!status) break;
      insert_record_.bind(1, seq++);
      insert_record_.bind_blob(2, body);
      if (insert_record_.step() != SQLITE_DONE) status = std::unexpected(records_.error("write"));
      insert_record_.reset();
    }
    const long long truncate = truncate_to_.load();
    if (status && truncate > truncated_) {
      delete_records_.bind(1, truncate);
      if (delete_records_.step() != SQLITE_DONE) status = std::unexpected(records_.error("truncate"));
      delete_records_.reset();
    }
    if (status) status = records_.exec("COMMIT");
    if (!status) {
      if (!refused) {
        (void)records_.exec("ROLLBACK");
        spdlog::error("commit failed, refusing writes until restart: {}", status.error().detail);
      }
      std::deque<Pending> rest;  // queued behind the failure, on top of state that is not durable
      {
        std::lock_guard lock(queue_mu_);
        failed_ = true;
        rest.swap(queue_);
      }
      // Told newest first, so that each write's rollback restores what the one before it left.
      for (auto it = rest.rbegin(); it != rest.rend(); ++it) it->done(std::unexpected(failed()));
      for (auto it = group.rbegin(); it != group.rend(); ++it) it->done(status);
      return;
    }
    truncated_ = std::max(truncated_, truncate);
    const Clock::time_point now = Clock::now();
    std::vector<Done> acknowledge;
    {
      std::lock_guard lock(derive_mu_);
      for (size_t i = 0; i < group.size(); ++i) {
        const bool later = acknowledged_when_derived(group[i].batch);
        if (!later) acknowledge.push_back(std::move(group[i].done));
        const auto bytes = static_cast<long long>(bodies[i].size());
        derive_queue_.push_back(Derivable{next_seq_ + static_cast<long long>(i),
                                          std::move(group[i].batch),
                                          later ? std::move(group[i].done) : nullptr,
                                          bytes,
                                          now,
                                          {}});
        lag_bytes_ += bytes;
        most_lag_bytes_ = std::max(most_lag_bytes_, lag_bytes_);
      }
      next_seq_ = seq;
      committed_seq_ = seq - 1;
    }
    derive_cv_.notify_one();
    for (auto& done : acknowledge) done({});
  }

  // ---- the deriver: documents and history from the records ----

  void derive_loop() {
    for (;;) {
      std::vector<Derivable> items;
      std::optional<Retention> retain;
      {
        std::unique_lock lock(derive_mu_);
        auto due = [&] { return retention_.active() && Clock::now() >= next_retention_; };
        for (;;) {
          if (derive_stop_ || !derive_queue_.empty() || due()) break;
          if (retention_.active())
            derive_cv_.wait_until(lock, next_retention_);
          else
            derive_cv_.wait(lock);
        }
        if (derive_queue_.empty() && derive_stop_) return;  // stopping and drained
        if (derive_queue_.empty()) {
          retain = retention_;
        } else {
          long long bytes = 0;
          while (!derive_queue_.empty() && (items.empty() || bytes < kDeriveBatchBytes)) {
            bytes += derive_queue_.front().bytes;
            items.push_back(std::move(derive_queue_.front()));
            derive_queue_.pop_front();
          }
          deriving_ = true;
          deriving_since_ = items.front().at;
        }
      }
      if (retain) {
        run_retention(*retain);
        continue;
      }
      if (options_.derive_delay.count() > 0) std::this_thread::sleep_for(options_.derive_delay);
      Status status;
      {
        std::lock_guard lock(db_mu_);
        status = derive(items);
        if (!status) {
          if (auto s = rebuild_index(); !s) spdlog::error("entity index rebuild failed: {}", s.error().detail);
          if (auto s = history_.reload(); !s) spdlog::error("history index reload failed: {}", s.error().detail);
        }
      }
      if (!status) {
        // The records are durable and will be derived at the next start, from their bytes (this
        // attempt consumed its copies). Until then the tenant takes no writes: its history and
        // documents cannot follow them.
        spdlog::error("deriving {} write records failed; refusing writes until a restart derives them: {}",
                      items.size(), status.error().detail);
        {
          std::lock_guard lock(queue_mu_);
          failed_ = true;
        }
        {
          std::lock_guard lock(derive_mu_);
          deriving_ = false;
          derive_failed_ = true;
          for (auto it = items.rbegin(); it != items.rend(); ++it) derive_queue_.push_front(std::move(*it));
        }
        room_cv_.notify_all();
        caught_up_cv_.notify_all();
        return;
      }
      {
        std::lock_guard lock(derive_mu_);
        deriving_ = false;
        applied_ = items.back().seq;
        for (const auto& d : items) lag_bytes_ -= d.bytes;
        derived_ += static_cast<long long>(items.size());
        truncate_to_ = applied_;
      }
      room_cv_.notify_all();
      caught_up_cv_.notify_all();
      for (auto& d : items)
        if (d.done) d.done(d.own);
    }
  }

  // Waits until every write acknowledged so far is derived (history reads see it).
  Status catch_up() {
    std::unique_lock lock(derive_mu_);
    const long long target = committed_seq_;
    if (!caught_up_cv_.wait_for(lock, kCatchUpWait,
                                [&] { return applied_ >= target || derive_stop_ || derive_failed_; }))
      return fail(ErrorKind::ServiceUnavailable, "history is behind",
                  "the history has not caught up with the acknowledged writes; try again");
    if (derive_failed_ && applied_ < target) return std::unexpected(failed());
    return {};
  }

  // The current document of an entity in entity_log (nullopt: none).
  Result<std::optional<std::string>> current(const std::string& id) {
    auto it = live_.find(id);
    if (it == live_.end()) return std::optional<std::string>();
    current_.bind(1, it->second);
    std::optional<std::string> doc;
    const int rc = current_.step();
    if (rc == SQLITE_ROW) doc.emplace(current_.column_text(0));
    current_.reset();
    if (rc != SQLITE_ROW) return std::unexpected(db_.error("read document"));
    return doc;
  }

  // Derives the records in one transaction: each changed entity's document once (its deltas
  // folded in order), the history, and the last record derived.
  Status derive(std::vector<Derivable>& items) {
    if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) return s;
    Status status = derive_in_transaction(items);
    if (status) status = db_.exec("COMMIT");
    if (!status) (void)db_.exec("ROLLBACK");
    return status;
  }

  Status derive_in_transaction(std::vector<Derivable>& items) {
    struct Doc {
      std::optional<std::string> doc;
      bool loaded = false;
    };
    boost::unordered_flat_map<std::string, Doc, std::hash<std::string>> docs;
    std::vector<std::string> order;  // of first change
    for (auto& d : items) {
      for (auto& w : d.batch.entities) {
        auto [it, fresh] = docs.try_emplace(w.id);
        if (fresh) order.push_back(w.id);
        Doc& doc = it->second;
        if (!w.delta) {
          doc.doc = std::move(w.doc);
          doc.loaded = true;
          continue;
        }
        if (!doc.loaded) {
          auto cur = current(w.id);
          if (!cur) return std::unexpected(cur.error());
          doc.doc = std::move(*cur);
          doc.loaded = true;
        }
        // A delta is written only for an entity that exists: anything else is a defect, which
        // must not stop every later record from being derived.
        Result<std::string> merged = !doc.doc ? fail(ErrorKind::InternalError, "delta of a missing entity", w.id)
                                     : options_.merge ? options_.merge(*doc.doc, *w.doc)
                                                      : fail(ErrorKind::InternalError, "no merge function", w.id);
        if (merged)
          doc.doc = std::move(*merged);
        else
          spdlog::error("record {}: change of {} not applied: {}", d.seq, w.id, merged.error().detail);
      }
      for (auto& h : d.batch.history)
        if (auto s = history_.apply(h, d.own); !s) return s;
    }
    long long appended = 0;
    for (const std::string& id : order) {
      if (auto s = append(id, docs[id].doc); !s) return s;
      ++appended;
    }
    if (auto s = clean(appended); !s) return s;
    if (auto s = history_.finish(); !s) return s;
    save_applied_.bind(1, items.back().seq);
    const int rc = save_applied_.step();
    save_applied_.reset();
    if (rc != SQLITE_DONE) return std::unexpected(db_.error("derive state"));
    return {};
  }

  // Retention runs between derivations, a slice of entities per transaction, so that deriving
  // never waits long behind it.
  static constexpr size_t kRetentionSlice = 64;

  void run_retention(const Retention& r) {
    Result<bool> done = true;
    {
      std::lock_guard lock(db_mu_);
      Status s = db_.exec("BEGIN IMMEDIATE");
      done = s ? history_.retain(r, now_millis(), kRetentionSlice) : Result<bool>(std::unexpected(s.error()));
      if (done) s = db_.exec("COMMIT");
      if (!done || !s) {
        spdlog::error("history retention failed: {}", (!done ? done.error() : s.error()).detail);
        (void)db_.exec("ROLLBACK");
        done = true;
      }
    }
    std::lock_guard lock(derive_mu_);
    next_retention_ = *done ? Clock::now() + r.interval : Clock::now();
  }

  Status append(std::string_view id, const std::optional<std::string>& doc) {
    append_.bind(1, next_row_);
    append_.bind(2, id);
    if (doc) append_.bind(3, *doc);  // unbound = NULL = tombstone
    const int rc = append_.step();
    append_.reset();
    if (rc != SQLITE_DONE) return std::unexpected(db_.error("write"));
    if (doc)
      live_.insert_or_assign(std::string(id), next_row_);
    else
      live_.erase(std::string(id));
    ++next_row_;
    ++rows_;
    return {};
  }

  // Moves the still-current rows among the oldest ones to the tail and deletes the rest.
  Status clean(long long appended) {
    const long long live = static_cast<long long>(live_.size());
    if (rows_ <= 2 * live + kCleanSlack) return {};
    struct Row {
      long long seq;
      std::string id;
      std::optional<std::string> doc;  // set when the row is still current
    };
    std::vector<Row> rows;
    oldest_.bind(1, kCleanFactor * appended);
    int rc;
    while ((rc = oldest_.step()) == SQLITE_ROW) {
      const long long seq = oldest_.column_int(0);
      std::string id(oldest_.column_text(1));
      auto it = live_.find(id);
      const bool current = it != live_.end() && it->second == seq;
      rows.push_back(
          Row{seq, std::move(id), current ? std::optional<std::string>(oldest_.column_text(2)) : std::nullopt});
    }
    oldest_.reset();
    if (rc != SQLITE_DONE || rows.empty()) return rc == SQLITE_DONE ? Status{} : std::unexpected(db_.error("clean"));
    for (const auto& r : rows)
      if (r.doc)
        if (auto s = append(r.id, r.doc); !s) return s;
    drop_.bind(1, rows.back().seq + 1);
    rc = drop_.step();
    drop_.reset();
    if (rc != SQLITE_DONE) return std::unexpected(db_.error("clean"));
    rows_ -= static_cast<long long>(rows.size());
    return {};
  }

  const TenantOptions options_;

  // The derived state: the deriver's connection (load_entities borrows it at start).
  Database db_;
  Statement append_, oldest_, drop_, current_, save_applied_;
  std::mutex db_mu_;
  boost::unordered_flat_map<std::string, long long, std::hash<std::string>> live_;  // id -> its current row
  long long rows_ = 0, next_row_ = 1;
  HistoryWriter history_;
  HistoryReads reads_;

  // The records: the committer's connection.
  Database records_;
  Statement insert_record_, delete_records_;
  long long next_seq_ = 1;   // of the next record (committer)
  long long truncated_ = 0;  // records up to this one are deleted (committer)
  std::atomic<long long> truncate_to_{0};

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  std::atomic<bool> stopping_{false};
  bool closed_ = false, failed_ = false;

  mutable std::mutex derive_mu_;
  std::condition_variable derive_cv_, room_cv_, caught_up_cv_;
  std::deque<Derivable> derive_queue_;
  long long committed_seq_ = 0, applied_ = 0, lag_bytes_ = 0, most_lag_bytes_ = 0, derived_ = 0;
  bool deriving_ = false, derive_stop_ = false, derive_failed_ = false;
  Clock::time_point deriving_since_;
  Retention retention_;
  Clock::time_point next_retention_;

  Database checkpoint_db_, checkpoint_records_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_db_wanted_ = false, checkpoint_records_wanted_ = false, checkpoint_stop_ = false;

  std::thread committer_, deriver_, checkpointer_;
};

}  // namespace

Result<std::unique_ptr<TenantStore>> open_entity_log(const std::string& path, const std::string& records_path,
                                                     const TenantOptions& options) {
  auto log = EntityLog::open(path, records_path, options);
  if (!log) return std::unexpected(log.error());
  return std::unique_ptr<TenantStore>(std::move(*log));
}

}  // namespace dejima::store::sqlite

#include "store/sqlite/entity_log.h"

#include <algorithm>
#include <boost/unordered/unordered_flat_map.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "store/sqlite/db.h"
#include "store/sqlite/history_tables.h"

namespace dejima::store::sqlite {
namespace {

// The cleaner runs once the log holds kCleanSlack rows more than twice the live entities, and
// then looks at 3 x (rows appended) of the oldest rows in each commit: small steady steps, so no
// single commit pays for a big clean, and faster than the log grows (the oldest rows are mostly
// superseded).
constexpr long long kCleanSlack = 4096;
constexpr long long kCleanFactor = 3;
// The background checkpointer copies the WAL into the database once it holds this many pages.
constexpr int kCheckpointPages = 1000;

// One tenant database and its committer thread. Submissions queue up while a transaction is
// being committed; the next transaction takes all of them (group commit, one fsync).
class EntityLog final : public TenantStore {
 public:
  static Result<std::unique_ptr<EntityLog>> open(const std::string& path, bool full_sync) {
    auto log = std::unique_ptr<EntityLog>(new EntityLog(path));
    Database& db = log->db_;
    // Every use of this connection holds db_mu_: SQLite's own per-call locking is not needed.
    if (auto s = db.open(path, true, full_sync, false); !s) return std::unexpected(s.error());
    // The default 2 MB page cache re-read a third of the pages a busy commit touches (PATCHes
    // spread over 1,000 entities dirty ~4,000 history pages).
    if (auto s = db.exec("PRAGMA cache_size=-32768"); !s) return std::unexpected(s.error());
    if (auto s = db.exec("CREATE TABLE IF NOT EXISTS entity_log(seq INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT)");
        !s)
      return std::unexpected(s.error());
    log->append_ = Statement(db.handle(), "INSERT INTO entity_log(seq, id, doc) VALUES(?1, ?2, ?3)");
    log->oldest_ = Statement(db.handle(), "SELECT seq, id, doc FROM entity_log ORDER BY seq LIMIT ?1");
    log->drop_ = Statement(db.handle(), "DELETE FROM entity_log WHERE seq < ?1");
    if (!log->append_.ok() || !log->oldest_.ok() || !log->drop_.ok()) return std::unexpected(db.error("prepare"));
    if (auto s = log->rebuild_index(); !s) return std::unexpected(s.error());
    if (auto s = log->history_.open(db); !s) return std::unexpected(s.error());
    // Checkpoints run on their own connection and thread so that a commit never waits for one.
    if (auto s = log->checkpoint_db_.open(path, false, full_sync); !s) return std::unexpected(s.error());
    sqlite3_wal_hook(db.handle(), &EntityLog::on_wal_commit, log.get());  // replaces auto-checkpoint
    log->thread_ = std::thread([l = log.get()] { l->commit_loop(); });
    log->checkpoint_thread_ = std::thread([l = log.get()] { l->checkpoint_loop(); });
    return log;
  }

  ~EntityLog() override { close(); }

  Result<std::vector<std::string>> load_entities() override {
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
    queue_.push_back(Pending{std::move(batch), std::move(done), {}});
    cv_.notify_one();
    return {};
  }

  void set_retention(Retention r) override {
    std::lock_guard lock(queue_mu_);
    retention_ = r;
    next_retention_ = std::chrono::steady_clock::now();
    cv_.notify_one();
  }

  Result<std::vector<HistoryEntity>> history_entities() override { return reads_.history_entities(); }
  Result<std::optional<HistoryEntity>> history_entity(const std::string& id) override {
    return reads_.history_entity(id);
  }
  Result<std::vector<std::string>> history_attributes(const std::string& id) override {
    return reads_.history_attributes(id);
  }
  Result<std::vector<InstanceRecord>> history_instances(const std::string& id, const std::string& attr,
                                                        const TimeWindow& w, size_t limit, bool newest) override {
    return reads_.history_instances(id, attr, w, limit, newest);
  }
  Status history_scan(const std::string& id, const std::string& attr, const TimeWindow& w, ScanNeed need,
                      const ValueVisitor& visit) override {
    return reads_.history_scan(id, attr, w, need, visit);
  }
  Status history_hours(const std::string& id, const std::string& attr, Millis from, Millis to,
                       const HourVisitor& visit) override {
    return reads_.history_hours(id, attr, from, to, visit);
  }

  void close() override {
    {
      std::lock_guard lock(queue_mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    {
      std::lock_guard lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_one();
    if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  }

 private:
  struct Pending {
    WriteBatch batch;
    Done done;
    Status own;  // a history operation that found nothing
  };

  explicit EntityLog(const std::string& path) : reads_(path) {}

  static int on_wal_commit(void* self, sqlite3*, const char*, int pages) {
    auto* log = static_cast<EntityLog*>(self);
    if (pages >= kCheckpointPages) {
      std::lock_guard lock(log->checkpoint_mu_);
      log->checkpoint_wanted_ = true;
      log->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void checkpoint_loop() {
    for (;;) {
      {
        std::unique_lock lock(checkpoint_mu_);
        checkpoint_cv_.wait(lock, [&] { return checkpoint_stop_ || checkpoint_wanted_; });
        if (checkpoint_stop_) return;  // the last connection to close checkpoints the rest
        checkpoint_wanted_ = false;
      }
      int rc = sqlite3_wal_checkpoint_v2(checkpoint_db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) spdlog::warn("checkpoint failed: {}", sqlite3_errstr(rc));
    }
  }

  // Reads which row is current for every id (at open, and after a failed transaction).
  Status rebuild_index() {
    live_.clear();
    rows_ = 0;
    next_seq_ = 1;
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
      next_seq_ = seq + 1;
    }
    if (rc != SQLITE_DONE) return std::unexpected(db_.error("index"));
    return {};
  }

  // Retention runs between group commits, a slice of entities per transaction, so that writes
  // never wait long behind it.
  static constexpr size_t kRetentionSlice = 64;

  void run_retention(const Retention& r) {
    std::lock_guard lock(db_mu_);
    Status s = db_.exec("BEGIN IMMEDIATE");
    Result<bool> done =
        s ? history_.retain(r, now_millis(), kRetentionSlice) : Result<bool>(std::unexpected(s.error()));
    if (done) s = db_.exec("COMMIT");
    if (!done || !s) {
      spdlog::error("history retention failed: {}", (!done ? done.error() : s.error()).detail);
      (void)db_.exec("ROLLBACK");
      done = true;
    }
    std::lock_guard qlock(queue_mu_);
    next_retention_ = *done ? std::chrono::steady_clock::now() + r.interval : std::chrono::steady_clock::now();
  }

  void commit_loop() {
    std::vector<Pending> batch;
    for (;;) {
      std::optional<Retention> retain;
      {
        std::unique_lock lock(queue_mu_);
        auto due = [&] { return retention_.active() && std::chrono::steady_clock::now() >= next_retention_; };
        for (;;) {
          if (stopping_ || !queue_.empty() || due()) break;
          if (retention_.active())
            cv_.wait_until(lock, next_retention_);
          else
            cv_.wait(lock);
        }
        if (queue_.empty() && stopping_) return;  // stopping and drained
        if (queue_.empty()) {
          retain = retention_;
        } else {
          batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
          queue_.clear();
        }
      }
      if (retain) {
        run_retention(*retain);
        continue;
      }
      Status status;
      {
        std::lock_guard lock(db_mu_);
        status = commit(batch);
        if (!status) {
          spdlog::error("commit failed: {}", status.error().detail);
          if (auto s = rebuild_index(); !s) spdlog::error("entity index rebuild failed: {}", s.error().detail);
          if (auto s = history_.reload(); !s) spdlog::error("history index reload failed: {}", s.error().detail);
        }
      }
      for (auto& p : batch) p.done(!status ? status : p.own);
      batch.clear();
    }
  }

  Status append(std::string_view id, const std::optional<std::string>& doc) {
    append_.bind(1, next_seq_);
    append_.bind(2, id);
    if (doc) append_.bind(3, *doc);  // unbound = NULL = tombstone
    const int rc = append_.step();
    append_.reset();
    if (rc != SQLITE_DONE) return std::unexpected(db_.error("write"));
    if (doc)
      live_.insert_or_assign(std::string(id), next_seq_);
    else
      live_.erase(std::string(id));
    ++next_seq_;
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

  Status commit(std::vector<Pending>& batch) {
    if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) return s;
    long long appended = 0;
    Status status;
    for (auto& p : batch) {
      for (auto& w : p.batch.entities) {
        if (status) status = append(w.id, w.doc);
        ++appended;
      }
      for (auto& h : p.batch.history)
        if (status) status = history_.apply(h, p.own);
    }
    if (status) status = clean(appended);
    if (status) status = history_.finish();
    if (status) status = db_.exec("COMMIT");
    if (!status) (void)db_.exec("ROLLBACK");
    return status;
  }

  Database db_;
  Statement append_, oldest_, drop_;
  std::mutex db_mu_;  // the committer thread vs load_entities
  boost::unordered_flat_map<std::string, long long, std::hash<std::string>> live_;  // id -> seq of its current row
  long long rows_ = 0, next_seq_ = 1;

  std::mutex queue_mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  Retention retention_;
  std::chrono::steady_clock::time_point next_retention_;
  HistoryWriter history_;
  HistoryReads reads_;
  std::thread thread_;

  Database checkpoint_db_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false, checkpoint_stop_ = false;
  std::thread checkpoint_thread_;
};

}  // namespace

Result<std::unique_ptr<TenantStore>> open_entity_log(const std::string& path, bool full_sync) {
  auto log = EntityLog::open(path, full_sync);
  if (!log) return std::unexpected(log.error());
  return std::unique_ptr<TenantStore>(std::move(*log));
}

}  // namespace dejima::store::sqlite

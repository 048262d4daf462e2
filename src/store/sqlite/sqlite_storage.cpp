#include "store/sqlite/sqlite_storage.h"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "store/sqlite/db.h"

namespace dejima::store {
namespace {

namespace fs = std::filesystem;
using sqlite::Database;
using sqlite::Statement;

constexpr std::string_view kDefaultTenantFile = "_default";

// One tenant database and its committer thread. Submissions queue up while a transaction is
// being committed; the next transaction takes all of them (group commit, one fsync).
class SqliteTenantStore final : public TenantStore {
 public:
  static Result<std::unique_ptr<SqliteTenantStore>> open(const std::string& path, bool full_sync) {
    auto store = std::unique_ptr<SqliteTenantStore>(new SqliteTenantStore());
    if (auto s = store->db_.open(path, true, full_sync); !s) return std::unexpected(s.error());
    if (auto s = store->db_.exec(
            "CREATE TABLE IF NOT EXISTS entities(id TEXT PRIMARY KEY, doc TEXT NOT NULL)");
        !s)
      return std::unexpected(s.error());
    store->upsert_ = Statement(store->db_.handle(),
                               "INSERT INTO entities(id, doc) VALUES(?1, ?2) "
                               "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc");
    store->delete_ = Statement(store->db_.handle(), "DELETE FROM entities WHERE id = ?1");
    if (!store->upsert_.ok() || !store->delete_.ok())
      return std::unexpected(store->db_.error("prepare"));
    store->thread_ = std::thread([s = store.get()] { s->commit_loop(); });
    return store;
  }

  ~SqliteTenantStore() override { close(); }

  Result<std::vector<std::string>> load_entities() override {
    Statement q(db_.handle(), "SELECT doc FROM entities ORDER BY rowid");
    if (!q.ok()) return std::unexpected(db_.error("load"));
    std::vector<std::string> out;
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) out.emplace_back(q.column_text(0));
    if (rc != SQLITE_DONE) return std::unexpected(db_.error("load"));
    return out;
  }

  Status write(std::vector<EntityWrite> writes, Done done) override {
    std::lock_guard lock(mu_);
    if (stopping_) return fail(ErrorKind::ServiceUnavailable, "storage is shutting down");
    queue_.push_back(Pending{std::move(writes), std::move(done)});
    cv_.notify_one();
    return {};
  }

  void close() override {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Pending {
    std::vector<EntityWrite> writes;
    Done done;
  };

  SqliteTenantStore() = default;

  void commit_loop() {
    std::vector<Pending> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
        queue_.clear();
      }
      Status status = commit(batch);
      if (!status) spdlog::error("commit failed: {}", status.error().detail);
      for (auto& p : batch) p.done(status);
      batch.clear();
    }
  }

  Status commit(std::vector<Pending>& batch) {
    if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) return s;
    for (auto& p : batch) {
      for (auto& w : p.writes) {
        Statement& st = w.doc ? upsert_ : delete_;
        st.bind(1, w.id);
        if (w.doc) st.bind(2, *w.doc);
        int rc = st.step();
        st.reset();
        if (rc != SQLITE_DONE) {
          Error e = db_.error("write");
          (void)db_.exec("ROLLBACK");
          return std::unexpected(e);
        }
      }
    }
    if (auto s = db_.exec("COMMIT"); !s) {
      (void)db_.exec("ROLLBACK");
      return s;
    }
    return {};
  }

  Database db_;
  Statement upsert_, delete_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

class SqliteStorage final : public Storage {
 public:
  SqliteStorage(std::string dir, bool full_sync) : dir_(std::move(dir)), full_sync_(full_sync) {}

  Status init() {
    std::error_code ec;
    fs::create_directories(fs::path(dir_) / "tenants", ec);
    if (ec) return fail(ErrorKind::InternalError, "cannot create data directory", dir_ + ": " + ec.message());
    if (auto s = system_.open((fs::path(dir_) / "system.db").string(), true, true); !s) return s;
    return system_.exec(
        "CREATE TABLE IF NOT EXISTS contexts(id TEXT PRIMARY KEY, url TEXT NOT NULL UNIQUE, "
        "kind TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL)");
  }

  Result<std::vector<std::string>> list_tenants() override {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(dir_) / "tenants", ec)) {
      if (entry.path().extension() != ".db") continue;
      std::string stem = entry.path().stem().string();
      if (stem == kDefaultTenantFile) out.emplace_back("");
      else if (valid_tenant_name(stem)) out.push_back(stem);
    }
    if (ec) return fail(ErrorKind::InternalError, "cannot list tenants", ec.message());
    return out;
  }

  Result<std::unique_ptr<TenantStore>> open_tenant(const std::string& tenant, bool create) override {
    const std::string file = tenant.empty() ? std::string(kDefaultTenantFile) : tenant;
    const fs::path path = fs::path(dir_) / "tenants" / (file + ".db");
    if (!create && !fs::exists(path))
      return fail(ErrorKind::NonexistentTenant, "Tenant does not exist", tenant);
    auto s = SqliteTenantStore::open(path.string(), full_sync_);
    if (!s) return std::unexpected(s.error());
    return std::unique_ptr<TenantStore>(std::move(*s));
  }

  Result<std::vector<StoredContext>> load_contexts() override {
    std::lock_guard lock(mu_);
    Statement q(system_.handle(), "SELECT id, url, kind, body, created_at FROM contexts ORDER BY created_at");
    if (!q.ok()) return std::unexpected(system_.error("load contexts"));
    std::vector<StoredContext> out;
    while (q.step() == SQLITE_ROW)
      out.push_back(StoredContext{std::string(q.column_text(0)), std::string(q.column_text(1)),
                                  std::string(q.column_text(2)), std::string(q.column_text(3)),
                                  q.column_int(4)});
    return out;
  }

  Status save_context(const StoredContext& c) override {
    std::lock_guard lock(mu_);
    Statement st(system_.handle(),
                 "INSERT OR REPLACE INTO contexts(id, url, kind, body, created_at) VALUES(?1,?2,?3,?4,?5)");
    if (!st.ok()) return std::unexpected(system_.error("save context"));
    st.bind(1, c.id);
    st.bind(2, c.url);
    st.bind(3, c.kind);
    st.bind(4, c.body);
    st.bind(5, static_cast<long long>(c.created_at));
    if (st.step() != SQLITE_DONE) return std::unexpected(system_.error("save context"));
    return {};
  }

  Status delete_context(const std::string& id) override {
    std::lock_guard lock(mu_);
    Statement st(system_.handle(), "DELETE FROM contexts WHERE id = ?1");
    if (!st.ok()) return std::unexpected(system_.error("delete context"));
    st.bind(1, id);
    if (st.step() != SQLITE_DONE) return std::unexpected(system_.error("delete context"));
    return {};
  }

 private:
  std::string dir_;
  bool full_sync_;
  std::mutex mu_;
  Database system_;
};

}  // namespace

Result<std::unique_ptr<Storage>> open_sqlite_storage(const std::string& data_dir, bool full_sync) {
  auto storage = std::make_unique<SqliteStorage>(data_dir, full_sync);
  if (auto s = storage->init(); !s) return std::unexpected(s.error());
  return std::unique_ptr<Storage>(std::move(storage));
}

}  // namespace dejima::store

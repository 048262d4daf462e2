#include "store/sqlite/sqlite_storage.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "store/sqlite/db.h"
#include "store/sqlite/entity_log.h"

namespace dejima::store {
namespace {

namespace fs = std::filesystem;
using sqlite::Database;
using sqlite::Statement;

constexpr std::string_view kDefaultTenantFile = "_default";

class SqliteStorage final : public Storage {
 public:
  SqliteStorage(std::string dir, StorageOptions options) : dir_(std::move(dir)), options_(std::move(options)) {}
  ~SqliteStorage() override {
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }

  Status init() {
    std::error_code ec;
    fs::create_directories(fs::path(dir_) / "tenants", ec);
    if (ec) return fail(ErrorKind::InternalError, "cannot create data directory", dir_ + ": " + ec.message());
    // One process per data directory: the broker keeps entities in memory, so a second writer
    // (another server, `dejima import`) would go unseen by the first.
    lock_fd_ = ::open((fs::path(dir_) / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) return fail(ErrorKind::InternalError, "cannot lock data directory", dir_);
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0)
      return fail(ErrorKind::ServiceUnavailable, "data directory in use",
                  dir_ + " is open in another dejima process; stop it first (or write through its HTTP API)");
    if (auto s = system_.open((fs::path(dir_) / "system.db").string(), true, true); !s) return s;
    if (auto s = system_.exec("CREATE TABLE IF NOT EXISTS contexts(id TEXT PRIMARY KEY, url TEXT NOT NULL UNIQUE, "
                              "kind TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL)");
        !s)
      return s;
    if (auto s = system_.exec(
            "CREATE TABLE IF NOT EXISTS subscriptions(tenant TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, "
            "PRIMARY KEY(tenant, id))");
        !s)
      return s;
    if (auto s = system_.exec("CREATE TABLE IF NOT EXISTS subscription_states(tenant TEXT NOT NULL, id TEXT NOT NULL, "
                              "body TEXT NOT NULL, "
                              "PRIMARY KEY(tenant, id))");
        !s)
      return s;
    if (auto s = system_.exec(
            "CREATE TABLE IF NOT EXISTS connectors(name TEXT PRIMARY KEY, body TEXT NOT NULL, etag TEXT NOT NULL, "
            "last_modified TEXT NOT NULL)");
        !s)
      return s;
    if (auto s =
            system_.exec("CREATE TABLE IF NOT EXISTS connector_runs(connector TEXT NOT NULL, started INTEGER NOT NULL, "
                         "body TEXT NOT NULL, PRIMARY KEY(connector, started))");
        !s)
      return s;
    if (auto s = system_.exec(
            "CREATE TABLE IF NOT EXISTS records(kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, "
            "PRIMARY KEY(kind, key))");
        !s)
      return s;
    if (auto s = system_.exec(
            "CREATE TABLE IF NOT EXISTS journal(seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, at INTEGER NOT NULL, "
            "tenant TEXT NOT NULL, body TEXT NOT NULL)");
        !s)
      return s;
    return system_.exec("CREATE INDEX IF NOT EXISTS journal_by_time ON journal(kind, at, seq)");
  }

  Result<std::vector<std::string>> list_tenants() override {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(dir_) / "tenants", ec)) {
      if (entry.path().extension() != ".db") continue;
      std::string stem = entry.path().stem().string();
      if (stem == kDefaultTenantFile)
        out.emplace_back("");
      else if (valid_tenant_name(stem))
        out.push_back(stem);
    }
    if (ec) return fail(ErrorKind::InternalError, "cannot list tenants", ec.message());
    return out;
  }

  Result<std::unique_ptr<TenantStore>> open_tenant(const std::string& tenant, bool create) override {
    const std::string file = tenant.empty() ? std::string(kDefaultTenantFile) : tenant;
    const fs::path path = fs::path(dir_) / "tenants" / (file + ".db");
    if (!create && !fs::exists(path)) return fail(ErrorKind::NonexistentTenant, "Tenant does not exist", tenant);
    const fs::path records = fs::path(dir_) / "tenants" / (file + ".records");
    return sqlite::open_entity_log(path.string(), records.string(),
                                   sqlite::TenantOptions{.full_sync = options_.full_sync,
                                                         .merge = options_.merge,
                                                         .max_lag_bytes = options_.max_lag_bytes,
                                                         .derive_delay = options_.derive_delay});
  }

  Result<std::vector<StoredContext>> load_contexts() override {
    std::lock_guard lock(mu_);
    Statement q(system_.handle(), "SELECT id, url, kind, body, created_at FROM contexts ORDER BY created_at");
    if (!q.ok()) return std::unexpected(system_.error("load contexts"));
    std::vector<StoredContext> out;
    while (q.step() == SQLITE_ROW)
      out.push_back(StoredContext{std::string(q.column_text(0)), std::string(q.column_text(1)),
                                  std::string(q.column_text(2)), std::string(q.column_text(3)), q.column_int(4)});
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

  Result<std::vector<StoredSubscription>> load_subscriptions() override {
    std::lock_guard lock(mu_);
    Statement q(system_.handle(),
                "SELECT s.tenant, s.id, s.body, coalesce(t.body, '') FROM subscriptions s "
                "LEFT JOIN subscription_states t ON t.tenant = s.tenant AND t.id = s.id ORDER BY s.tenant, s.id");
    if (!q.ok()) return std::unexpected(system_.error("load subscriptions"));
    std::vector<StoredSubscription> out;
    while (q.step() == SQLITE_ROW)
      out.push_back({std::string(q.column_text(0)), std::string(q.column_text(1)), std::string(q.column_text(2)),
                     std::string(q.column_text(3))});
    return out;
  }

  Status save_subscription_states(const std::vector<StoredSubscription>& states) override {
    std::lock_guard lock(mu_);
    if (auto s = system_.exec("BEGIN IMMEDIATE"); !s) return s;
    Statement st(system_.handle(),
                 "INSERT OR REPLACE INTO subscription_states(tenant, id, body) SELECT ?1, ?2, ?3 "
                 "WHERE EXISTS (SELECT 1 FROM subscriptions WHERE tenant = ?1 AND id = ?2)");
    Status status = st.ok() ? Status{} : std::unexpected(system_.error("save subscription state"));
    for (const auto& s : states) {
      if (!status) break;
      st.bind(1, s.tenant);
      st.bind(2, s.id);
      st.bind(3, s.state);
      if (st.step() != SQLITE_DONE) status = std::unexpected(system_.error("save subscription state"));
      st.reset();
    }
    if (status) status = system_.exec("COMMIT");
    if (!status) (void)system_.exec("ROLLBACK");
    return status;
  }

  Status save_subscription(const StoredSubscription& s) override {
    std::lock_guard lock(mu_);
    Statement st(system_.handle(), "INSERT OR REPLACE INTO subscriptions(tenant, id, body) VALUES(?1,?2,?3)");
    if (!st.ok()) return std::unexpected(system_.error("save subscription"));
    st.bind(1, s.tenant);
    st.bind(2, s.id);
    st.bind(3, s.body);
    if (st.step() != SQLITE_DONE) return std::unexpected(system_.error("save subscription"));
    return {};
  }

  Result<std::vector<StoredConnector>> load_connectors() override {
    std::lock_guard lock(mu_);
    Statement q(system_.handle(), "SELECT name, body, etag, last_modified FROM connectors ORDER BY name");
    if (!q.ok()) return std::unexpected(system_.error("load connectors"));
    std::vector<StoredConnector> out;
    while (q.step() == SQLITE_ROW)
      out.push_back({std::string(q.column_text(0)), std::string(q.column_text(1)), std::string(q.column_text(2)),
                     std::string(q.column_text(3))});
    return out;
  }

  Status save_connector(const StoredConnector& c) override {
    std::lock_guard lock(mu_);
    Statement st(system_.handle(),
                 "INSERT OR REPLACE INTO connectors(name, body, etag, last_modified) VALUES(?1,?2,?3,?4)");
    if (!st.ok()) return std::unexpected(system_.error("save connector"));
    st.bind(1, c.name);
    st.bind(2, c.body);
    st.bind(3, c.etag);
    st.bind(4, c.last_modified);
    if (st.step() != SQLITE_DONE) return std::unexpected(system_.error("save connector"));
    return {};
  }

  Result<std::vector<StoredRecord>> load_records(const std::string& kind) override {
    std::lock_guard lock(mu_);
    Statement q(system_.handle(), "SELECT key, body FROM records WHERE kind = ?1 ORDER BY key");
    if (!q.ok()) return std::unexpected(system_.error("load " + kind));
    q.bind(1, kind);
    std::vector<StoredRecord> out;
    while (q.step() == SQLITE_ROW) out.push_back({std::string(q.column_text(0)), std::string(q.column_text(1))});
    return out;
  }

  Status save_record(const std::string& kind, const StoredRecord& r) override {
    std::lock_guard lock(mu_);
    Statement st(system_.handle(), "INSERT OR REPLACE INTO records(kind, key, body) VALUES(?1,?2,?3)");
    if (!st.ok()) return std::unexpected(system_.error("save " + kind));
    st.bind(1, kind);
    st.bind(2, r.key);
    st.bind(3, r.body);
    if (st.step() != SQLITE_DONE) return std::unexpected(system_.error("save " + kind));
    return {};
  }

  Status delete_record(const std::string& kind, const std::string& key) override {
    std::lock_guard lock(mu_);
    Statement st(system_.handle(), "DELETE FROM records WHERE kind = ?1 AND key = ?2");
    if (!st.ok()) return std::unexpected(system_.error("delete " + kind));
    st.bind(1, kind);
    st.bind(2, key);
    if (st.step() != SQLITE_DONE) return std::unexpected(system_.error("delete " + kind));
    return {};
  }

  Result<std::vector<StoredRecord>> load_record_range(const std::string& kind, const std::string& first,
                                                      const std::string& last) override {
    std::lock_guard lock(mu_);
    Statement q(system_.handle(),
                "SELECT key, body FROM records WHERE kind = ?1 AND key >= ?2 AND key < ?3 ORDER BY key");
    if (!q.ok()) return std::unexpected(system_.error("load " + kind));
    q.bind(1, kind);
    q.bind(2, first);
    q.bind(3, last);
    std::vector<StoredRecord> out;
    while (q.step() == SQLITE_ROW) out.push_back({std::string(q.column_text(0)), std::string(q.column_text(1))});
    return out;
  }

  Status save_records(const std::string& kind, const std::vector<StoredRecord>& records) override {
    if (records.empty()) return {};
    std::lock_guard lock(mu_);
    if (auto s = system_.exec("BEGIN"); !s) return s;
    Statement st(system_.handle(), "INSERT OR REPLACE INTO records(kind, key, body) VALUES(?1,?2,?3)");
    Status status = st.ok() ? Status{} : std::unexpected(system_.error("save " + kind));
    for (const auto& r : records) {
      if (!status) break;
      st.bind(1, kind);
      st.bind(2, r.key);
      st.bind(3, r.body);
      if (st.step() != SQLITE_DONE) status = std::unexpected(system_.error("save " + kind));
      st.reset();
    }
    if (status) status = system_.exec("COMMIT");
    if (!status) (void)system_.exec("ROLLBACK");
    return status;
  }

  Status append_journal(const std::string& kind, const std::vector<JournalEntry>& entries) override {
    if (entries.empty()) return {};
    std::lock_guard lock(mu_);
    if (auto s = system_.exec("BEGIN"); !s) return s;
    Statement st(system_.handle(), "INSERT INTO journal(kind, at, tenant, body) VALUES(?1,?2,?3,?4)");
    Status status = st.ok() ? Status{} : std::unexpected(system_.error("append " + kind));
    for (const auto& e : entries) {
      if (!status) break;
      st.bind(1, kind);
      st.bind(2, static_cast<long long>(e.at));
      st.bind(3, e.tenant);
      st.bind(4, e.body);
      if (st.step() != SQLITE_DONE) status = std::unexpected(system_.error("append " + kind));
      st.reset();
    }
    if (status) status = system_.exec("COMMIT");
    if (!status) (void)system_.exec("ROLLBACK");
    return status;
  }

  Result<std::vector<JournalEntry>> read_journal(const std::string& kind, const JournalQuery& q) override {
    std::lock_guard lock(mu_);
    const std::string sql =
        std::string("SELECT at, tenant, body FROM journal WHERE kind = ?1 AND at >= ?2 AND at < ?3") +
        (q.tenant ? " AND tenant = ?5" : "") + (q.newest_first ? " ORDER BY at DESC, seq DESC" : " ORDER BY at, seq") +
        " LIMIT ?4";
    Statement st(system_.handle(), sql.c_str());
    if (!st.ok()) return std::unexpected(system_.error("read " + kind));
    st.bind(1, kind);
    st.bind(2, static_cast<long long>(q.from));
    st.bind(3, static_cast<long long>(q.to));
    st.bind(4, q.limit > static_cast<size_t>(std::numeric_limits<long long>::max()) ? -1LL
                                                                                    : static_cast<long long>(q.limit));
    if (q.tenant) st.bind(5, *q.tenant);
    std::vector<JournalEntry> out;
    while (st.step() == SQLITE_ROW)
      out.push_back({st.column_int(0), std::string(st.column_text(1)), std::string(st.column_text(2))});
    return out;
  }

  Status delete_connector(const std::string& name) override {
    std::lock_guard lock(mu_);
    for (const char* sql :
         {"DELETE FROM connectors WHERE name = ?1", "DELETE FROM connector_runs WHERE connector = ?1"}) {
      Statement st(system_.handle(), sql);
      if (!st.ok()) return std::unexpected(system_.error("delete connector"));
      st.bind(1, name);
      if (st.step() != SQLITE_DONE) return std::unexpected(system_.error("delete connector"));
    }
    return {};
  }

  Status save_run(const std::string& connector, Millis started, const std::string& body, size_t keep) override {
    std::lock_guard lock(mu_);
    Statement st(system_.handle(), "INSERT OR REPLACE INTO connector_runs(connector, started, body) VALUES(?1,?2,?3)");
    if (!st.ok()) return std::unexpected(system_.error("save run"));
    st.bind(1, connector);
    st.bind(2, static_cast<long long>(started));
    st.bind(3, body);
    if (st.step() != SQLITE_DONE) return std::unexpected(system_.error("save run"));
    Statement trim(system_.handle(),
                   "DELETE FROM connector_runs WHERE connector = ?1 AND started NOT IN "
                   "(SELECT started FROM connector_runs WHERE connector = ?1 ORDER BY started DESC LIMIT ?2)");
    if (!trim.ok()) return std::unexpected(system_.error("save run"));
    trim.bind(1, connector);
    trim.bind(2, static_cast<long long>(keep));
    if (trim.step() != SQLITE_DONE) return std::unexpected(system_.error("save run"));
    return {};
  }

  Result<std::vector<std::string>> load_runs(const std::string& connector) override {
    std::lock_guard lock(mu_);
    Statement q(system_.handle(), "SELECT body FROM connector_runs WHERE connector = ?1 ORDER BY started DESC");
    if (!q.ok()) return std::unexpected(system_.error("load runs"));
    q.bind(1, connector);
    std::vector<std::string> out;
    while (q.step() == SQLITE_ROW) out.emplace_back(q.column_text(0));
    return out;
  }

  Status delete_subscription(const std::string& tenant, const std::string& id) override {
    std::lock_guard lock(mu_);
    for (const char* sql : {"DELETE FROM subscriptions WHERE tenant = ?1 AND id = ?2",
                            "DELETE FROM subscription_states WHERE tenant = ?1 AND id = ?2"}) {
      Statement st(system_.handle(), sql);
      if (!st.ok()) return std::unexpected(system_.error("delete subscription"));
      st.bind(1, tenant);
      st.bind(2, id);
      if (st.step() != SQLITE_DONE) return std::unexpected(system_.error("delete subscription"));
    }
    return {};
  }

 private:
  std::string dir_;
  const StorageOptions options_;
  std::mutex mu_;
  Database system_;
  int lock_fd_ = -1;
};

}  // namespace

Result<std::unique_ptr<Storage>> open_sqlite_storage(const std::string& data_dir, StorageOptions options) {
  auto storage = std::make_unique<SqliteStorage>(data_dir, std::move(options));
  if (auto s = storage->init(); !s) return std::unexpected(s.error());
  return std::unique_ptr<Storage>(std::move(storage));
}

}  // namespace dejima::store

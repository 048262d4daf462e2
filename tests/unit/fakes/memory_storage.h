// Test seams for the storage domain interface (store/store.h): a TenantStore and a Storage that
// keep everything in memory. A test decides when and how a write commits: by default a storage
// thread of the fake's own commits each write in order, as the SQLite committer does; after
// hold(), a write waits until the test calls commit() (succeeding or failing it), so that what
// the broker shows before, during and after a commit, and its rollback, can be checked
// deterministically.
#pragma once
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "model/codec.h"
#include "store/store.h"

namespace dejima::test {

class MemoryTenantStore final : public store::TenantStore {
 public:
  // What has been committed: id -> document, and every history write in commit order.
  struct Committed {
    std::map<std::string, std::string> docs;
    std::vector<store::HistoryWrite> history;
    size_t transactions = 0;
  };

  MemoryTenantStore() : thread_([this] { run(); }) {}
  ~MemoryTenantStore() override { close(); }

  // Writes wait for commit() instead of being committed by the storage thread.
  void hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  // Commits (ok) or fails (with `error`) the oldest waiting write; false when none waits.
  bool commit(Status outcome = {}) {
    Pending p;
    {
      std::lock_guard lock(mu_);
      if (pending_.empty()) return false;
      p = std::move(pending_.front());
      pending_.pop_front();
      if (outcome) apply_locked(p.batch);
    }
    p.done(outcome);
    return true;
  }
  // Waits until n writes wait for commit().
  void wait_pending(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return pending_.size() >= n; });
  }
  size_t pending() const {
    std::lock_guard lock(mu_);
    return pending_.size();
  }
  Committed committed() const {
    std::lock_guard lock(mu_);
    return committed_;
  }
  // write() refuses the next submission with this error (nothing is queued).
  void refuse_next(Error e) {
    std::lock_guard lock(mu_);
    refuse_ = std::move(e);
  }
  // Documents load() returns, as if written by an earlier process.
  void preload(std::string id, std::string doc) {
    std::lock_guard lock(mu_);
    committed_.docs[std::move(id)] = std::move(doc);
  }

  Result<std::vector<std::string>> load_entities() override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [id, doc] : committed_.docs) out.push_back(doc);
    return out;
  }
  Status write(store::WriteBatch batch, store::Done done) override {
    std::unique_lock lock(mu_);
    if (refuse_) {
      Error e = std::move(*refuse_);
      refuse_.reset();
      return std::unexpected(std::move(e));
    }
    if (closed_) return fail(ErrorKind::ServiceUnavailable, "Closed", "the store is closed");
    pending_.push_back({std::move(batch), std::move(done)});
    cv_.notify_all();
    return {};
  }
  void set_retention(store::Retention) override {}
  store::Lag lag() const override { return {}; }  // committed is derived
  void close() override {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      held_ = false;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

  // The history is recorded (committed().history), not indexed: these read nothing.
  Result<std::vector<store::HistoryEntity>> history_entities() override { return std::vector<store::HistoryEntity>{}; }
  Result<std::optional<store::HistoryEntity>> history_entity(const std::string&) override {
    return std::optional<store::HistoryEntity>{};
  }
  Result<std::vector<std::string>> history_attributes(const std::string&) override {
    return std::vector<std::string>{};
  }
  Result<std::vector<store::InstanceRecord>> history_instances(const std::string&, const std::string&,
                                                               const store::TimeWindow&, size_t, bool) override {
    return std::vector<store::InstanceRecord>{};
  }
  Status history_scan(const std::string&, const std::string&, const store::TimeWindow&, ScanNeed,
                      const ValueVisitor&) override {
    return {};
  }
  Status history_hours(const std::string&, const std::string&, Millis, Millis, const HourVisitor&) override {
    return {};
  }

 private:
  struct Pending {
    store::WriteBatch batch;
    store::Done done;
  };
  // The storage thread: commits what is not held, in order; at close, everything.
  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return (!held_ && !pending_.empty()) || closed_; });
      if (pending_.empty() && closed_) return;
      if (held_ && !closed_) continue;
      Pending p = std::move(pending_.front());
      pending_.pop_front();
      apply_locked(p.batch);
      lock.unlock();
      p.done({});
      lock.lock();
    }
  }
  void apply_locked(store::WriteBatch& b) {
    for (auto& w : b.entities) {
      if (w.doc && w.delta) {  // folded as the SQLite deriver folds it
        auto merged = model::apply_delta(committed_.docs.at(w.id), *w.doc);
        committed_.docs[w.id] = merged ? std::move(*merged) : "delta failed: " + merged.error().detail;
      } else if (w.doc) {
        committed_.docs[w.id] = std::move(*w.doc);
      } else {
        committed_.docs.erase(w.id);
      }
    }
    for (auto& h : b.history) committed_.history.push_back(std::move(h));
    ++committed_.transactions;
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false, closed_ = false;
  std::optional<Error> refuse_;
  std::deque<Pending> pending_;
  Committed committed_;
  std::thread thread_;  // last: started once the members it uses exist
};

// A Storage whose tenants are MemoryTenantStores (kept by name, so a test can reach the one the
// broker opened) and whose contexts, subscriptions and connectors live in maps.
class MemoryStorage final : public store::Storage {
 public:
  // The store of a tenant that has been opened ("" = the default tenant); null when none was.
  MemoryTenantStore* tenant(const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = tenants_.find(name);
    return it == tenants_.end() ? nullptr : it->second;
  }
  std::map<std::string, store::StoredSubscription> subscriptions() const {
    std::lock_guard lock(mu_);
    return subscriptions_;
  }

  Result<std::vector<std::string>> list_tenants() override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [name, t] : tenants_) out.push_back(name);
    return out;
  }
  Result<std::unique_ptr<store::TenantStore>> open_tenant(const std::string& tenant, bool create) override {
    std::lock_guard lock(mu_);
    if (!create && !tenants_.contains(tenant)) return fail(ErrorKind::NonexistentTenant, "Nonexistent tenant", tenant);
    auto t = std::make_unique<MemoryTenantStore>();
    tenants_[tenant] = t.get();
    return std::unique_ptr<store::TenantStore>(std::move(t));
  }
  Result<std::vector<store::StoredContext>> load_contexts() override {
    std::lock_guard lock(mu_);
    std::vector<store::StoredContext> out;
    for (const auto& [id, c] : contexts_) out.push_back(c);
    return out;
  }
  Status save_context(const store::StoredContext& ctx) override {
    std::lock_guard lock(mu_);
    contexts_[ctx.id] = ctx;
    return {};
  }
  Status delete_context(const std::string& id) override {
    std::lock_guard lock(mu_);
    contexts_.erase(id);
    return {};
  }
  Result<std::vector<store::StoredSubscription>> load_subscriptions() override {
    std::lock_guard lock(mu_);
    std::vector<store::StoredSubscription> out;
    for (const auto& [key, s] : subscriptions_) out.push_back(s);
    return out;
  }
  Status save_subscription(const store::StoredSubscription& s) override {
    std::lock_guard lock(mu_);
    subscriptions_[s.tenant + '\n' + s.id] = s;
    return {};
  }
  Status delete_subscription(const std::string& tenant, const std::string& id) override {
    std::lock_guard lock(mu_);
    subscriptions_.erase(tenant + '\n' + id);
    return {};
  }
  Status save_subscription_states(const std::vector<store::StoredSubscription>& states) override {
    std::lock_guard lock(mu_);
    for (const auto& s : states)
      if (auto it = subscriptions_.find(s.tenant + '\n' + s.id); it != subscriptions_.end()) it->second.state = s.state;
    return {};
  }
  Result<std::vector<store::StoredConnector>> load_connectors() override {
    std::lock_guard lock(mu_);
    std::vector<store::StoredConnector> out;
    for (const auto& [name, c] : connectors_) out.push_back(c);
    return out;
  }
  Status save_connector(const store::StoredConnector& c) override {
    std::lock_guard lock(mu_);
    connectors_[c.name] = c;
    return {};
  }
  Status delete_connector(const std::string& name) override {
    std::lock_guard lock(mu_);
    connectors_.erase(name);
    runs_.erase(name);
    return {};
  }
  Status save_run(const std::string& connector, Millis, const std::string& body, size_t keep) override {
    std::lock_guard lock(mu_);
    auto& runs = runs_[connector];
    runs.push_front(body);
    if (runs.size() > keep) runs.resize(keep);
    return {};
  }
  Result<std::vector<std::string>> load_runs(const std::string& connector) override {
    std::lock_guard lock(mu_);
    auto it = runs_.find(connector);
    if (it == runs_.end()) return std::vector<std::string>{};
    return std::vector<std::string>(it->second.begin(), it->second.end());
  }

  Result<std::vector<store::StoredRecord>> load_records(const std::string& kind) override {
    std::lock_guard lock(mu_);
    std::vector<store::StoredRecord> out;
    for (const auto& [key, body] : records_[kind]) out.push_back({key, body});
    return out;
  }
  Status save_record(const std::string& kind, const store::StoredRecord& r) override {
    std::lock_guard lock(mu_);
    records_[kind][r.key] = r.body;
    return {};
  }
  Status delete_record(const std::string& kind, const std::string& key) override {
    std::lock_guard lock(mu_);
    records_[kind].erase(key);
    return {};
  }
  Result<std::vector<store::StoredRecord>> load_record_range(const std::string& kind, const std::string& first,
                                                             const std::string& last) override {
    std::lock_guard lock(mu_);
    std::vector<store::StoredRecord> out;
    auto& of = records_[kind];
    for (auto it = of.lower_bound(first); it != of.end() && it->first < last; ++it)
      out.push_back({it->first, it->second});
    return out;
  }
  Status save_records(const std::string& kind, const std::vector<store::StoredRecord>& records) override {
    std::lock_guard lock(mu_);
    for (const auto& r : records) records_[kind][r.key] = r.body;
    return {};
  }
  Status append_journal(const std::string& kind, const std::vector<store::JournalEntry>& entries) override {
    std::lock_guard lock(mu_);
    auto& j = journals_[kind];
    j.insert(j.end(), entries.begin(), entries.end());
    std::stable_sort(j.begin(), j.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    return {};
  }
  Result<std::vector<store::JournalEntry>> read_journal(const std::string& kind,
                                                        const store::JournalQuery& q) override {
    std::lock_guard lock(mu_);
    std::vector<store::JournalEntry> out;
    for (const auto& e : journals_[kind])
      if (e.at >= q.from && e.at < q.to && (!q.tenant || *q.tenant == e.tenant)) out.push_back(e);
    if (q.newest_first) std::reverse(out.begin(), out.end());
    if (out.size() > q.limit) out.resize(q.limit);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, std::string>> records_;  // kind → key → body
  std::map<std::string, std::vector<store::JournalEntry>> journals_;   // kind → entries by time
  std::map<std::string, MemoryTenantStore*> tenants_;                  // owned by the broker's Tenant
  std::map<std::string, store::StoredContext> contexts_;
  std::map<std::string, store::StoredSubscription> subscriptions_;
  std::map<std::string, store::StoredConnector> connectors_;
  std::map<std::string, std::deque<std::string>> runs_;
};

}  // namespace dejima::test

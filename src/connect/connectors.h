// The declared connectors of a running server: kept in the system store, run one at a time on
// a worker thread when their schedule comes or when asked, each run's log kept (the newest
// kRunsKept per connector). Runs write through the tenants like any API client, so
// subscriptions and history see their changes.
#pragma once
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "broker/tenant.h"
#include "connect/declaration.h"
#include "connect/run.h"
#include "store/store.h"

namespace dejima::connect {

class Connectors {
 public:
  static constexpr size_t kRunsKept = 20;
  static constexpr Millis kRetry = 5 * 60 * 1000;  // after a failed scheduled run

  Connectors(store::Storage& storage, broker::Tenants& tenants) : storage_(storage), tenants_(tenants) {}
  ~Connectors() { stop(); }

  // Reads the declarations kept in the store; scheduled ones run soon after start().
  Status load();
  void start();
  // Cancels a run in progress (it stops between batches and sources, or its transfer is
  // aborted), waits for it to end, then stops the worker.
  void stop();

  // Creates or replaces a declaration (a replaced one reads its source again at its next run).
  // Returns true when it was created.
  Result<bool> declare(Declaration d);
  // Deletes a declaration (its entities stay); a run of it in progress is cancelled.
  Status remove(const std::string& name);
  std::optional<Declaration> find(const std::string& name) const;
  std::vector<Declaration> list() const;
  // Queues a run (nothing more when one is already queued or running).
  Status trigger(const std::string& name);

  // The declaration with its state: {..., "state": idle|queued|running, "nextRunAt", "lastRun"}.
  std::optional<std::string> describe(const std::string& name) const;
  // Run logs as JSON, newest first; a run in progress first, with "status": "running" and
  // its progress.
  Result<std::vector<std::string>> runs(const std::string& name) const;

 private:
  struct Entry {
    Declaration d;
    SourceState state;
    Millis next_run = 0;  // 0 = not scheduled
    bool queued = false;
    std::string last_run;  // summary JSON of the last finished run
  };
  struct Progress {
    std::string connector, stage;
    Millis started = 0;
    size_t done = 0, total = 0;
  };

  void worker();
  void run_one(const std::string& name);
  std::string progress_json() const;  // under mu_

  store::Storage& storage_;
  broker::Tenants& tenants_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Entry> entries_;
  std::deque<std::string> queue_;
  std::optional<Progress> running_;
  bool stopping_ = false;
  Cancel cancel_{false};  // the run in progress must stop
  std::thread thread_;
};

}  // namespace dejima::connect

// The audit log (監査ログ): an append-only journal (the store's "audit" journal) of every
// administrative action and every refused credential or right — who (the caller the gate found,
// or the user a login tried), when, from which address, what (method, path, route), the tenant
// and the result (the HTTP status). An http::Observer, so every route is covered by the one rule
// below, including routes added later:
// - an action: a request that changes something (not GET/HEAD/OPTIONS) on a route that needs
//   tenant-admin, operator or identified rights, or any request whose answer names an actor
//   (login, logout). Written before its answer is sent (durable when the client hears of it).
// - a refusal: any 401 or 403. Buffered and written every second, so that a flood of bad
//   credentials costs no fsync each; beyond 10,000 waiting, refusals are counted and the count is
//   written as an entry of its own.
#pragma once
#include <mutex>
#include <string>
#include <vector>

#include "http/router.h"
#include "store/store.h"
#include "util/periodic.h"

namespace dejima::access {

class AuditLog : public http::Observer {
 public:
  explicit AuditLog(store::Storage& storage) : storage_(storage) {}
  ~AuditLog() override { stop(); }
  void observe(const http::Request& req, const http::RouteInfo* route, const http::Response& resp,
               std::chrono::steady_clock::time_point received) override;
  void start(std::chrono::milliseconds every = std::chrono::seconds(1));
  void stop();  // writes the refusals still waiting
  // Writes the refusals waiting.
  Status flush();
  // Entries (their JSON), newest first; q.tenant selects one tenant's.
  Result<std::vector<std::string>> read(const store::JournalQuery& q);

  static constexpr size_t kMaxWaiting = 10000;

 private:
  store::Storage& storage_;
  std::mutex mu_;
  std::vector<store::JournalEntry> waiting_;  // refusals
  long long dropped_ = 0;
  Periodic flusher_;
};

}  // namespace dejima::access

// サービス利用履歴: requests counted per local day, tenant, caller (API key id, user, token
// subject, or anonymous) and API family (ngsi-ld, temporal, subscriptions, contexts,
// management, other), with errors (4xx and 5xx), bytes out and a latency histogram (four
// buckets per doubling: p50 and p99 to within 19 %). An http::Observer: counting is a map update
// in memory; a flusher thread saves the day's changed counts to the store's records (kind
// "usage", keyed "day|tenant|family|caller", one transaction) every few seconds and at stop; a
// start reads today's back, so a restart goes on counting (a crash forgets at most the last
// few seconds).
#pragma once
#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "http/router.h"
#include "store/store.h"
#include "util/periodic.h"
#include "util/time.h"

namespace dejima::access {

// The API family of a request path.
std::string_view api_family(std::string_view path);

struct UsageCounts {
  static constexpr size_t kBuckets = 96;  // 1 µs … 2^24 µs (16.8 s), four per doubling
  long long requests = 0, errors = 0, bytes_out = 0;
  std::array<long long, kBuckets> latency{};
  void add(const UsageCounts& o);
  // The latency (ms) below which `fraction` of the requests fell (a bucket's upper bound).
  double percentile_ms(double fraction) const;
};

// A row of a usage answer: the grouping members it has, and its counts.
struct UsageRow {
  std::string day, tenant, key, family;  // "" for a member not grouped by
  UsageCounts counts;
};

struct UsageQuery {
  std::string from_day, to_day;  // "YYYY-MM-DD", both included
  std::optional<std::string> tenant, key;
  std::set<std::string> group_by;  // of day, tenant, key, family
};

class UsageMeter : public http::Observer {
 public:
  explicit UsageMeter(store::Storage& storage) : storage_(storage) {}
  ~UsageMeter() override { stop(); }
  void observe(const http::Request& req, const http::RouteInfo* route, const http::Response& resp,
               std::chrono::steady_clock::time_point received) override;
  // Counts one request (what observe does, with its parts given: the tests' seam).
  void count(Millis now, const std::string& tenant, const std::string& caller, std::string_view family, unsigned status,
             size_t bytes_out, std::chrono::microseconds latency);
  // Reads today's counts back (at start).
  Status load(Millis now);
  // Saves the counts changed since the last flush.
  Status flush();
  void start(std::chrono::milliseconds every = std::chrono::seconds(5));
  void stop();  // flushes

  // The rows of `q` (flushed first), in order of their grouping members.
  Result<std::vector<UsageRow>> query(const UsageQuery& q);
  // Requests per tenant ("" = the default tenant) from `from_day` to `to_day` (利用按分).
  Result<std::map<std::string, long long>> requests_by_tenant(const std::string& from_day, const std::string& to_day);

 private:
  using Key = std::tuple<std::string, std::string, std::string, std::string>;  // day, tenant, caller, family
  store::Storage& storage_;
  std::mutex mu_;
  std::map<Key, UsageCounts> counts_;   // the days counted since start (today's loaded back)
  std::set<Key> dirty_;                 // changed since the last flush
  std::mutex flush_mu_;                 // one flush at a time
  Millis day_start_ = 0, day_end_ = 0;  // the local day counted now
  std::string day_;
  Periodic flusher_;
};

}  // namespace dejima::access

// Rate limits and daily quotas of API keys (a service's rateLimit and dailyQuota, applied to
// each of its keys): a token bucket per key in memory, and a request count per key and local
// day that is kept in the store's records (kind "quota"), written every few seconds by a
// background thread and at stop, and read back at start, so a restart does not reset a quota
// (a crash forgets at most the last few seconds of counting).
#pragma once
#include <map>
#include <mutex>
#include <string>

#include "access/service_record.h"
#include "store/store.h"
#include "util/periodic.h"

namespace dejima::access {

class Quotas {
 public:
  explicit Quotas(store::Storage& storage) : storage_(storage) {}
  ~Quotas() { stop(); }
  // Reads today's counts.
  Status load(Millis now);
  // Counts one request of `key` against its service's limits: 0 when admitted, else the seconds
  // to wait (the request is not counted then).
  unsigned admit(const KeyRecord& key, const ServiceRecord& service, Millis now);
  // How many requests `key` made on the local day of `now`.
  long long used_today(const std::string& key_id, Millis now) const;
  // Writes the counts changed since the last flush.
  Status flush();
  void start(std::chrono::milliseconds every = std::chrono::seconds(5));
  void stop();  // flushes

 private:
  struct Bucket {
    double tokens = 0;
    Millis at = 0;
  };
  store::Storage& storage_;
  mutable std::mutex mu_;
  std::map<std::string, Bucket> buckets_;    // by key id
  std::map<std::string, long long> counts_;  // "<key id>/<YYYY-MM-DD>" → requests
  std::map<std::string, long long> dirty_;   // what flush() still has to write
  Periodic flusher_;
};

// The local (process time zone) date of t, "YYYY-MM-DD", and the milliseconds to its end.
std::string local_day(Millis t);
Millis until_local_midnight(Millis t);

}  // namespace dejima::access

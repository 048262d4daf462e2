// Orion's transient entities: an entity with a `dateExpires` attribute (a DateTime; through
// NGSI-LD, a DateTime property of that core-context name) is deleted once that time has passed — within one `interval`
// of it, as Orion leaves it to its database's TTL monitor (every 60 s). The deletion is an ordinary durable delete:
// history and subscriptions see it.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "broker/tenant.h"
#include "util/time.h"

namespace dejima::ngsiv2 {

inline constexpr std::string_view kDateExpires = "dateExpires";

class Expiry {
 public:
  Expiry(broker::Tenants& tenants, std::chrono::milliseconds interval) : tenants_(tenants), interval_(interval) {}
  ~Expiry() { stop(); }
  Expiry(const Expiry&) = delete;
  Expiry& operator=(const Expiry&) = delete;

  void start();
  void stop();
  // Deletes the entities of every tenant whose dateExpires is before `now`, once each is durable;
  // returns how many.
  size_t sweep(Millis now);

 private:
  broker::Tenants& tenants_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dejima::ngsiv2

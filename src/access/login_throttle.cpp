#include "access/login_throttle.h"

#include <algorithm>

namespace dejima::access {

unsigned LoginThrottle::wait_locked(const std::string& key, Millis now) {
  auto it = counts_.find(key);
  if (it == counts_.end()) return 0;
  if (now - it->second.since >= kWindowMs) {
    counts_.erase(it);
    return 0;
  }
  if (it->second.failures < kMaxFailures) return 0;
  return static_cast<unsigned>((it->second.since + kWindowMs - now + 999) / 1000);
}

void LoginThrottle::count_locked(const std::string& key, Millis now) {
  if (counts_.size() >= 10000) counts_.clear();
  Count& c = counts_[key];
  if (c.failures == 0 || now - c.since >= kWindowMs) c = {0, now};
  ++c.failures;
}

unsigned LoginThrottle::wait(const std::string& address, const std::string& name, Millis now) {
  std::lock_guard lock(mu_);
  return std::max(wait_locked("a:" + address, now), wait_locked("u:" + name, now));
}

void LoginThrottle::failed(const std::string& address, const std::string& name, Millis now) {
  std::lock_guard lock(mu_);
  count_locked("a:" + address, now);
  count_locked("u:" + name, now);
}

void LoginThrottle::succeeded(const std::string& name) {
  std::lock_guard lock(mu_);
  counts_.erase("u:" + name);
}

}  // namespace dejima::access

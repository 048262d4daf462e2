// Slows password guessing: after 5 failed logins within 15 minutes, from one address or for one
// user name, logins from that address or for that name are refused (429, Retry-After) until the
// 15 minutes since the first of those failures have passed. A success clears the name's count.
// In memory (a restart forgets it); at most 10,000 addresses and names are tracked.
#pragma once
#include <map>
#include <mutex>
#include <string>

#include "util/time.h"

namespace dejima::access {

class LoginThrottle {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr Millis kWindowMs = 15 * 60 * 1000;

  // Seconds to wait before trying again (0: go ahead).
  unsigned wait(const std::string& address, const std::string& name, Millis now);
  void failed(const std::string& address, const std::string& name, Millis now);
  void succeeded(const std::string& name);

 private:
  struct Count {
    int failures = 0;
    Millis since = 0;
  };
  unsigned wait_locked(const std::string& key, Millis now);
  void count_locked(const std::string& key, Millis now);
  std::mutex mu_;
  std::map<std::string, Count> counts_;  // "a:<address>" and "u:<name>"
};

}  // namespace dejima::access

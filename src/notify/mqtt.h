// MQTT publishing for notifications (clause 5.8 "MQTT binding"): one libmosquitto client per
// broker (scheme, host, port, user), connected on first use, with its own network thread.
// mqtts:// connects with TLS (default port 8883), verifying the broker's certificate and name.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dejima::notify {

class Mqtt {
 public:
  // `ca_file`: PEM certificate authorities for mqtts:// ("" = the system's).
  explicit Mqtt(std::string ca_file = "");
  ~Mqtt();
  // Publishes to mqtt(s)://[user:pass@]host[:port]/topic (`user` and `password`, when given, log
  // in instead of the URI's); returns an empty string on success, else the reason (which never
  // shows a password). QoS 1 and 2 are handed to the client library, which retries until
  // acknowledged.
  std::string publish(const std::string& uri, const std::string& payload, int qos, bool retain = false,
                      const std::string& user = "", const std::string& password = "");

 private:
  struct Client;
  std::string ca_file_;
  std::mutex mu_;
  // "scheme://host:port/user" and a hash of the password -> client: a login is never shared with
  // a caller that does not know its password.
  std::unordered_map<std::string, std::unique_ptr<Client>> clients_;
};

}  // namespace dejima::notify

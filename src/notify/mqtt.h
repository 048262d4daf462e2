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
  // Publishes to mqtt(s)://[user:pass@]host[:port]/topic; returns an empty string on success,
  // else the reason. QoS 1 and 2 are handed to the client library, which retries until acknowledged.
  std::string publish(const std::string& uri, const std::string& payload, int qos, bool retain = false);

 private:
  struct Client;
  std::string ca_file_;
  std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Client>> clients_;  // "host:port" -> client
};

}  // namespace dejima::notify

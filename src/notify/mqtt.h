// MQTT publishing for notifications (clause 5.8 "MQTT binding"): one libmosquitto client per
// broker host:port, connected on first use, with its own network thread.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dejima::notify {

class Mqtt {
 public:
  Mqtt();
  ~Mqtt();
  // Publishes to mqtt://[user:pass@]host[:port]/topic; returns an empty string on success, else
  // the reason. QoS 1 and 2 are handed to the client library, which retries until acknowledged.
  std::string publish(const std::string& uri, const std::string& payload, int qos);

 private:
  struct Client;
  std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Client>> clients_;  // "host:port" -> client
};

}  // namespace dejima::notify

// Delivers notifications off the request path. Messages wait in one FIFO per key (a
// subscription), so order is kept per subscription while a slow or dead endpoint holds up only
// its own queue. HTTP(S) goes through one libcurl multi handle (connections reused per host,
// at most `max_host_connections` each); MQTT through one libmosquitto client per broker.
// A failed delivery is retried with doubling back-off before it counts as failed; a queue that
// is full refuses new messages (the caller counts them as dropped).
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fetch/transfers.h"
#include "util/time.h"

namespace dejima::notify {

struct Message {
  std::string key;  // ordering and queue bound are per key
  std::string uri;  // http(s)://... or mqtt(s)://host:port/topic
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string method = "POST";  // HTTP
  int qos = 0;                  // MQTT
  bool retain = false;          // MQTT: the broker keeps it for later subscribers
  std::string user, password;   // MQTT: the broker's login (else the URI's user:password@, if any)
  int max_attempts = 0;         // 0: Options::max_attempts
  long timeout_ms = 0;          // 0: Options::timeout_ms
  bool any_status_ok = false;   // any HTTP answer is a delivery (NGSIv2), not only 2xx
  // Runs once, on the dispatcher thread: delivered, or failed after the last retry. `status` is
  // the HTTP status of the last answer (0: none).
  std::function<void(bool ok, long status, const std::string& reason)> outcome;
};

struct Options {
  size_t max_queue = 10000;       // per key
  int max_attempts = 4;           // first try + retries
  Millis first_backoff_ms = 200;  // doubles each retry
  long timeout_ms = 10000;        // per HTTP request
  long max_host_connections = 8;
  // PEM file of the certificate authorities that https:// and mqtts:// endpoints are verified
  // against; "" = the system's (/etc/ssl/certs).
  std::string ca_file;
};

class Mqtt;

class Dispatcher {
 public:
  // `transfers` carries the HTTP deliveries (libcurl's when none is given; tests pass a fake).
  explicit Dispatcher(Options o, std::unique_ptr<fetch::Transfers> transfers = nullptr);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Queues the message; false (and nothing queued) when the key's queue is full.
  bool submit(Message m);
  // Delivers what is queued (bounded by one timeout), then stops the thread.
  void stop();
  size_t queued() const;

 private:
  struct Pending {
    Message msg;
    int attempts = 0;
    Millis not_before = 0;
  };
  struct Queue {
    std::deque<Pending> items;
    bool busy = false;  // its head is being delivered or waits for a retry
  };
  void run();
  // Starts delivering the head of `key`'s queue (mu_ not held).
  void start(const std::string& key, Pending& p, const std::string& host);
  // The head of `key`'s queue was delivered (ok) or failed once.
  void finish(const std::string& key, bool ok, long status, const std::string& reason);
  // A delivery to `host` ended: the next key waiting for one of its connections may start.
  void release(const std::string& host);

  Options opt_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Queue> queues_;
  std::vector<std::string> ready_;                       // keys whose head can be started
  std::vector<std::pair<Millis, std::string>> retries_;  // (when, key), a min-heap
  size_t total_ = 0;
  bool stopping_ = false;
  std::unique_ptr<fetch::Transfers> transfers_;
  std::unique_ptr<Mqtt> mqtt_;
  // Loop-thread state: per host (scheme://authority) the transfers in flight and the keys
  // waiting for one of its connections. Holding transfers back here (rather than in curl's
  // pending list, which it rescans) keeps one host's backlog from slowing the others.
  struct Host {
    long in_flight = 0;
    std::deque<std::string> waiting;
  };
  std::unordered_map<std::string, Host> hosts_;
  std::thread thread_;
};

}  // namespace dejima::notify

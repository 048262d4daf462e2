// Asynchronous HTTP POSTs driven by one thread (the notification dispatcher's): start() any
// number, then poll() runs the completions of those that finished. An interface, so that the
// dispatcher's ordering and retries are tested against a fake (tests/unit/notify/).
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "fetch/http_get.h"

namespace dejima::fetch {

struct Post {
  std::string url;
  std::string method = "POST";  // sent with the body whatever it is (NGSIv2 custom notifications)
  Headers headers;              // a header with an empty value removes the one libcurl would add
  std::string body;
  long timeout_ms = 10000;
  std::string ca_file;  // PEM certificate authorities for https ("" = the system's)
};

// status: the HTTP status, or 0 with `error` saying why there was no response.
using PostDone = std::function<void(long status, const std::string& error)>;

class Transfers {
 public:
  virtual ~Transfers() = default;
  // The driving thread only. `done` runs later, inside poll(), on the same thread.
  virtual void start(Post post, PostDone done) = 0;
  // The driving thread only: advances the transfers and runs the completions of those that
  // finished; when none had, waits up to wait_ms for network activity or wake().
  virtual void poll(int wait_ms) = 0;
  // Any thread: ends the current or next poll()'s wait.
  virtual void wake() = 0;
  // Transfers still in flight when this is destroyed are abandoned: their `done` never runs.
};

// The version of the libcurl that carries requests ("7.88.1"), for User-Agent headers.
std::string libcurl_version();

// libcurl's multi interface: connections are reused per host, at most max_host_connections each.
std::unique_ptr<Transfers> curl_transfers(long max_host_connections);

}  // namespace dejima::fetch

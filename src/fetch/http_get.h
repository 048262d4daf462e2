// Every use of libcurl in Dejima: one blocking GET (remote @context documents, connector
// sources and the tables they need), one blocking request with a body (forwarding to context
// providers) and asynchronous POSTs driven by one thread (notifications, see transfers.h). Callers name their limits;
// errors are values.
#pragma once
#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "util/error.h"

namespace dejima::fetch {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Get {
  std::string url;  // http:// or https:// (redirects are followed, up to 5, to http(s) only)
  Headers headers;  // extra request headers (Accept, If-None-Match, ...)
  long timeout_ms = 60000;
  long connect_timeout_ms = 0;  // 0 = libcurl's default
  size_t max_bytes = size_t{1} << 30;
  bool decompress = false;                    // Accept-Encoding: every encoding libcurl knows
  std::string user_agent;                     // "" = none sent
  const std::atomic<bool>* cancel = nullptr;  // set to abort the transfer (checked about once a second)
};

// A request with a body (and its method): the same limits as a GET, no redirect followed.
struct Exchange : Get {
  std::string method = "POST";
  std::string body;
  std::vector<std::string> keep_headers;  // response headers to return in Response::headers
};

struct Response {
  long status = 0;
  std::string body;
  std::string etag, last_modified;  // response headers, "" when absent
  Headers headers;                  // those an Exchange asked to keep (names as asked)
};

// Any HTTP status is a Response; a failure to get one is an Error: PayloadTooLarge (more than
// max_bytes), ServiceUnavailable with title "Cancelled" (the cancel flag was set) or
// "Unreachable" (connection, TLS, timeout; detail says which), BadRequestData for a URL that is
// not http(s).
Result<Response> get(const Get& request);
// The same for a request with a body; the answer whatever its status, or the same errors.
Result<Response> exchange(const Exchange& request);

}  // namespace dejima::fetch

// Dejima's own view of an HTTP request and the response a handler produces. Handlers see only
// these types (never Beast's), so they can be unit-tested without a socket.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/access.h"

namespace dejima::http {

enum class Method { Get, Post, Put, Patch, Delete, Head, Options, Other };

struct Request {
  Method method = Method::Get;
  std::string_view target;                                 // raw request target, e.g. /ngsi-ld/v1/entities?type=X
  std::string_view path;                                   // target without the query
  std::vector<std::pair<std::string, std::string>> query;  // percent-decoded, in order
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
  std::string_view peer;  // the client's address
  Grant grant;            // what the router's gate admitted (everything when access control is off)

  // First header with this name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  // First query parameter with this name, or nullptr.
  const std::string* param(std::string_view name) const;
  // The tenant the headers name: NGSILD-Tenant, else Fiware-Service lower-cased (as Orion
  // does), else empty. Both APIs name the same tenants this way.
  std::string tenant_header() const;
};

// The far end of a streamed response (server-sent events): bytes written here go to the client
// after the head, in order, until either side closes. Thread-safe.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues bytes for the client; false once the connection is gone (the writer drops the sink).
  virtual bool write(std::string bytes) = 0;
  virtual bool closed() const = 0;
};

struct Response {
  unsigned status = 200;
  std::string content_type;  // empty = no body
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Whom the request acted for when the gate could not tell (a login names the user it tried);
  // not sent, read by the audit log.
  std::string actor;
  // When set, the body goes on after the head: the server sends the head without a
  // Content-Length, with Connection: close, then hands this function the sink of the connection
  // (on the connection's thread). `body` is ignored.
  std::function<void(std::shared_ptr<StreamSink>)> stream;
  // When set (and `stream` is not), the body is sent in pieces with the chunked transfer coding
  // (a download of any size in constant memory): the server calls it on the connection's thread
  // for the next piece each time the last one has been written, until it returns an empty
  // string. An exception it throws closes the connection without the last chunk, so the client
  // sees a truncated body, never a complete-looking one. `body` is ignored.
  std::function<std::string()> chunks;

  Response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// A response with a JSON body.
inline Response json_body(unsigned status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

// Completion callback: a handler calls it exactly once, now or later from another thread.
using Reply = std::function<void(Response&&)>;

bool iequals(std::string_view a, std::string_view b);
// The items of a comma-separated header value (Accept-Encoding, If-None-Match, ...) or list
// parameter, spaces around each trimmed, empty items left out.
std::vector<std::string_view> list_items(std::string_view value);
// Splits a query string into decoded pairs. Returns false on malformed percent-encoding or a
// decoded name or value that is not UTF-8.
bool parse_query(std::string_view query, std::vector<std::pair<std::string, std::string>>& out);

}  // namespace dejima::http

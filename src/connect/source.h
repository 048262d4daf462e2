// Reading a connector's source: a local path, file:// or http(s):// (libcurl). What the last
// run saw (ETag, Last-Modified, or a file's size and time) is sent back so that an unchanged
// source is skipped without being read again.
#pragma once
#include <atomic>
#include <string>

#include "util/error.h"
#include "util/json.h"

namespace dejima::connect {

struct SourceState {
  std::string etag, last_modified;  // as the server (or the file system) gave them
};

struct Fetched {
  std::string body;
  bool not_modified = false;  // the source is as it was at `previous`: body is empty
  SourceState state;
};

// Sources larger than this are refused: a run holds its source in memory.
constexpr size_t kMaxSourceBytes = size_t{1} << 30;

// Set when a run must stop (the server is stopping, the connector was deleted).
using Cancel = std::atomic<bool>;

// A failure to reach or read the source is ServiceUnavailable (network; also a transfer stopped
// by `cancel`) or BadRequestData (also a source of more than max_bytes).
Result<Fetched> fetch_source(const std::string& source, const SourceState& previous, long timeout_s = 60,
                             size_t max_bytes = kMaxSourceBytes, const Cancel* cancel = nullptr);

// A file a format needs beside its source (a station or area table): `name` in the source's
// folder (or URL path).
std::string beside(const std::string& source, const std::string& name);

// Fetches and parses a JSON object that a format needs; `what` names it in errors.
Result<json::Document> fetch_json_object(const std::string& where, const char* what);

}  // namespace dejima::connect

// A connector's format: turns the bytes of one source into NGSI-LD entities (normalized JSON,
// short names under the core @context) and rejected rows. Formats are modules behind this
// interface; the runner (connect/run.h) fetches, upserts, deletes and logs for all of them.
#pragma once
#include <atomic>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace dejima::connect {

// What a connector declaration says about converting its source.
struct Options {
  std::string type;                            // entity type (required)
  std::string id_prefix;                       // default "urn:ngsi-ld:<type>:"
  std::string encoding = "auto";               // auto | utf-8 | cp932
  std::map<std::string, std::string> columns;  // source column -> attribute ("" drops the column)
  std::vector<std::string> key;                // source columns whose values make the id
  std::map<std::string, std::string> params;   // a format's own parameters (e.g. amedas: stations)
  std::string source;  // where the bytes came from (set by the runner), for formats that need it
  // Set by the runner when the run must stop: formats that fetch more sources pass it on to
  // fetch_source and stop between sources.
  const std::atomic<bool>* cancel = nullptr;
  bool cancelled() const { return cancel && cancel->load(); }
};

// A row (or feature) that was not converted, and why.
struct Rejection {
  size_t line = 0;  // 1-based line (CSV) or feature number (GeoJSON)
  std::string reason;
  std::string row;  // the row as in the source (cut to 1,000 bytes)
  // The id the row's entity has, when the row has a key: that entity is left as it was (a run
  // that deletes missing entities does not delete it for one bad row).
  std::string id;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void entity(std::string json) = 0;
  virtual void reject(Rejection r) = 0;
  // Something the run log should say (detected encoding, unmapped columns, credit lines).
  virtual void note(std::string message) = 0;
  // `done` of `total` bytes (or parts) converted.
  virtual void progress(size_t done, size_t total) = 0;
  // A part of the source could not be read (a harvested resource that is gone): the run keeps
  // what it converted but deletes nothing, since it cannot tell what the source no longer has.
  virtual void incomplete(std::string reason) = 0;
};

class Format {
 public:
  virtual ~Format() = default;
  virtual std::string_view name() const = 0;
  // The start of entity ids when the declaration names none (the row's key follows).
  virtual std::string default_id_prefix(const std::string& type) const { return "urn:ngsi-ld:" + type + ":"; }
  // The entity types and id prefixes whose entities a run writes (`o.id_prefix` is resolved):
  // what deleteMissing deletes from and what two deleteMissing connectors may not share.
  // Most formats write one type under one prefix; GTFS writes several.
  struct Scope {
    std::string type, id_prefix;
  };
  virtual std::vector<Scope> scopes(const Options& o) const { return {{o.type, o.id_prefix}}; }
  // What is wrong with a declaration's options for this format ("" when nothing): checked when
  // a connector is declared, so that a bad one is a 400 rather than a failed run.
  virtual std::string invalid(const Options&) const { return ""; }
  // A source that cannot be read at all is an error; a bad row is a rejection and the rest go on.
  virtual Status convert(std::string_view bytes, const Options& o, Sink& sink) const = 0;
};

// A comma-separated parameter as a list ("84,85" -> {"84", "85"}); `fallback` when it is absent.
std::vector<std::string> param_list(const Options& o, const std::string& name, std::string_view fallback = "");
// Whether s starts with one of the prefixes (true when there are none: nothing is filtered).
bool starts_with_any(std::string_view s, const std::vector<std::string>& prefixes);

// A source row for a Rejection: cut to 1,000 bytes on a character boundary.
std::string cut_row(std::string_view row);

// "csv", "geojson", "amedas", "jmaxml", "gtfs", "ckan"; nullptr when unknown.
const Format* find_format(std::string_view name);
std::string format_names();  // for messages: "csv, geojson"

}  // namespace dejima::connect

// A connector's declaration: where its source is, how to convert it, where the entities go and
// when to run. Declared through the API (/dejima/v1/connectors) or the --connectors file, both
// with the JSON document of declaration_json().
#pragma once
#include <string>

#include "connect/format.h"
#include "connect/schedule.h"
#include "util/error.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::connect {

struct Declaration {
  std::string name;    // unique: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}
  std::string source;  // a path, file://, http:// or https:// URL
  std::string format;  // a format name (find_format): csv, geojson, ckan, ...
  std::string tenant;  // "" = the default tenant
  Options options;
  // Delete the entities of this type and id prefix that the source no longer has.
  bool delete_missing = false;
  // Keep the history of the entities this connector writes (temporal API); false for static
  // reference data whose every re-import would otherwise add instances nobody asks for.
  bool history = true;
  Schedule schedule;           // an interval or cron times; empty = only when asked
  std::string origin = "api";  // "api", "config" (the --connectors file) or "demo" (--demo)
};

// The prefix of the ids the connector gives its entities.
std::string id_prefix(const Declaration& d);
// The entity types and id prefixes the connector writes (Format::scopes).
std::vector<Format::Scope> scopes(const Declaration& d);

// The declaration in a JSON document; every wrong member is BadRequestData that names it.
Result<Declaration> parse_declaration(const json::Value& doc);
std::string declaration_json(const Declaration& d);

}  // namespace dejima::connect

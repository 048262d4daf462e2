// Every runtime setting of Dejima, declared once in a table (settings.cpp) that produces the
// command-line flags, the DEJIMA_* environment variables and the --help text.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "fetch/egress.h"
#include "util/error.h"

namespace dejima {

struct Settings {
  std::string bind = "127.0.0.1";
  unsigned port = 1026;
  std::string data_dir = "./dejima-data";
  unsigned threads = 0;  // 0 = one per core
  std::string log_level = "info";
  std::size_t max_body_bytes = 64 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  unsigned idle_timeout_s = 60;
  unsigned shutdown_grace_s = 30;
  std::string sync = "full";        // full: fsync every group commit; normal: survives kill -9, not power loss
  unsigned derive_max_lag_mb = 32;  // of write records whose documents and history may wait to be derived
  unsigned derive_delay_ms = 0;     // a test hook: the deriver waits this long before each batch
  unsigned context_fetch_timeout_ms = 5000;
  std::size_t max_context_bytes = 1024 * 1024;
  unsigned default_limit = 20;         // entities per page when a query gives no limit
  unsigned max_limit = 1000;           // larger limits are 403 TooManyResults
  unsigned notify_queue_max = 10000;   // notifications waiting per subscription; more are dropped and counted
  unsigned notify_attempts = 4;        // deliveries tried before a notification counts as failed
  unsigned notify_timeout_ms = 10000;  // per HTTP notification
  unsigned forward_timeout_ms = 5000;  // per request to a context provider (Orion's -httpTimeout)
  unsigned forward_threads = 8;        // threads waiting on context providers
  unsigned expiry_interval_s = 60;     // how often entities past their NGSIv2 dateExpires are deleted
  std::string notify_ca_file;          // PEM CAs for https/mqtts endpoints ("" = the system's)
  // Destinations Dejima may connect to for a client's URL (fetch/egress.h): networks and hosts.
  std::string egress_deny{fetch::kDefaultEgressDeny};
  std::string egress_allow{fetch::kDefaultEgressAllow};  // "" = every destination not denied
  // History retention, "DEFAULT[,TENANT=VALUE...]" (see per_tenant); "none" keeps everything.
  std::string history_max_age = "none";    // ISO 8601 duration, e.g. P90D
  std::string history_max_count = "none";  // instances kept per attribute of an entity
  unsigned history_retention_interval_s = 60;
  unsigned temporal_max_instances = 1000;   // per attribute in one temporal response (206 beyond)
  std::string time_zone = "Asia/Tokyo";     // of connectors' cron schedules (the process's TZ)
  std::string connectors_file;              // connector declarations applied at start
  std::string auth = "on";                  // off: no access control (local development, conformance runs)
  std::string bootstrap_operator_key;       // the operator's API key at the first start ("" = generate one)
  std::string bootstrap_operator_password;  // creates the user "operator" at the first start ("" = none)
  unsigned session_hours = 8;               // a login's session lasts this long
  unsigned cost_maintenance = 10000;        // 維持管理経費 per year, 千円 (cost shares)
  unsigned cost_api_development = 10000;    // API開発等経費 per year, 千円
  unsigned cost_usage_weight = 0;           // % of API開発等経費 split by measured usage (利用按分)
  bool demo = false;                        // declare the demo connectors
  std::string public_url;                   // where clients reach Dejima, for the catalog's links ("" = Host)
  std::string web_root = DEJIMA_WEB_ROOT;   // the built web app ("" = none)
  std::string map_style;                    // base map style URL ("" = boundaries only)
  std::string boundaries;                   // N03 GeoJSON ("" = the demo data's, if any)
  std::string demo_data;                    // local copies of the demo sources ("" = official URLs)
  // OpenID Connect: bearer tokens of oidc_issuer ("" = none) for oidc_audience, signed with a key of
  // the JWKS at oidc_jwks_url ("" = the issuer's discovery document's); roles in the claim at the
  // dotted path oidc_roles_claim.
  std::string oidc_issuer;
  std::string oidc_audience = "dejima";
  std::string oidc_jwks_url;
  std::string oidc_roles_claim = "dejima_roles";
};

// The value a "DEFAULT[,TENANT=VALUE...]" setting gives a tenant ("" = the default tenant).
std::string per_tenant(const std::string& setting, const std::string& tenant);

// Applies environment variables, then flags (flags win). Unknown flags are errors.
Result<Settings> load_settings(const std::vector<std::string>& args, char** envp);
std::string settings_help();

}  // namespace dejima

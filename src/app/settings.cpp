#include "app/settings.h"

#include <charconv>
#include <cstring>
#include <filesystem>
#include <functional>

#include <fmt/format.h>

#include "fetch/egress.h"
#include "temporal/duration.h"

namespace dejima {
namespace {

using Setter = std::function<bool(Settings&, const std::string&)>;

struct SettingDef {
  const char* name;  // flag --name, environment DEJIMA_NAME (upper case, '-' -> '_')
  const char* help;
  std::function<std::string(const Settings&)> show;
  Setter set;
  bool is_switch = false;  // `--name` alone means true
};

template <class T>
bool parse_uint(const std::string& v, T& out, T min, T max) {
  unsigned long long x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size() || x < min || x > max) return false;
  out = static_cast<T>(x);
  return true;
}

// Every item of a "DEFAULT[,TENANT=VALUE...]" setting passes `valid`.
template <class Valid>
bool valid_per_tenant(const std::string& v, Valid valid) {
  size_t start = 0;
  for (bool first = true;; first = false) {
    const size_t comma = v.find(',', start);
    std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t eq = item.find('=');
    if (first == (eq != std::string::npos)) return false;  // the default first, then TENANT=VALUE
    if (!valid(eq == std::string::npos ? item : item.substr(eq + 1))) return false;
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

bool valid_age(const std::string& v) {
  auto d = temporal::parse_duration(v);
  return v == "none" || (d && !d->zero());
}

bool valid_count(const std::string& v) {
  unsigned long long n = 0;
  return v == "none" || parse_uint(v, n, 1ULL, 1ULL << 40);
}

#define STR_SETTING(field, name, help, check)                                                      \
  SettingDef {                                                                                     \
    name, help, [](const Settings& s) { return s.field; }, [](Settings& s, const std::string& v) { \
      if (!(check)) return false;                                                                  \
      s.field = v;                                                                                 \
      return true;                                                                                 \
    }                                                                                              \
  }
#define UINT_SETTING(field, name, help, lo, hi)                                                                    \
  SettingDef {                                                                                                     \
    name, help, [](const Settings& s) { return std::to_string(s.field); }, [](Settings& s, const std::string& v) { \
      return parse_uint(v, s.field, decltype(s.field)(lo), decltype(s.field)(hi));                                 \
    }                                                                                                              \
  }

#define BOOL_SETTING(field, name, help)                                                    \
  SettingDef {                                                                             \
    name, help, [](const Settings& s) { return std::string(s.field ? "true" : "false"); }, \
        [](Settings& s, const std::string& v) {                                            \
      if (v != "true" && v != "false" && v != "1" && v != "0") return false;               \
      s.field = v == "true" || v == "1";                                                   \
      return true;                                                                         \
    },                                                                                     \
        true                                                                               \
  }

const std::vector<SettingDef>& table() {
  static const std::vector<SettingDef> defs = {
      STR_SETTING(bind, "bind", "address to listen on", !v.empty()),
      UINT_SETTING(port, "port", "TCP port (0 = any free port, printed at start)", 0, 65535),
      STR_SETTING(data_dir, "data-dir", "directory of the per-tenant database files", !v.empty()),
      UINT_SETTING(threads, "threads", "HTTP worker threads (0 = one per core)", 0, 256),
      STR_SETTING(log_level, "log-level", "trace|debug|info|warn|error|off",
                  v == "trace" || v == "debug" || v == "info" || v == "warn" || v == "error" || v == "off"),
      UINT_SETTING(max_body_bytes, "max-body-bytes", "largest accepted request body", 1024, std::size_t{1} << 34),
      UINT_SETTING(max_header_bytes, "max-header-bytes", "largest accepted request header block", 1024, 1024 * 1024),
      UINT_SETTING(idle_timeout_s, "idle-timeout", "seconds a connection may stay idle or slow", 1, 86400),
      UINT_SETTING(shutdown_grace_s, "shutdown-grace", "seconds SIGTERM waits for in-flight requests", 0, 3600),
      STR_SETTING(sync, "sync", "full: fsync each group commit | normal: survive process crash only",
                  v == "full" || v == "normal"),
      UINT_SETTING(derive_max_lag_mb, "derive-max-lag-mb",
                   "megabytes of acknowledged writes whose entity documents and history may wait to be derived; "
                   "writers wait beyond",
                   1, 4096),
      UINT_SETTING(derive_delay_ms, "derive-delay-ms",
                   "for tests: milliseconds the deriver waits before each batch (0 in production)", 0, 60000),
      UINT_SETTING(context_fetch_timeout_ms, "context-fetch-timeout-ms", "timeout for fetching a remote @context", 100,
                   600000),
      UINT_SETTING(max_context_bytes, "max-context-bytes", "largest remote @context accepted", 1024, 64 * 1024 * 1024),
      UINT_SETTING(default_limit, "default-limit", "entities per query page when no limit is given", 1, 1000000),
      UINT_SETTING(max_limit, "max-limit", "largest limit a query may ask for (403 TooManyResults above)", 1, 1000000),
      UINT_SETTING(notify_queue_max, "notify-queue-max",
                   "notifications a subscription may have waiting; beyond, new ones are dropped and counted", 1,
                   10000000),
      UINT_SETTING(notify_attempts, "notify-attempts", "deliveries tried (with doubling back-off) per notification", 1,
                   20),
      UINT_SETTING(notify_timeout_ms, "notify-timeout-ms", "timeout of one HTTP notification", 100, 600000),
      UINT_SETTING(forward_timeout_ms, "forward-timeout-ms", "timeout of one request to a registered context provider",
                   100, 600000),
      UINT_SETTING(forward_threads, "forward-threads",
                   "threads that wait on context providers (a read that needs one is answered from them)", 1, 256),
      UINT_SETTING(expiry_interval_s, "expiry-interval-s",
                   "how often entities whose NGSIv2 dateExpires has passed are deleted (Orion: 60 s)", 1, 86400),
      STR_SETTING(notify_ca_file, "notify-ca-file",
                  "PEM file of the certificate authorities trusted for https:// and mqtts:// notification endpoints "
                  "(empty = the system's)",
                  v.empty() || std::filesystem::is_regular_file(v)),
      STR_SETTING(egress_deny, "egress-deny",
                  "networks (a.b.c.d/n, x::y/n) and host names (.suffix for a domain) that remote @contexts, "
                  "notification endpoints and connector sources may not reach; none = no limit",
                  fetch::EgressPolicy::parse(v, "").has_value()),
      STR_SETTING(egress_allow, "egress-allow",
                  "when given, the only networks and host names they may reach (empty = all not denied)",
                  fetch::EgressPolicy::parse("", v).has_value()),
      STR_SETTING(history_max_age, "history-max-age",
                  "history kept: ISO 8601 duration or none; per tenant: P90D,tenantA=P7D",
                  valid_per_tenant(v, valid_age)),
      STR_SETTING(history_max_count, "history-max-count",
                  "instances kept per attribute of an entity, or none; per tenant: none,tenantA=1000",
                  valid_per_tenant(v, valid_count)),
      UINT_SETTING(history_retention_interval_s, "history-retention-interval",
                   "seconds between two passes of the history retention", 1, 86400),
      UINT_SETTING(temporal_max_instances, "temporal-max-instances",
                   "instances per attribute in one temporal response (206 with Content-Range beyond)", 1, 10000000),
      STR_SETTING(
          time_zone, "time-zone", "time zone of connectors' cron schedules and of the log's times (an IANA name)",
          v == "UTC" ||
              (v.find("..") == std::string::npos && std::filesystem::is_regular_file("/usr/share/zoneinfo/" + v))),
      STR_SETTING(connectors_file, "connectors",
                  "JSON file with an array of connector declarations, declared at start (empty = none)", true),
      STR_SETTING(auth, "auth",
                  "on|off: access control (API keys, the tenant registry, public types); off only for local "
                  "development and conformance runs",
                  v == "on" || v == "off"),
      STR_SETTING(bootstrap_operator_key, "bootstrap-operator-key",
                  "the operator's API key, taken at the first start (at least 16 characters); empty = a generated "
                  "one, printed once and written to <data-dir>/operator-key (0600)",
                  v.empty() || v.size() >= 16),
      STR_SETTING(bootstrap_operator_password, "bootstrap-operator-password",
                  "when given at a start where no operator user exists, creates the user \"operator\" (operator "
                  "role) with this password (10 to 1024 bytes)",
                  v.empty() || (v.size() >= 10 && v.size() <= 1024)),
      UINT_SETTING(session_hours, "session-hours", "hours a login's session (cookie or bearer token) lasts", 1, 720),
      STR_SETTING(oidc_issuer, "oidc-issuer",
                  "the OpenID Connect issuer whose bearer tokens (JWT, RS256/ES256) are accepted, e.g. "
                  "https://sso.example.jp/realms/nagasaki; empty = none",
                  v.empty() || v.starts_with("http://") || v.starts_with("https://")),
      STR_SETTING(oidc_audience, "oidc-audience", "the audience (\"aud\") an OpenID Connect token must name",
                  !v.empty()),
      STR_SETTING(oidc_jwks_url, "oidc-jwks-url",
                  "where the issuer's signing keys (JWKS) are; empty = the jwks_uri of "
                  "<issuer>/.well-known/openid-configuration",
                  v.empty() || v.starts_with("http://") || v.starts_with("https://")),
      STR_SETTING(oidc_roles_claim, "oidc-roles-claim",
                  "the claim holding a token's roles (\"operator\", \"<tenant>:<admin|editor|viewer>\"), a dotted "
                  "path such as realm_access.roles",
                  !v.empty() && !v.starts_with('.') && !v.ends_with('.') && v.find("..") == std::string::npos),
      UINT_SETTING(cost_maintenance, "cost-maintenance",
                   "the platform's yearly maintenance cost (維持管理経費) in 千円, split by /dejima/v1/cost-shares", 0,
                   100000000),
      UINT_SETTING(cost_api_development, "cost-api-development",
                   "the yearly API development and support cost (API開発等経費) in 千円", 0, 100000000),
      UINT_SETTING(cost_usage_weight, "cost-usage-weight",
                   "percent of the API development cost the cities and towns split by their measured requests "
                   "(利用按分) instead of population",
                   0, 100),
      STR_SETTING(public_url, "public-url",
                  "the address clients reach Dejima at (e.g. https://data.example.jp), for the links the data catalog "
                  "publishes (CKAN resources, DCAT); \"\" = http:// and the Host header of each request",
                  v.empty() || v.starts_with("http://") || v.starts_with("https://")),
      STR_SETTING(web_root, "web-root",
                  "directory of the built web app, served at / (\"\" = none); built by scripts/start.sh into web/dist",
                  true),
      STR_SETTING(map_style, "map-style",
                  "URL of a MapLibre style for the web app's base map (e.g. GSI vector tiles); \"\" = the municipal "
                  "boundaries alone, with no network",
                  true),
      STR_SETTING(boundaries, "boundaries",
                  "GeoJSON of the municipal boundaries the map draws (国土数値情報 N03); \"\" = "
                  "<demo-data>/boundaries/N03-21_42_210101.json when --demo-data is given",
                  true),
      BOOL_SETTING(demo, "demo", "declare the demo connectors (Nagasaki's shelters, AMeDAS weather, tourist sites)"),
      STR_SETTING(demo_data, "demo-data",
                  "directory with local copies of the demo sources (like ../shared/data); empty = official URLs", true),
  };
  return defs;
}

std::string env_name(const char* name) {
  std::string e = "DEJIMA_";
  for (const char* p = name; *p; ++p) e += *p == '-' ? '_' : static_cast<char>(std::toupper(*p));
  return e;
}

}  // namespace

std::string per_tenant(const std::string& setting, const std::string& tenant) {
  std::string value;
  size_t start = 0;
  for (;;) {
    const size_t comma = setting.find(',', start);
    std::string item = setting.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t eq = item.find('=');
    if (eq == std::string::npos)
      value = item;
    else if (item.substr(0, eq) == tenant)
      return item.substr(eq + 1);
    if (comma == std::string::npos) return value;
    start = comma + 1;
  }
}

Result<Settings> load_settings(const std::vector<std::string>& args, char** envp) {
  Settings s;
  for (const auto& def : table()) {
    const std::string env = env_name(def.name) + "=";
    for (char** e = envp; e && *e; ++e) {
      if (std::strncmp(*e, env.c_str(), env.size()) == 0) {
        std::string v = *e + env.size();
        if (!def.set(s, v))
          return fail(ErrorKind::BadRequestData, "invalid setting",
                      fmt::format("{}={} is not valid ({})", env_name(def.name), v, def.help));
      }
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) return fail(ErrorKind::BadRequestData, "unexpected argument", a);
    std::string key = a.substr(2), value;
    const auto eq = key.find('=');
    if (eq != std::string::npos) key.resize(eq);
    const SettingDef* def = nullptr;
    for (const auto& d : table())
      if (key == d.name) def = &d;
    if (!def) return fail(ErrorKind::BadRequestData, "unknown flag", "--" + key);
    if (eq != std::string::npos) {
      value = a.substr(2 + eq + 1);
    } else if (def->is_switch && (i + 1 == args.size() || args[i + 1].starts_with("--"))) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return fail(ErrorKind::BadRequestData, "missing value", "--" + key + " needs a value");
    }
    if (!def->set(s, value))
      return fail(ErrorKind::BadRequestData, "invalid setting",
                  fmt::format("--{} {} is not valid ({})", key, value, def->help));
  }
  return s;
}

std::string settings_help() {
  std::string out;
  Settings defaults;
  for (const auto& def : table())
    out +=
        fmt::format("  --{:<26} {:<32} {} (default: {})\n", def.name, env_name(def.name), def.help, def.show(defaults));
  return out;
}

}  // namespace dejima

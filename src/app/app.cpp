#include "app/app.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "access/gate.h"
#include "access/oidc.h"
#include "app/demo.h"
#include "broker/tenant.h"
#include "catalog/catalog.h"
#include "catalog/route_docs.h"
#include "catalog/routes.h"
#include "connect/connectors.h"
#include "federation/forwarder.h"
#include "federation/registry.h"
#include "fetch/egress.h"
#include "http/openapi.h"
#include "http/problem.h"
#include "http/router.h"
#include "http/server.h"
#include "jsonld/registry.h"
#include "manage/access_handlers.h"
#include "manage/connector_handlers.h"
#include "manage/cost_share_handlers.h"
#include "manage/route_docs.h"
#include "manage/usage_handlers.h"
#include "manage/user_handlers.h"
#include "model/codec.h"
#include "ngsild/batch_handlers.h"
#include "ngsild/context_handlers.h"
#include "ngsild/csource_handlers.h"
#include "ngsild/csource_registration.h"
#include "ngsild/csource_subscription.h"
#include "ngsild/entity_handlers.h"
#include "ngsild/query_handlers.h"
#include "ngsild/route_docs.h"
#include "ngsild/subscription_handlers.h"
#include "ngsild/temporal_handlers.h"
#include "ngsiv2/admin_handlers.h"
#include "ngsiv2/batch_handlers.h"
#include "ngsiv2/entity_handlers.h"
#include "ngsiv2/expiry.h"
#include "ngsiv2/notification.h"
#include "ngsiv2/query_handlers.h"
#include "ngsiv2/registration.h"
#include "ngsiv2/registration_handlers.h"
#include "ngsiv2/request_context.h"
#include "ngsiv2/route_docs.h"
#include "ngsiv2/subscription_handlers.h"
#include "notify/dispatcher.h"
#include "site/boundaries.h"
#include "site/route_docs.h"
#include "site/site_handlers.h"
#include "store/sqlite/sqlite_storage.h"
#include "subscription/manager.h"
#include "temporal/duration.h"
#include "util/uri.h"

namespace dejima {
namespace {

void add_system_routes(http::Router& r, broker::Tenants& tenants) {
  using Params = std::vector<std::string>;
  // "derive": how far the entity documents and the history are behind the acknowledged writes
  // (every tenant's records not yet derived, their bytes, the oldest one's age; the largest
  // back-log one tenant has held since the start).
  r.add(http::Method::Get, "/health", {http::Need::Open},
        [&tenants](const http::Request&, const Params&, http::Reply reply) {
    store::Lag sum;
    for (const auto& name : tenants.names())
      if (auto t = tenants.find(name)) {
        const store::Lag l = (*t)->lag();
        sum.records += l.records;
        sum.bytes += l.bytes;
        sum.derived += l.derived;
        sum.most_bytes = std::max(sum.most_bytes, l.most_bytes);
        sum.oldest_ms = std::max(sum.oldest_ms, l.oldest_ms);
      }
    http::Response resp;
    resp.content_type = "application/json";
    resp.body = fmt::format(
        R"({{"status":"ok","derive":{{"records":{},"bytes":{},"seconds":{:.3f},"derived":{},"mostBytes":{}}}}})",
        sum.records, sum.bytes, static_cast<double>(sum.oldest_ms) / 1000.0, sum.derived, sum.most_bytes);
    reply(std::move(resp));
  });
  // Dejima's own fields, and an "orion" member in FIWARE Orion's shape for NGSIv2 clients that
  // probe it (the Orion version whose behaviour /v2 follows).
  r.add(http::Method::Get, "/version", {http::Need::Open},
        [started = std::chrono::steady_clock::now()](const http::Request&, const Params&, http::Reply reply) {
    const auto up =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
    const std::string uptime = fmt::format("{} d, {} h, {} m, {} s", up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
    http::Response resp;
    resp.content_type = "application/json";
    resp.body = R"({"name":"dejima","version":")" DEJIMA_VERSION R"(","ngsi-ld":"1.8.1","orion":{"version":")" +
                std::string(ngsiv2::kOrionVersion) + R"(","uptime":")" + uptime +
                R"(","git_hash":"dejima-)" DEJIMA_VERSION R"(","compile_time":")" __DATE__
                R"(","compiled_by":"dejima","compiled_in":"dejima","release_date":")" __DATE__
                R"(","machine":"x86_64","doc":"https://fiware-orion.rtfd.io/","libversions":{}}})";
    reply(std::move(resp));
  });
}

// GET /dejima/v1/routes: every route with the permission it declares (added last, so that it
// lists all of them; the access tests walk it).
// The web app's files, its map layers and its live stream; what is missing is said once.
site::Site web_app(const Settings& settings, const access::Directory& directory, site::LiveHub& live) {
  site::Site site{.map_style = settings.map_style, .live = &live};
  if (settings.web_root.empty()) {
    site.files_error = "no --web-root";
  } else if (auto files = site::StaticFiles::load(settings.web_root); !files) {
    site.files_error = files.error().detail;
    spdlog::warn("web app: {} ({}); / answers 404 until it is built", files.error().title, files.error().detail);
  } else {
    spdlog::info("web app: {} files, {} KiB ({} KiB gzipped) from {}", files->size(), files->bytes() / 1024,
                 files->gzipped_bytes() / 1024, settings.web_root);
    site.files = std::move(*files);
  }
  std::string file = settings.boundaries;
  if (file.empty() && !settings.demo_data.empty())
    file = (std::filesystem::path(settings.demo_data) / "boundaries" / "N03-21_42_210101.json").string();
  if (file.empty()) {
    site.boundaries_error = "no --boundaries file";
    return site;
  }
  std::vector<site::Municipality> members;
  for (const auto& t : directory.tenants())
    if (!t.code.empty()) members.push_back({t.code, t.name, t.name_ja, t.name_en});
  if (auto layer = site::load_boundaries(file, members); !layer) {
    site.boundaries_error = layer.error().detail;
    spdlog::warn("map: {}: {}", layer.error().title, layer.error().detail);
  } else {
    site.boundaries = std::move(*layer);
  }
  return site;
}

// What the routes of this file do, for /openapi.json.
http::ApiDocs app_route_docs() {
  using M = http::Method;
  return {
      {
          {M::Get, "/health", "Liveness, and how far the derived state is behind the writes", "System", 200, "", "Any"},
          {M::Get, "/version", "The version (Orion's form)", "System", 200, "", "Any"},
          {M::Get, "/dejima/v1/routes", "Every route and the permission it declares", "System", 200, "", "Any"},
          {M::Get, "/openapi.json", "This document (OpenAPI 3.1)", "System", 200, "", "Any"},
      },
      {}};
}

// GET /openapi.json: the API's description, from the router's routes and each module's docs.
void add_openapi_route(http::Router& r) {
  r.add(http::Method::Get, "/openapi.json", {http::Need::Open},
        [&r](const http::Request&, const std::vector<std::string>&, http::Reply reply) {
    static const std::vector<http::ApiDocs> docs = {app_route_docs(),     ngsild::route_docs(), ngsiv2::route_docs(),
                                                    manage::route_docs(), site::route_docs(),   catalog::route_docs()};
    reply(http::json_body(
        200, http::openapi_json(r.routes(), docs,
                                {.title = "Dejima",
                                 .version = DEJIMA_VERSION,
                                 .description = "都市OS Dejima: NGSI-LD (ETSI GS CIM 009) and NGSIv2 (Orion) context "
                                                "brokering, the temporal API, connectors, access control and the data "
                                                "catalog (CKAN Action API, DCAT-AP)."})));
  });
}

void add_route_list(http::Router& r) {
  using Params = std::vector<std::string>;
  r.add(http::Method::Get, "/dejima/v1/routes", {http::Need::Operator},
        [&r](const http::Request&, const Params&, http::Reply reply) {
    reply(http::json_body(200, json::written([&](json::Writer& w) {
                            w.StartArray();
                            for (const auto& route : r.routes()) {
                              w.StartObject();
                              w.Key("method");
                              json::write_string(w, http::method_name(route.method));
                              w.Key("path");
                              json::write_string(w, route.pattern);
                              w.Key("need");
                              json::write_string(w, http::need_name(route.permission.need));
                              w.Key("tenant");
                              json::write_string(w, route.permission.tenant == http::TenantFrom::Path    ? "path"
                                                    : route.permission.tenant == http::TenantFrom::Query ? "query"
                                                                                                         : "header");
                              w.EndObject();
                            }
                            w.EndArray();
                          })));
  });
}

// Declares `d` unless it is declared as it is (a restart keeps its source state and schedule).
Status declare_if_changed(connect::Declaration d, connect::Connectors& connectors) {
  auto current = connectors.find(d.name);
  if (current && connect::declaration_json(*current) == connect::declaration_json(d)) return {};
  if (auto s = connectors.declare(std::move(d)); !s) return std::unexpected(s.error());
  return {};
}

// Declares the connectors of the --connectors file (a JSON array of declarations).
Status declare_from_file(const std::string& path, connect::Connectors& connectors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::BadRequestData, "cannot read the connectors file", path);
  std::stringstream text;
  text << in.rdbuf();
  json::Document doc;
  if (auto err = json::parse(doc, text.str()); !err.empty())
    return fail(ErrorKind::BadRequestData, "the connectors file is not JSON", path + ": " + err);
  if (!doc.IsArray()) return fail(ErrorKind::BadRequestData, "the connectors file must hold an array", path);
  for (auto& item : doc.GetArray()) {
    if (item.IsObject()) item.RemoveMember("origin");
    auto d = connect::parse_declaration(item);
    if (!d) return fail(ErrorKind::BadRequestData, "invalid connector in " + path, d.error().detail);
    d->origin = "config";
    if (auto s = declare_if_changed(std::move(*d), connectors); !s) return s;
  }
  return {};
}

// The first start: the demo's registry (with --demo), the operator's user (with
// --bootstrap-operator-password, while no operator user exists) and the operator's key (the
// bootstrap setting's, else a generated one that is shown once and kept in a 0600 file).
Status bootstrap_access(const Settings& settings, access::Directory& directory, access::Users& users) {
  if (settings.demo && directory.registry_empty())
    for (auto& t : demo_tenants(settings.demo_data))
      if (auto s = directory.put_tenant(std::move(t)); !s) return s;
  const auto all = users.list();
  if (!settings.bootstrap_operator_password.empty() &&
      std::none_of(all.begin(), all.end(), [](const auto& u) { return u->operator_role; })) {
    if (users.find("operator"))
      return fail(ErrorKind::AlreadyExists, "cannot create the operator user", "a user named operator exists");
    if (auto s = access::check_password(settings.bootstrap_operator_password); !s) return s;
    auto hash = access::hash_password(settings.bootstrap_operator_password);
    if (!hash) return std::unexpected(hash.error());
    const Millis now = now_millis();
    if (auto s = users.put({.name = "operator",
                            .display_name = "Platform operator",
                            .password_hash = std::move(*hash),
                            .operator_role = true,
                            .created_at = now,
                            .modified_at = now});
        !s)
      return s;
    spdlog::info("created the user operator (operator role) from --bootstrap-operator-password");
  }
  if (directory.has_operator_key()) return {};
  auto key = directory.issue_operator_key(settings.bootstrap_operator_key);
  if (!key) return std::unexpected(key.error());
  if (!settings.bootstrap_operator_key.empty()) return {};
  const auto file = std::filesystem::path(settings.data_dir) / "operator-key";
  const std::string line = key->text + "\n";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);  // never readable by others
  const bool written = fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  if (fd >= 0) ::close(fd);
  if (!written) return fail(ErrorKind::InternalError, "cannot write the operator key", file.string());
  spdlog::warn("the operator's API key (shown once, also in {}): {}", file.string(), key->text);
  return {};
}

}  // namespace

Result<OpenData> open_data(const Settings& settings) {
  OpenData d;
  auto storage = store::open_sqlite_storage(
      settings.data_dir,
      store::StorageOptions{.full_sync = settings.sync == "full",
                            .merge = model::apply_delta,
                            .max_lag_bytes = static_cast<long long>(settings.derive_max_lag_mb) << 20,
                            .derive_delay = std::chrono::milliseconds(settings.derive_delay_ms)});
  if (!storage) return std::unexpected(storage.error());
  d.storage = std::move(*storage);
  d.tenants = std::make_unique<broker::Tenants>(*d.storage, [&settings](const std::string& tenant) {
    store::Retention r;
    const std::string age = per_tenant(settings.history_max_age, tenant);
    const std::string count = per_tenant(settings.history_max_count, tenant);
    if (auto dur = temporal::parse_duration(age)) r.max_age = temporal::add(0, *dur);
    if (count != "none") r.max_count = std::stoll(count);
    r.interval = std::chrono::seconds(settings.history_retention_interval_s);
    return r;
  });
  if (auto s = d.tenants->load_all(); !s) return fail(s.error().kind, "cannot load data", s.error().detail);
  if (auto t = d.tenants->find_or_create(""); !t)
    return fail(t.error().kind, "cannot open the default tenant", t.error().detail);
  return d;
}

int serve(const Settings& settings) {
  ::setenv("TZ", settings.time_zone.c_str(), 1);  // before any thread: cron schedules use local time
  ::tzset();
  fetch::set_egress_policy(*fetch::EgressPolicy::parse(settings.egress_deny, settings.egress_allow));
  if (settings.time_zone != "UTC" && !std::filesystem::is_regular_file("/usr/share/zoneinfo/" + settings.time_zone))
    spdlog::warn("time zone {} is unknown here (is tzdata installed?): cron schedules run in UTC", settings.time_zone);
  auto data = open_data(settings);
  if (!data) {
    spdlog::critical("{}: {}", data.error().title, data.error().detail);
    return 1;
  }
  store::Storage& storage = *data->storage;
  broker::Tenants& tenants = *data->tenants;
  jsonld::Registry contexts(storage, settings.context_fetch_timeout_ms, settings.max_context_bytes);
  if (auto s = contexts.load(); !s) {
    spdlog::critical("cannot load @contexts: {}", s.error().detail);
    return 1;
  }

  notify::Dispatcher dispatcher(notify::Options{.max_queue = settings.notify_queue_max,
                                                .max_attempts = static_cast<int>(settings.notify_attempts),
                                                .timeout_ms = settings.notify_timeout_ms,
                                                .ca_file = settings.notify_ca_file});
  // The registrations first: the subscription manager's timer reads them (csource subscriptions'
  // rounds) from load() on, and is joined (~Manager) before they go.
  federation::Registry registrations(storage);
  const ngsiv2::RegistrationFlavor v2_registrations;
  registrations.add_flavor(v2_registrations);
  registrations.add_flavor(ngsild::ld_flavor());
  if (auto s = registrations.load(); !s) {
    spdlog::critical("cannot load registrations: {}", s.error().detail);
    return 1;
  }
  const ngsild::CsourceSubscriptions csource_subscriptions(registrations, contexts);
  const ngsiv2::SubscriptionFlavor v2_subscriptions;
  subscription::Manager subscriptions(storage, contexts, tenants, dispatcher);
  subscriptions.add_flavor(v2_subscriptions);
  subscriptions.add_flavor(csource_subscriptions);
  if (auto s = subscriptions.load(); !s) {
    spdlog::critical("cannot load subscriptions: {}", s.error().detail);
    return 1;
  }
  // Its queue holds the reads waiting for a thread; beyond, a read is answered without its providers.
  federation::Forwarder forwarder(settings.forward_threads, 1000);
  site::LiveHub live;  // the web app's change stream
  tenants.set_listener(
      [&subscriptions, &live](const std::string& tenant, const std::vector<broker::ChangeEvent>& changes) {
    subscriptions.on_changes(tenant, changes);
    live.publish(tenant, changes);
  });

  access::Directory directory(storage, [&tenants](const std::string& name) -> Status {
    if (auto t = tenants.find_or_create(name); !t) return std::unexpected(t.error());
    return {};
  });
  if (auto s = directory.load(); !s) {
    spdlog::critical("cannot load the tenant registry and API keys: {}", s.error().detail);
    return 1;
  }
  access::Users users(storage);
  if (auto s = users.load(now_millis()); !s) {
    spdlog::critical("cannot load the users: {}", s.error().detail);
    return 1;
  }
  if (auto s = bootstrap_access(settings, directory, users); !s) {
    spdlog::critical("{}: {}", s.error().title, s.error().detail);
    return 1;
  }

  connect::Connectors connectors(storage, tenants);
  if (auto s = connectors.load(); !s) {
    spdlog::critical("cannot load connectors: {}", s.error().detail);
    return 1;
  }
  if (settings.demo) {
    if (!settings.demo_data.empty() && !std::filesystem::is_directory(settings.demo_data)) {
      spdlog::critical("--demo-data {}: not a directory", settings.demo_data);
      return 1;
    }
    for (auto& d : demo_connectors(settings.demo_data))
      if (auto s = declare_if_changed(std::move(d), connectors); !s) {
        spdlog::critical("cannot declare the demo connectors: {}", s.error().detail);
        return 1;
      }
    spdlog::info("demo connectors declared ({})", settings.demo_data.empty() ? "published URLs" : settings.demo_data);
  }
  if (!settings.connectors_file.empty()) {
    if (auto s = declare_from_file(settings.connectors_file, connectors); !s) {
      spdlog::critical("{}: {}", s.error().title, s.error().detail);
      return 1;
    }
  }

  const ngsild::Options api{.default_limit = settings.default_limit,
                            .max_limit = settings.max_limit,
                            .temporal_max_instances = settings.temporal_max_instances,
                            .self_host = settings.bind + ":" + std::to_string(settings.port),
                            .forward_timeout_ms = static_cast<long>(settings.forward_timeout_ms),
                            .via = "dejima-" + random_uuid().substr(0, 12)};
  ngsild::Services services{api, tenants, contexts, subscriptions, registrations, forwarder, csource_subscriptions};
  http::Router router;
  add_system_routes(router, tenants);
  ngsiv2::add_admin_routes(router);
  ngsild::add_entity_routes(router, services);
  ngsild::add_query_routes(router, services);
  ngsild::add_batch_routes(router, services);
  ngsild::add_context_routes(router, services);
  ngsild::add_subscription_routes(router, services);
  ngsild::add_csource_routes(router, services);
  ngsild::add_temporal_routes(router, services);
  const ngsiv2::Options v2_options{.default_limit = settings.default_limit,
                                   .max_limit = settings.max_limit,
                                   .forward_timeout_ms = settings.forward_timeout_ms};
  ngsiv2::Services v2{v2_options, tenants, subscriptions, v2_subscriptions, registrations, forwarder, v2_registrations};
  ngsiv2::add_entity_routes(router, v2);
  ngsiv2::add_query_routes(router, v2);
  ngsiv2::add_batch_routes(router, v2);
  ngsiv2::add_subscription_routes(router, v2);
  ngsiv2::add_registration_routes(router, v2);
  router.set_error_format("/v2", ngsiv2::router_error);
  manage::add_connector_routes(router, connectors);
  manage::add_access_routes(router, directory);
  manage::add_user_routes(router, users, {.ttl_ms = settings.session_hours * 3600 * 1000LL});
  access::UsageMeter usage(storage);
  if (auto s = usage.load(now_millis()); !s) {
    spdlog::critical("cannot load today's usage counts: {}", s.error().detail);
    return 1;
  }
  access::AuditLog audit(storage);
  manage::add_cost_share_routes(router, directory,
                                {.maintenance_tenths = settings.cost_maintenance * 10LL,
                                 .api_development_tenths = settings.cost_api_development * 10LL},
                                usage, settings.cost_usage_weight / 100.0);
  manage::add_usage_routes(router, usage, audit);
  const site::Site site = web_app(settings, directory, live);
  site::add_site_routes(router, site);
  add_route_list(router);
  add_openapi_route(router);
  access::Quotas quotas(storage);
  if (auto s = quotas.load(now_millis()); !s) {
    spdlog::critical("cannot load the API keys' quotas: {}", s.error().detail);
    return 1;
  }
  quotas.start();
  usage.start();
  audit.start();
  router.add_observer(&usage);
  router.add_observer(&audit);
  std::unique_ptr<access::Oidc> oidc;
  if (!settings.oidc_issuer.empty()) {
    oidc = std::make_unique<access::Oidc>(access::OidcOptions{.issuer = settings.oidc_issuer,
                                                              .audience = settings.oidc_audience,
                                                              .jwks_url = settings.oidc_jwks_url,
                                                              .roles_claim = settings.oidc_roles_claim});
    if (auto s = oidc->refresh(now_millis()); !s)  // not fatal: the keys are fetched at the first token
      spdlog::warn("OpenID Connect: the signing keys of {} are not fetched yet ({}); trying again at the first token",
                   settings.oidc_issuer, s.error().detail);
    else
      spdlog::info("OpenID Connect: tokens of {} for audience {} accepted", settings.oidc_issuer,
                   settings.oidc_audience);
  }
  access::AccessGate gate(directory, users, quotas, oidc.get());
  catalog::Catalog data_catalog(storage, tenants, directory, connectors,
                                [&gate, &settings](const http::Request& req, const std::string& tenant) {
    return settings.auth == "on" ? gate.reading(req, tenant) : http::Grant{.tenant = tenant};
  });
  if (auto s = data_catalog.load(); !s) {
    spdlog::critical("cannot load the data catalog's metadata: {}", s.error().detail);
    return 1;
  }
  const catalog::Services catalog_services{data_catalog, settings.public_url};
  catalog::add_dataset_routes(router, catalog_services);
  catalog::add_ckan_routes(router, catalog_services);
  catalog::add_dcat_routes(router, catalog_services);
  if (settings.auth == "on")
    router.set_gate(&gate);
  else
    spdlog::warn("ACCESS CONTROL IS OFF (--auth off): anyone who reaches {}:{} may read and write every tenant",
                 settings.bind, settings.port);

  http::Server server({.bind = settings.bind,
                       .port = settings.port,
                       .threads = settings.threads,
                       .max_body_bytes = settings.max_body_bytes,
                       .max_header_bytes = settings.max_header_bytes,
                       .idle_timeout_s = settings.idle_timeout_s,
                       .shutdown_grace_s = settings.shutdown_grace_s},
                      [&router](http::Request& req, http::Reply reply) { router.dispatch(req, std::move(reply)); });
  if (auto s = server.listen(); !s) {
    spdlog::critical("{}: {}", s.error().title, s.error().detail);
    return 1;
  }
  spdlog::info("dejima {} listening on {}:{} (data in {})", DEJIMA_VERSION, settings.bind, server.port(),
               settings.data_dir);
  std::printf("listening %s:%u\n", settings.bind.c_str(), server.port());
  std::fflush(stdout);
  connectors.start();
  ngsiv2::Expiry expiry(tenants, std::chrono::seconds(settings.expiry_interval_s));  // transient entities
  expiry.start();
  server.run(true);
  expiry.stop();
  connectors.stop();  // a run in progress ends first
  quotas.stop();      // the last counts
  usage.stop();
  audit.stop();
  tenants.close_all();  // the last commits may still queue notifications
  forwarder.stop();     // the reads still waiting on providers are answered
  subscriptions.stop();
  dispatcher.stop();
  subscriptions.save_states();  // timesSent, lastSuccess, ... including the last deliveries
  spdlog::info("stopped; all acknowledged writes are on disk");
  return 0;
}

}  // namespace dejima

#include "app/app.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/demo.h"
#include "broker/tenant.h"
#include "connect/connectors.h"
#include "fetch/egress.h"
#include "http/problem.h"
#include "http/router.h"
#include "http/server.h"
#include "jsonld/registry.h"
#include "manage/connector_handlers.h"
#include "ngsild/batch_handlers.h"
#include "ngsild/context_handlers.h"
#include "ngsild/entity_handlers.h"
#include "ngsild/query_handlers.h"
#include "ngsild/subscription_handlers.h"
#include "ngsild/temporal_handlers.h"
#include "notify/dispatcher.h"
#include "store/sqlite/sqlite_storage.h"
#include "subscription/manager.h"
#include "temporal/duration.h"

namespace dejima {
namespace {

void add_system_routes(http::Router& r) {
  using Params = std::vector<std::string>;
  r.add(http::Method::Get, "/health", [](const http::Request&, const Params&, http::Reply reply) {
    http::Response resp;
    resp.content_type = "application/json";
    resp.body = R"({"status":"ok"})";
    reply(std::move(resp));
  });
  r.add(http::Method::Get, "/version", [](const http::Request&, const Params&, http::Reply reply) {
    http::Response resp;
    resp.content_type = "application/json";
    resp.body = R"({"name":"dejima","version":")" DEJIMA_VERSION R"(","ngsi-ld":"1.8.1"})";
    reply(std::move(resp));
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

}  // namespace

Result<OpenData> open_data(const Settings& settings) {
  OpenData d;
  auto storage = store::open_sqlite_storage(settings.data_dir, settings.sync == "full");
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
  subscription::Manager subscriptions(storage, contexts, tenants, dispatcher);
  if (auto s = subscriptions.load(); !s) {
    spdlog::critical("cannot load subscriptions: {}", s.error().detail);
    return 1;
  }
  tenants.set_listener([&subscriptions](const std::string& tenant, const std::vector<broker::ChangeEvent>& changes) {
    subscriptions.on_changes(tenant, changes);
  });

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
                            .self_host = settings.bind + ":" + std::to_string(settings.port)};
  ngsild::Services services{api, tenants, contexts, subscriptions};
  http::Router router;
  add_system_routes(router);
  ngsild::add_entity_routes(router, services);
  ngsild::add_query_routes(router, services);
  ngsild::add_batch_routes(router, services);
  ngsild::add_context_routes(router, services);
  ngsild::add_subscription_routes(router, services);
  ngsild::add_temporal_routes(router, services);
  manage::add_connector_routes(router, connectors);

  http::Server server(
      {.bind = settings.bind,
       .port = settings.port,
       .threads = settings.threads,
       .max_body_bytes = settings.max_body_bytes,
       .max_header_bytes = settings.max_header_bytes,
       .idle_timeout_s = settings.idle_timeout_s,
       .shutdown_grace_s = settings.shutdown_grace_s},
      [&router](const http::Request& req, http::Reply reply) { router.dispatch(req, std::move(reply)); });
  if (auto s = server.listen(); !s) {
    spdlog::critical("{}: {}", s.error().title, s.error().detail);
    return 1;
  }
  spdlog::info("dejima {} listening on {}:{} (data in {})", DEJIMA_VERSION, settings.bind, server.port(),
               settings.data_dir);
  std::printf("listening %s:%u\n", settings.bind.c_str(), server.port());
  std::fflush(stdout);
  connectors.start();
  server.run(true);
  connectors.stop();    // a run in progress ends first
  tenants.close_all();  // the last commits may still queue notifications
  subscriptions.stop();
  dispatcher.stop();
  subscriptions.save_states();  // timesSent, lastSuccess, ... including the last deliveries
  spdlog::info("stopped; all acknowledged writes are on disk");
  return 0;
}

}  // namespace dejima

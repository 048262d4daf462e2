// What the usage meter and the audit log add to every request (issue 24: "metering costs nothing
// measurable on the request path"): the two observers' work for one answered GET, the router's
// reply wrapping included, against a GET by id's whole cost from bench/access.sh (one server
// thread: 1 / its req/s).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>

#include "access/audit.h"
#include "access/usage.h"
#include "http/router.h"
#include "store/sqlite/sqlite_storage.h"

using namespace dejima;

namespace {

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("metering-bench-" + std::to_string(::getpid()));
    storage = std::move(*store::open_sqlite_storage(dir.string(), false));
  }
  ~Fixture() {
    usage.reset();
    audit.reset();
    storage.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<store::Storage> storage;
  std::unique_ptr<access::UsageMeter> usage = std::make_unique<access::UsageMeter>(*storage);
  std::unique_ptr<access::AuditLog> audit = std::make_unique<access::AuditLog>(*storage);
};

// A router with one GET route answering 200 "{}", with or without the two observers.
void dispatch(benchmark::State& state, bool observed) {
  Fixture f;
  http::Router router;
  router.add(http::Method::Get, "/ngsi-ld/v1/entities/{id}", {http::Need::Read},
             [](const http::Request&, const std::vector<std::string>&, http::Reply reply) {
    reply(http::json_body(200, "{}"));
  });
  if (observed) {
    router.add_observer(f.usage.get());
    router.add_observer(f.audit.get());
  }
  http::Request req;
  req.path = "/ngsi-ld/v1/entities/urn:ngsi-ld:Bus:1";
  req.grant.caller = "0123456789ab";
  req.grant.tenant = "sasebo";
  for (auto _ : state) {
    unsigned status = 0;
    router.dispatch(req, [&status](http::Response&& r) { status = r.status; });
    benchmark::DoNotOptimize(status);
  }
}

void BM_DispatchWithoutObservers(benchmark::State& state) { dispatch(state, false); }
void BM_DispatchWithUsageAndAudit(benchmark::State& state) { dispatch(state, true); }
BENCHMARK(BM_DispatchWithoutObservers);
BENCHMARK(BM_DispatchWithUsageAndAudit);

}  // namespace

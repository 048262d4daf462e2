// What access control adds to every request, in nanoseconds, to set against a GET by id's whole
// cost from bench/access.sh (one server thread: 1 / its req/s): the gate's decision with each
// kind of credential — an API key (found again by its text), a session token (hashed), an
// identity provider's JWT (found again by its text) — and the usage meter's and audit log's
// work for one answered GET, the router's reply wrapping included (issue 24: "metering costs
// nothing measurable on the request path").
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>

#include "access/audit.h"
#include "access/gate.h"
#include "access/jwt_signer.h"
#include "access/oidc.h"
#include "access/usage.h"
#include "http/router.h"
#include "store/sqlite/sqlite_storage.h"

using namespace dejima;

namespace {

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("metering-bench-" + std::to_string(::getpid()));
    storage = std::move(*store::open_sqlite_storage(dir.string(), store::StorageOptions{.full_sync = false}));
    usage = std::make_unique<access::UsageMeter>(*storage);
    audit = std::make_unique<access::AuditLog>(*storage);
  }
  ~Fixture() {
    usage.reset();
    audit.reset();
    storage.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<store::Storage> storage;
  std::unique_ptr<access::UsageMeter> usage;
  std::unique_ptr<access::AuditLog> audit;
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

// The gate deciding a GET by id (read) in tenant "sasebo" with `header`: `value`.
void admit(benchmark::State& state, const std::string& header, const std::string& value, access::Directory& d,
           access::Users& u, access::TokenVerifier* tokens, store::Storage& storage) {
  access::Quotas quotas(storage);
  access::AccessGate gate(d, u, quotas, tokens);
  http::Request req;
  req.headers.emplace_back("NGSILD-Tenant", "sasebo");
  req.headers.emplace_back(header, value);
  const http::Permission read{http::Need::Read};
  for (auto _ : state) {
    http::Refusal refusal;
    auto g = gate.admit(req, read, {}, refusal);
    if (!g) state.SkipWithError(g.error().detail.c_str());
    benchmark::DoNotOptimize(g);
  }
}

struct Registry {
  Fixture f;
  access::Directory directory{*f.storage, [](const std::string&) -> Status { return {}; }};
  access::Users users{*f.storage};
  Registry() {
    (void)directory.load();
    (void)users.load(now_millis());
    (void)directory.put_tenant({.name = "sasebo", .kind = "city", .created_at = 1});
  }
};

void BM_GateApiKey(benchmark::State& state) {
  Registry r;
  auto issued = r.directory.create_service({.tenant = "sasebo", .scopes = {{.operations = {"read"}}}}, 0);
  admit(state, "X-API-Key", issued->text, r.directory, r.users, nullptr, *r.f.storage);
}

void BM_GateSessionToken(benchmark::State& state) {
  Registry r;
  (void)r.users.put({.name = "vic",
                     .password_hash = *access::hash_password("viewer-password"),
                     .roles = {{"sasebo", access::Role::Viewer}}});
  auto session = r.users.login("vic", "viewer-password", now_millis(), 3600000);
  admit(state, "Authorization", "Bearer " + session->token, r.directory, r.users, nullptr, *r.f.storage);
}

void BM_GateOidcJwt(benchmark::State& state) {
  Registry r;
  const test::Signer key(test::Signer::Kind::Rsa, "k1");
  const std::string issuer = "http://127.0.0.1:1/realms/bench";
  const std::string jwks = R"({"keys":[)" + key.jwk() + "]}";
  access::Oidc oidc({.issuer = issuer}, [&](const fetch::Get& g) -> Result<fetch::Response> {
    if (g.url.ends_with("/openid-configuration"))
      return fetch::Response{.status = 200,
                             .body = R"({"issuer":")" + issuer + R"(","jwks_uri":")" + issuer + R"(/certs"})"};
    return fetch::Response{.status = 200, .body = jwks};
  });
  const long long now = now_millis() / 1000;
  const std::string token =
      key.token(R"({"iss":")" + issuer + R"(","aud":"dejima","sub":"bench","exp":)" + std::to_string(now + 3600) +
                R"(,"iat":)" + std::to_string(now) + R"(,"dejima_roles":["sasebo:viewer"]})");
  admit(state, "Authorization", "Bearer " + token, r.directory, r.users, &oidc, *r.f.storage);
}

BENCHMARK(BM_GateApiKey);
BENCHMARK(BM_GateSessionToken);
BENCHMARK(BM_GateOidcJwt);

}  // namespace

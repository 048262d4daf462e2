// Route matching: literal segments and {captures} (percent-decoded), trailing slashes, 404 and
// 405 with Allow, empty and malformed path parameters.
#include <gtest/gtest.h>

#include "http/router.h"

using namespace dejima;
using http::Method;

namespace {

struct Routed {
  std::string route;
  std::vector<std::string> params;
  http::Response response;
  std::string caller;
};

// Admits reads as "reader", refuses writes without credentials (401) and with them (403).
class FakeGate : public http::Gate {
 public:
  Result<http::Grant> admit(const http::Request& req, const http::Permission& p, const std::vector<std::string>& params,
                            http::Refusal& refusal) override {
    asked.push_back(std::string(http::need_name(p.need)) + (params.empty() ? "" : " " + params[0]));
    if (p.need == http::Need::Read) return http::Grant{.caller = "reader"};
    refusal.headers.emplace_back("WWW-Authenticate", "ApiKey realm=\"test\"");
    refusal.caller = "someone";
    if (!req.has_header("X-API-Key")) return fail(ErrorKind::Unauthorized, "Credentials required");
    return fail(ErrorKind::Forbidden, "Not allowed");
  }
  std::vector<std::string> asked;
};

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto [method, pattern] :
         {std::pair{Method::Get, "/ngsi-ld/v1/entities"}, std::pair{Method::Post, "/ngsi-ld/v1/entities"},
          std::pair{Method::Get, "/ngsi-ld/v1/entities/{id}"}, std::pair{Method::Delete, "/ngsi-ld/v1/entities/{id}"},
          std::pair{Method::Patch, "/ngsi-ld/v1/entities/{id}/attrs/{attrId}"}}) {
      const std::string name = std::string(http::method_name(method)) + " " + pattern;
      router.add(method, pattern, {method == Method::Get ? http::Need::Read : http::Need::Write},
                 [this, name](const http::Request& req, const std::vector<std::string>& params, http::Reply reply) {
        last.route = name;
        last.caller = req.grant.caller;
        last.params = params;
        reply(http::json_body(200, "{}"));
      });
    }
  }
  Routed dispatch(Method m, std::string_view path) {
    last = {};
    http::Request req;
    req.method = m;
    req.path = path;
    req.target = path;
    router.dispatch(req, [this](http::Response&& r) { last.response = std::move(r); });
    return last;
  }
  std::string header(const http::Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
      if (n == name) return v;
    return {};
  }
  http::Router router;
  Routed last;
};

TEST_F(RouterTest, EveryRouteIsListedWithItsPermission) {
  auto routes = router.routes();
  ASSERT_EQ(routes.size(), 5u);
  EXPECT_EQ(routes[2].pattern, "/ngsi-ld/v1/entities/{id}");
  EXPECT_EQ(routes[2].permission.need, http::Need::Read);
  EXPECT_EQ(routes[3].permission.need, http::Need::Write);
}

TEST_F(RouterTest, TheGateDecidesBeforeTheHandlerAndItsGrantReachesIt) {
  FakeGate gate;
  router.set_gate(&gate);
  auto r = dispatch(Method::Get, "/ngsi-ld/v1/entities/urn:a%3Ab");
  EXPECT_EQ(r.response.status, 200u);
  EXPECT_EQ(r.caller, "reader");
  r = dispatch(Method::Delete, "/ngsi-ld/v1/entities/urn:a");
  EXPECT_EQ(r.route, "") << "a refused request never reaches its handler";
  EXPECT_EQ(r.response.status, 401u);
  EXPECT_EQ(header(r.response, "WWW-Authenticate"), "ApiKey realm=\"test\"");
  EXPECT_NE(r.response.body.find("urn:dejima:errors:Unauthorized"), std::string::npos) << r.response.body;
  EXPECT_EQ(gate.asked, (std::vector<std::string>{"read urn:a:b", "write urn:a"})) << "with decoded captures";
  r = dispatch(Method::Get, "/nothing/here");
  EXPECT_EQ(r.response.status, 404u);
  EXPECT_EQ(gate.asked.size(), 2u) << "no route, no decision";
}

// Records what an observer sees of each answered request.
class Seen : public http::Observer {
 public:
  void observe(const http::Request& req, const http::RouteInfo* route, const http::Response& resp,
               std::chrono::steady_clock::time_point) override {
    log.push_back((route ? route->pattern : std::string("-")) + " " + std::to_string(resp.status) + " " +
                  req.grant.caller);
  }
  std::vector<std::string> log;
};

TEST_F(RouterTest, ObserversSeeEveryAnswerWithItsRouteAndWhomTheGateRefused) {
  FakeGate gate;
  Seen seen;
  router.set_gate(&gate);
  router.add_observer(&seen);
  dispatch(Method::Get, "/ngsi-ld/v1/entities/urn:a");
  dispatch(Method::Delete, "/ngsi-ld/v1/entities/urn:a");
  dispatch(Method::Get, "/nothing/here");
  dispatch(Method::Put, "/ngsi-ld/v1/entities/urn:a");
  EXPECT_EQ(seen.log,
            (std::vector<std::string>{"/ngsi-ld/v1/entities/{id} 200 reader", "/ngsi-ld/v1/entities/{id} 401 someone",
                                      "- 404 anonymous", "- 405 anonymous"}));
}

TEST_F(RouterTest, MatchesLiteralsAndCapturesInOrder) {
  auto r = dispatch(Method::Get, "/ngsi-ld/v1/entities");
  EXPECT_EQ(r.route, "GET /ngsi-ld/v1/entities");
  EXPECT_TRUE(r.params.empty());
  r = dispatch(Method::Patch, "/ngsi-ld/v1/entities/urn:ngsi-ld:Bus:1/attrs/speed");
  EXPECT_EQ(r.route, "PATCH /ngsi-ld/v1/entities/{id}/attrs/{attrId}");
  EXPECT_EQ(r.params, (std::vector<std::string>{"urn:ngsi-ld:Bus:1", "speed"}));
}

TEST_F(RouterTest, CapturesArePercentDecoded) {
  auto r = dispatch(Method::Get, "/ngsi-ld/v1/entities/urn%3Angsi-ld%3ABus%3A%E9%95%B7%E5%B4%8E");
  EXPECT_EQ(r.params, (std::vector<std::string>{"urn:ngsi-ld:Bus:長崎"}));
  r = dispatch(Method::Get, "/ngsi-ld/v1/entities/bad%zz");
  EXPECT_TRUE(r.route.empty());
  EXPECT_EQ(r.response.status, 400u);
  r = dispatch(Method::Get, "/ngsi-ld/v1/entities/urn:x:%FF%FE");
  EXPECT_TRUE(r.route.empty()) << "a capture that is not UTF-8 is refused";
  EXPECT_EQ(r.response.status, 400u);
}

TEST_F(RouterTest, ATrailingSlashIsIgnored) {
  EXPECT_EQ(dispatch(Method::Post, "/ngsi-ld/v1/entities/").route, "POST /ngsi-ld/v1/entities");
}

TEST_F(RouterTest, AnotherMethodOnAKnownPathIs405WithAllow) {
  auto r = dispatch(Method::Put, "/ngsi-ld/v1/entities/urn:x:1");
  EXPECT_TRUE(r.route.empty());
  EXPECT_EQ(r.response.status, 405u);
  EXPECT_EQ(header(r.response, "Allow"), "GET, DELETE");
  EXPECT_NE(r.response.body.find("Method not allowed"), std::string::npos) << r.response.body;
}

TEST_F(RouterTest, AnUnknownPathIs404) {
  auto r = dispatch(Method::Get, "/ngsi-ld/v1/nothing");
  EXPECT_EQ(r.response.status, 404u);
  EXPECT_EQ(r.response.content_type, "application/json");
  r = dispatch(Method::Get, "/ngsi-ld/v1/entities/a/b");
  EXPECT_EQ(r.response.status, 404u);
}

// The fallback takes a GET of any other path (the web app's pages), after the gate, and is
// listed; paths under a reserved prefix, and other methods, keep their 404.
TEST_F(RouterTest, TheFallbackTakesOtherGetsButNotReservedPrefixes) {
  router.set_fallback({http::Need::Read}, {"/ngsi-ld", "/dejima"},
                      [this](const http::Request& req, const std::vector<std::string>& params, http::Reply reply) {
    last.route = "fallback " + std::string(req.path);
    last.caller = req.grant.caller;
    last.params = params;
    reply(http::json_body(200, "{}"));
  });
  FakeGate gate;
  router.set_gate(&gate);
  auto r = dispatch(Method::Get, "/map/shimabara");
  EXPECT_EQ(r.route, "fallback /map/shimabara");
  EXPECT_EQ(r.caller, "reader");
  EXPECT_EQ(dispatch(Method::Get, "/").route, "fallback /");
  EXPECT_EQ(dispatch(Method::Get, "/ngsi-ld-docs").route, "fallback /ngsi-ld-docs");
  EXPECT_EQ(dispatch(Method::Get, "/ngsi-ld/v1/nothing").response.status, 404u);
  EXPECT_EQ(dispatch(Method::Get, "/dejima").response.status, 404u);
  EXPECT_EQ(dispatch(Method::Post, "/map").response.status, 404u);
  EXPECT_EQ(dispatch(Method::Get, "/ngsi-ld/v1/entities").route, "GET /ngsi-ld/v1/entities");
  auto routes = router.routes();
  ASSERT_FALSE(routes.empty());
  EXPECT_EQ(routes.back().pattern, "/{file}");
  EXPECT_EQ(routes.back().permission.need, http::Need::Read);
}

TEST_F(RouterTest, AnEmptyCaptureIs400) {
  auto r = dispatch(Method::Patch, "/ngsi-ld/v1/entities//attrs/speed");
  EXPECT_TRUE(r.route.empty());
  EXPECT_EQ(r.response.status, 400u);
  EXPECT_NE(r.response.body.find("leaves an identifier empty"), std::string::npos) << r.response.body;
}

}  // namespace

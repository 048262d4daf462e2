// The identity provider's tokens against a fake provider (discovery document and JWKS served by a
// fake fetcher): roles from a dotted claim, keys fetched again for an unknown kid but at most once
// per interval, a rotated JWKS, the verified tokens' cache, and the gate admitting "oidc:<sub>".
#include <gtest/gtest.h>

#include "access/gate.h"
#include "access/jwt_signer.h"
#include "access/oidc.h"
#include "fakes/memory_storage.h"

using namespace dejima;
using namespace dejima::access;
using test::Signer;

namespace {

constexpr Millis kNow = 1'780'000'000'000;
const std::string kIssuer = "https://sso.example.jp/realms/nagasaki";

const Signer& rsa() {
  static const Signer s(Signer::Kind::Rsa, "k1");
  return s;
}
const Signer& rsa2() {
  static const Signer s(Signer::Kind::Rsa, "k2");
  return s;
}
const Signer& ec() {
  static const Signer s(Signer::Kind::Ec, "e1");
  return s;
}

struct FakeProvider {
  std::string jwks;
  int discovery_gets = 0, jwks_gets = 0;
  bool down = false;
  Fetcher fetcher() {
    return [this](const fetch::Get& g) -> Result<fetch::Response> {
      if (down) return fail(ErrorKind::ServiceUnavailable, "Unreachable", "connection refused");
      if (g.url == kIssuer + "/.well-known/openid-configuration") {
        ++discovery_gets;
        return fetch::Response{.status = 200,
                               .body = R"({"issuer":")" + kIssuer + R"(","jwks_uri":")" + kIssuer + R"(/certs"})"};
      }
      if (g.url == kIssuer + "/certs") {
        ++jwks_gets;
        return fetch::Response{.status = 200, .body = jwks};
      }
      return fetch::Response{.status = 404};
    };
  }
  void serve(std::initializer_list<const Signer*> keys) {
    jwks = R"({"keys":[)";
    for (const Signer* k : keys) jwks += (jwks.back() == '[' ? "" : ",") + k->jwk();
    jwks += "]}";
  }
};

std::string claims(const std::string& sub, const std::string& extra = "", Millis now = kNow) {
  return R"({"iss":")" + kIssuer + R"(","aud":["account","dejima"],"sub":")" + sub + R"(","exp":)" +
         std::to_string(now / 1000 + 300) + R"(,"iat":)" + std::to_string(now / 1000) + extra + "}";
}

}  // namespace

TEST(OidcTest, DiscoversTheKeysAndMapsTheRolesClaim) {
  FakeProvider idp;
  idp.serve({&rsa(), &ec()});
  Oidc oidc({.issuer = kIssuer}, idp.fetcher());
  ASSERT_TRUE(oidc.refresh(kNow));
  EXPECT_EQ(idp.discovery_gets, 1);
  auto u =
      oidc.verify(rsa().token(claims("alice", R"(,"name":"Alice","dejima_roles":["sasebo:editor","default:viewer",)"
                                              R"("sasebo:viewer","omura:owner","nonsense",7,"operatorx"])")),
                  kNow);
  ASSERT_TRUE(u) << u.error().detail;
  EXPECT_EQ((*u)->name, "oidc:alice");
  EXPECT_EQ((*u)->display_name, "Alice");
  EXPECT_FALSE((*u)->operator_role);
  EXPECT_EQ((*u)->roles, (std::map<std::string, Role>{{"sasebo", Role::Editor}, {"", Role::Viewer}}));
  auto op = oidc.verify(ec().token(claims("bob", R"(,"dejima_roles":["operator"])")), kNow);
  ASSERT_TRUE(op) << op.error().detail;
  EXPECT_TRUE((*op)->operator_role);
  auto none = oidc.verify(ec().token(claims("carol")), kNow);
  ASSERT_TRUE(none);
  EXPECT_TRUE((*none)->roles.empty());
}

TEST(OidcTest, KeycloakRealmRolesByADottedPath) {
  FakeProvider idp;
  idp.serve({&rsa()});
  Oidc oidc({.issuer = kIssuer, .roles_claim = "realm_access.roles"}, idp.fetcher());
  auto u =
      oidc.verify(rsa().token(claims("kc", R"(,"realm_access":{"roles":["offline_access","nagasaki:admin"]})")), kNow);
  ASSERT_TRUE(u) << u.error().detail;
  EXPECT_EQ((*u)->roles, (std::map<std::string, Role>{{"nagasaki", Role::Admin}}));
  EXPECT_EQ(idp.jwks_gets, 1) << "fetched at the first token";
}

TEST(OidcTest, AnUnknownKidFetchesTheKeysAgainAtMostOncePerInterval) {
  FakeProvider idp;
  idp.serve({&rsa()});
  Oidc oidc({.issuer = kIssuer}, idp.fetcher());
  ASSERT_TRUE(oidc.refresh(kNow));
  EXPECT_EQ(idp.jwks_gets, 1);
  // A flood of tokens with made-up kids within the interval: no fetch.
  const Signer bogus(Signer::Kind::Rsa, "made-up");
  for (int i = 0; i < 20; ++i) {
    auto r = oidc.verify(bogus.token(claims("x" + std::to_string(i))), kNow + 1000);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Unauthorized);
    EXPECT_NE(r.error().detail.find("made-up"), std::string::npos) << r.error().detail;
  }
  EXPECT_EQ(idp.jwks_gets, 1);
  // The provider rotates: k2 is served. After the interval, a k2 token fetches the new set.
  idp.serve({&rsa(), &rsa2()});
  EXPECT_FALSE(oidc.verify(rsa2().token(claims("new")), kNow + 5000));
  EXPECT_EQ(idp.jwks_gets, 1);
  auto later = kNow + 11000;
  auto u = oidc.verify(rsa2().token(claims("new", "", later)), later);
  ASSERT_TRUE(u) << u.error().detail;
  EXPECT_EQ(idp.jwks_gets, 2);
}

TEST(OidcTest, AWithdrawnKeyEndsTheTokensItSignedAtTheNextFetch) {
  FakeProvider idp;
  idp.serve({&rsa(), &rsa2()});
  Oidc oidc({.issuer = kIssuer}, idp.fetcher());
  ASSERT_TRUE(oidc.refresh(kNow));
  const std::string old_token = rsa().token(claims("old"));
  ASSERT_TRUE(oidc.verify(old_token, kNow));
  ASSERT_TRUE(oidc.verify(old_token, kNow + 1000)) << "remembered";
  // k1 withdrawn; until the keys are fetched again, the remembered token still passes.
  idp.serve({&rsa2()});
  ASSERT_TRUE(oidc.verify(old_token, kNow + 2000));
  ASSERT_TRUE(oidc.refresh(kNow + 3000));
  auto r = oidc.verify(old_token, kNow + 4000);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("'k1' is not in"), std::string::npos) << r.error().detail;
  EXPECT_TRUE(oidc.verify(rsa2().token(claims("new")), kNow + 4000));
}

TEST(OidcTest, RememberedTokensStillExpire) {
  FakeProvider idp;
  idp.serve({&ec()});
  Oidc oidc({.issuer = kIssuer}, idp.fetcher());
  const std::string token = ec().token(claims("short"));
  ASSERT_TRUE(oidc.verify(token, kNow));
  EXPECT_TRUE(oidc.verify(token, kNow + 300'000 + 59'000)) << "exp + skew not yet passed";
  auto r = oidc.verify(token, kNow + 300'000 + 61'000);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("expired"), std::string::npos) << r.error().detail;
}

TEST(OidcTest, AnUnreachableProviderIsAnUnauthorizedTokenNotACrash) {
  FakeProvider idp;
  idp.down = true;
  idp.serve({&rsa()});
  Oidc oidc({.issuer = kIssuer}, idp.fetcher());
  EXPECT_FALSE(oidc.refresh(kNow));
  auto r = oidc.verify(rsa().token(claims("a")), kNow + 1000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Unauthorized);
  EXPECT_NE(r.error().detail.find("could not be fetched"), std::string::npos) << r.error().detail;
  idp.down = false;
  EXPECT_TRUE(oidc.verify(rsa().token(claims("a", "", kNow + 20000)), kNow + 20000)) << "fetched later";
}

TEST(OidcTest, WrongAudienceAndIssuerAreRefused) {
  FakeProvider idp;
  idp.serve({&rsa()});
  Oidc oidc({.issuer = kIssuer, .audience = "another-client"}, idp.fetcher());
  auto r = oidc.verify(rsa().token(claims("a")), kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("another-client"), std::string::npos);
  Oidc other({.issuer = kIssuer + "x", .jwks_url = kIssuer + "/certs"}, idp.fetcher());
  r = other.verify(rsa().token(claims("a")), kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("issuer"), std::string::npos);
  EXPECT_EQ(idp.discovery_gets, 1) << "jwks_url given: no discovery";
}

TEST(OidcTest, TheGateAdmitsATokensSubjectWithItsRoles) {
  FakeProvider idp;
  idp.serve({&rsa()});
  Oidc oidc({.issuer = kIssuer}, idp.fetcher());
  test::MemoryStorage storage;
  Directory directory{storage, [](const std::string&) -> Status { return {}; }};
  ASSERT_TRUE(directory.load());
  ASSERT_TRUE(directory.put_tenant({.name = "sasebo", .kind = "city", .created_at = 1}));
  ASSERT_TRUE(directory.put_tenant({.name = "omura", .kind = "city", .created_at = 1}));
  Users users{storage};
  Quotas quotas{storage};
  AccessGate gate{directory, users, quotas, &oidc};
  const std::string token = rsa().token(claims("alice", R"(,"dejima_roles":["sasebo:editor"])", now_millis()));
  auto ask = [&](http::Need need, const std::string& tenant, const std::string& bearer) {
    const std::string authorization = "Bearer " + bearer;  // the request holds views
    http::Request req;
    req.headers.emplace_back("NGSILD-Tenant", tenant);
    req.headers.emplace_back("Authorization", authorization);
    http::Refusal refusal;
    return gate.admit(req, {need}, {}, refusal);
  };
  auto g = ask(http::Need::Write, "sasebo", token);
  ASSERT_TRUE(g) << g.error().detail;
  EXPECT_EQ(g->caller, "oidc:alice");
  g = ask(http::Need::Write, "omura", token);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().kind, ErrorKind::Forbidden);
  g = ask(http::Need::Write, "sasebo", "eyJhbGciOiJub25lIn0.e30.");
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().kind, ErrorKind::Unauthorized);
}

TEST(OidcTest, ATokenWithoutKidNeedsASingleKeyForItsAlg) {
  FakeProvider idp;
  idp.serve({&rsa(), &ec()});
  Oidc oidc({.issuer = kIssuer}, idp.fetcher());
  const std::string no_kid = R"({"alg":"RS256","typ":"JWT"})";
  auto u = oidc.verify(rsa().sign(no_kid, claims("solo")), kNow);
  ASSERT_TRUE(u) << u.error().detail;
  idp.serve({&rsa(), &rsa2(), &ec()});
  ASSERT_TRUE(oidc.refresh(kNow));
  auto r = oidc.verify(rsa().sign(no_kid, claims("solo2")), kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("names no kid"), std::string::npos) << r.error().detail;
}

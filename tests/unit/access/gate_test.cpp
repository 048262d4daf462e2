// The decision point against a directory over the in-memory store: who gets what in which
// tenant, revocation seen at once although verified keys are cached, what a restart of the
// directory reads back, and the 全国地方公共団体コード check digit.
#include <gtest/gtest.h>

#include "access/gate.h"
#include "fakes/memory_storage.h"

using namespace dejima;
using http::Need;

namespace {

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(directory.load());
    ASSERT_TRUE(directory.put_tenant({.name = "sasebo", .kind = "city", .created_at = 1}));
    ASSERT_TRUE(directory.put_tenant({.name = "omura", .kind = "city", .public_types = {"Shelter"}, .created_at = 1}));
    auto op = directory.issue_operator_key("operator-key-0123456789");
    ASSERT_TRUE(op);
  }
  // A service of `tenant` with one scope; returns its key text.
  std::string key_of(const std::string& tenant, access::Scope scope) {
    access::ServiceRecord s{.tenant = tenant, .name = "app", .scopes = {std::move(scope)}};
    auto issued = directory.create_service(std::move(s), 0);
    EXPECT_TRUE(issued);
    return issued ? issued->text : "";
  }
  Result<http::Grant> ask(Need need, const std::string& tenant, const std::string& key = "") {
    http::Request req;
    headers.clear();
    if (!tenant.empty()) headers.emplace_back("NGSILD-Tenant", tenant);
    if (!key.empty()) headers.emplace_back("X-API-Key", key);
    for (const auto& [n, v] : headers) req.headers.emplace_back(n, v);
    http::Refusal refusal;
    return gate.admit(req, {need}, {}, refusal);
  }
  static ErrorKind refusal(const Result<http::Grant>& g) { return g ? ErrorKind::InternalError : g.error().kind; }

  test::MemoryStorage storage;
  std::vector<std::string> opened;
  access::Directory directory{storage, [this](const std::string& t) -> Status {
                                opened.push_back(t);
                                return {};
                              }};
  access::Quotas quotas{storage};
  access::Users users{storage};
  access::AccessGate gate{directory, users, quotas};
  std::vector<std::pair<std::string, std::string>> headers;
};

TEST_F(GateTest, NobodyReadsPublicTypesOnly) {
  auto g = ask(Need::Read, "omura");
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->all_types);
  EXPECT_EQ(g->types, std::vector<std::string>{"Shelter"});
  EXPECT_EQ(refusal(ask(Need::Write, "omura")), ErrorKind::Unauthorized);
  EXPECT_EQ(refusal(ask(Need::Read, "sasebo")), ErrorKind::Unauthorized) << "no public types";
  EXPECT_EQ(refusal(ask(Need::Read, "nowhere")), ErrorKind::NonexistentTenant);
  EXPECT_TRUE(ask(Need::Open, "nowhere"));
}

TEST_F(GateTest, AKeyHasItsScopesInItsTenantAndThePublicTypesElsewhere) {
  const auto reader = key_of("sasebo", {.types = {"Bus"}, .operations = {"read"}});
  auto g = ask(Need::Read, "sasebo", reader);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->types, std::vector<std::string>{"Bus"});
  EXPECT_FALSE(g->operator_rights);
  EXPECT_EQ(refusal(ask(Need::Write, "sasebo", reader)), ErrorKind::Forbidden);
  EXPECT_EQ(refusal(ask(Need::Temporal, "sasebo", reader)), ErrorKind::Forbidden);
  EXPECT_EQ(refusal(ask(Need::TenantAdmin, "sasebo", reader)), ErrorKind::Forbidden);
  EXPECT_EQ(refusal(ask(Need::Operator, "sasebo", reader)), ErrorKind::Forbidden);
  g = ask(Need::Read, "omura", reader);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->types, std::vector<std::string>{"Shelter"}) << "another tenant: what anybody may read";
  EXPECT_EQ(refusal(ask(Need::Write, "omura", reader)), ErrorKind::Forbidden);
  EXPECT_EQ(refusal(ask(Need::Read, "sasebo", "dj_unknown")), ErrorKind::Unauthorized);
  const auto writer = key_of("sasebo", {.operations = {"read", "write"}});
  g = ask(Need::Write, "sasebo", writer);
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->all_types);
  const auto op = ask(Need::Operator, "", "operator-key-0123456789");
  ASSERT_TRUE(op);
  EXPECT_TRUE(op->operator_rights);
}

TEST_F(GateTest, ARevokedKeyIsRefusedAtOnceThoughItWasVerifiedBefore) {
  const auto text = key_of("sasebo", {.operations = {"read"}});
  ASSERT_TRUE(ask(Need::Read, "sasebo", text));
  ASSERT_TRUE(ask(Need::Read, "sasebo", text)) << "from the cache";
  const auto service = directory.services("sasebo").front();
  const auto keys = directory.keys("sasebo", service->id);
  ASSERT_EQ(keys.size(), 1u);
  ASSERT_TRUE(directory.revoke_key("sasebo", service->id, keys[0].id));
  EXPECT_EQ(refusal(ask(Need::Read, "sasebo", text)), ErrorKind::Unauthorized);
}

TEST_F(GateTest, TheDirectoryReadsBackWhatItKeptAndOpensEveryTenantsStore) {
  const auto text = key_of("sasebo", {.types = {"Bus"}, .operations = {"read"}});
  access::Directory again(storage, [](const std::string&) -> Status { return {}; });
  ASSERT_TRUE(again.load());
  EXPECT_TRUE(again.has_tenant("omura"));
  EXPECT_FALSE(again.registry_empty());
  EXPECT_EQ(again.public_types("omura"), std::vector<std::string>{"Shelter"});
  auto who = again.authenticate(text, now_millis());
  ASSERT_TRUE(who);
  EXPECT_EQ(who->service->scopes[0].types, std::vector<std::string>{"Bus"});
  EXPECT_TRUE(again.has_operator_key());
  EXPECT_EQ(opened, (std::vector<std::string>{"", "sasebo", "omura"}));
}

TEST_F(GateTest, AUsersRoleDecidesInItsTenantAndASessionEndsWithItsPassword) {
  ASSERT_TRUE(users.load(now_millis()));
  auto hash = access::hash_password("viewer-password");
  ASSERT_TRUE(hash);
  ASSERT_TRUE(users.put({.name = "vic", .password_hash = *hash, .roles = {{"sasebo", access::Role::Viewer}}}));
  EXPECT_FALSE(users.login("vic", "wrong-password", now_millis(), 60000));
  EXPECT_FALSE(users.login("nobody", "viewer-password", now_millis(), 60000));
  auto session = users.login("vic", "viewer-password", now_millis(), 60000);
  ASSERT_TRUE(session);
  auto as_vic = [&](Need need, const std::string& tenant, std::pair<std::string, std::string> credential) {
    http::Request req;
    req.method = need == Need::Write ? http::Method::Post : http::Method::Get;
    req.headers.emplace_back("NGSILD-Tenant", tenant);
    req.headers.emplace_back(credential.first, credential.second);
    req.headers.emplace_back("Host", "dejima.example");
    req.headers.emplace_back("Origin", "https://elsewhere.example");
    http::Refusal refusal;
    return gate.admit(req, {need}, {}, refusal);
  };
  const std::pair<std::string, std::string> by_bearer{"Authorization", "Bearer " + session->token};
  auto g = as_vic(Need::Read, "sasebo", by_bearer);
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->all_types);
  EXPECT_EQ(g->caller, "user:vic");
  EXPECT_TRUE(as_vic(Need::Temporal, "sasebo", by_bearer));
  EXPECT_EQ(refusal(as_vic(Need::Write, "sasebo", by_bearer)), ErrorKind::Forbidden);
  EXPECT_EQ(refusal(as_vic(Need::Read, "omura", by_bearer)), ErrorKind::InternalError) << "omura's public types";
  EXPECT_EQ(refusal(as_vic(Need::TenantAdmin, "sasebo", by_bearer)), ErrorKind::Forbidden);
  // An editor writes; by cookie, not from another site's page.
  auto editor = *users.find("vic");
  editor.roles["sasebo"] = access::Role::Editor;
  ASSERT_TRUE(users.put(editor));
  EXPECT_TRUE(as_vic(Need::Write, "sasebo", by_bearer));
  const std::pair<std::string, std::string> by_cookie{"Cookie", "theme=dark; dejima_session=" + session->token};
  EXPECT_EQ(refusal(as_vic(Need::Write, "sasebo", by_cookie)), ErrorKind::Forbidden);
  EXPECT_TRUE(as_vic(Need::Read, "sasebo", by_cookie)) << "reads may come from anywhere";
  // A new password ends the session.
  editor.password_hash = *access::hash_password("another-password");
  ASSERT_TRUE(users.put(editor));
  EXPECT_EQ(refusal(as_vic(Need::Read, "sasebo", by_bearer)), ErrorKind::Unauthorized);
}

TEST(SessionCookie, IsFoundAmongOthers) {
  EXPECT_EQ(access::session_cookie("a=1; dejima_session=djs_x ;b=2"), "djs_x");
  EXPECT_EQ(access::session_cookie("dejima_session=\"djs_y\""), "djs_y");
  EXPECT_FALSE(access::session_cookie("dejima_sessionx=1; x=dejima_session"));
  EXPECT_FALSE(access::session_cookie(""));
}

TEST(LocalGovernmentCode, CheckDigits) {
  EXPECT_EQ(access::local_government_check_digit("42000"), 0);  // 長崎県 420000
  EXPECT_EQ(access::local_government_check_digit("42201"), 1);  // 長崎市 422011
  EXPECT_EQ(access::local_government_check_digit("13101"), 6);  // 千代田区 131016
  EXPECT_TRUE(access::valid_local_government_code("422029"));
  EXPECT_FALSE(access::valid_local_government_code("422020"));
  EXPECT_FALSE(access::valid_local_government_code("42202"));
  EXPECT_EQ(access::local_government_check_digit("4220x"), -1);
}

}  // namespace

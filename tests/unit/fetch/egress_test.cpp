// The egress policy: parsing the settings, networks (IPv4, IPv6, IPv4-mapped), host names and
// domains, deny before allow; and its enforcement on a real GET and a real POST over loopback,
// by literal address before connecting and by the address a name resolves to when connecting.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <future>
#include <thread>

#include "fetch/egress.h"
#include "fetch/http_get.h"
#include "fetch/transfers.h"
#include "http/server.h"

using namespace dejima;
using fetch::EgressPolicy;

namespace {

EgressPolicy policy(std::string_view deny, std::string_view allow = "") {
  auto p = EgressPolicy::parse(deny, allow);
  EXPECT_TRUE(p) << p.error().detail;
  return *p;
}

sockaddr_in6 v6(const char* text) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  EXPECT_EQ(inet_pton(AF_INET6, text, &a.sin6_addr), 1);
  return a;
}

sockaddr_in v4(const char* text) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, text, &a.sin_addr), 1);
  return a;
}

bool allowed(const EgressPolicy& p, const sockaddr_in& a) {
  return p.check_address(reinterpret_cast<const sockaddr*>(&a)).has_value();
}
bool allowed(const EgressPolicy& p, const sockaddr_in6& a) {
  return p.check_address(reinterpret_cast<const sockaddr*>(&a)).has_value();
}

TEST(EgressPolicy, TheDefaultDeniesLinkLocalAndMetadataAddresses) {
  const auto p = policy(fetch::kDefaultEgressDeny, fetch::kDefaultEgressAllow);
  EXPECT_FALSE(allowed(p, v4("169.254.169.254")));
  EXPECT_FALSE(allowed(p, v4("169.254.0.1")));
  EXPECT_FALSE(allowed(p, v4("100.100.100.200")));
  EXPECT_FALSE(allowed(p, v6("fe80::1")));
  EXPECT_FALSE(allowed(p, v6("fd00:ec2::254")));
  EXPECT_FALSE(allowed(p, v6("::ffff:169.254.169.254"))) << "IPv4-mapped IPv6 is the IPv4 address";
  EXPECT_TRUE(allowed(p, v4("127.0.0.1")));
  EXPECT_TRUE(allowed(p, v4("203.0.113.7")));
  EXPECT_TRUE(allowed(p, v6("2001:db8::1")));
  EXPECT_TRUE(allowed(p, v4("169.255.0.1")));
  auto st = p.check_host("169.254.169.254");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().title, "Refused by the egress policy");
  EXPECT_NE(st.error().detail.find("169.254.0.0/16"), std::string::npos) << st.error().detail;
  EXPECT_FALSE(p.check_host("[fe80::1]")) << "an IPv6 literal as a URL writes it";
  EXPECT_TRUE(p.check_host("example.org"));
}

TEST(EgressPolicy, HostNamesAndDomains) {
  const auto p = policy(".internal,metadata.google.internal,10.0.0.0/8");
  EXPECT_FALSE(p.check_host("metadata.google.internal"));
  EXPECT_FALSE(p.check_host("db.internal"));
  EXPECT_FALSE(p.check_host("INTERNAL")) << "a domain rule covers the domain itself, in any case";
  EXPECT_TRUE(p.check_host("internal.example.org"));
  EXPECT_FALSE(p.check_host("10.1.2.3"));
  EXPECT_TRUE(p.check_host("11.1.2.3"));
}

TEST(EgressPolicy, AnAllowListAdmitsOnlyWhatItNamesAndDenyWins) {
  const auto p = policy("192.168.1.66", "192.168.1.0/24,.city.nagasaki.jp");
  EXPECT_TRUE(allowed(p, v4("192.168.1.10")));
  EXPECT_FALSE(allowed(p, v4("192.168.1.66")));
  EXPECT_FALSE(p.check_host("example.org"));
  EXPECT_TRUE(p.check_host("opendata.city.nagasaki.jp"));
  EXPECT_FALSE(p.check_host("8.8.8.8")) << "a host entry admits names, never an address literal";
  EXPECT_FALSE(allowed(p, v4("8.8.8.8"))) << "an address reached by a name not admitted by name";
  const auto a = v4("8.8.8.8");
  EXPECT_TRUE(p.check_address(reinterpret_cast<const sockaddr*>(&a), p.admits_by_name("opendata.city.nagasaki.jp")));
  EXPECT_FALSE(p.admits_by_name("8.8.8.8"));
  const auto networks_only = policy("none", "127.0.0.0/8");
  EXPECT_TRUE(networks_only.check_host("localhost")) << "a name is decided by the addresses it connects to";
  EXPECT_FALSE(allowed(networks_only, v4("192.0.2.1")));
  EXPECT_TRUE(allowed(networks_only, v4("127.0.0.1")));
}

TEST(EgressPolicy, BadRulesAreRefusedWithTheirSetting) {
  for (auto [deny, allow] : {std::pair{"10.0.0.0/33", ""}, std::pair{"", "fe80::/129"}, std::pair{"not a host", ""},
                             std::pair{"", "10.0.0.0/x"}, std::pair{"a/b", ""}}) {
    auto p = EgressPolicy::parse(deny, allow);
    ASSERT_FALSE(p) << deny << " | " << allow;
    EXPECT_NE(p.error().detail.find(*deny ? "egress-deny" : "egress-allow"), std::string::npos) << p.error().detail;
  }
  EXPECT_TRUE(EgressPolicy::parse("none", ""));
  EXPECT_TRUE(EgressPolicy::parse(" 10.0.0.0/8 , ::1 ", "example.org"));
}

TEST(EgressPolicy, UrlHostsAsLibcurlReadsThem) {
  EXPECT_EQ(fetch::url_host("http://user:pw@example.org:8080/a?b"), "example.org");
  EXPECT_EQ(fetch::url_host("http://%6detadata.internal/"), "metadata.internal") << "percent-decoded";
  EXPECT_EQ(fetch::url_host("http://db.internal./x"), "db.internal") << "a trailing dot names the same host";
  EXPECT_FALSE(policy(".internal").check_host(fetch::url_host("http://%6detadata.google.internal/")))
      << "no way around a name rule";
  EXPECT_EQ(fetch::url_host("mqtt://[fe80::1]:1883/topic"), "[fe80::1]");
  EXPECT_EQ(fetch::url_host("https://169.254.169.254"), "169.254.169.254");
  EXPECT_EQ(fetch::url_host("/a/local/path"), "");
  EXPECT_TRUE(fetch::check_url("/a/local/path")) << "a connector's local file";
}

// The process's policy is replaced for one test and restored after it.
class EgressEnforcement : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<http::Server>(http::ServerOptions{.port = 0, .threads = 1},
                                            [this](const http::Request& req, http::Reply reply) {
      if (req.path != "/redirect") return reply(http::json_body(200, "{}"));
      http::Response r;
      r.status = 302;
      r.header("Location", "http://localhost:" + port() + "/");
      reply(std::move(r));
    });
    ASSERT_TRUE(server->listen());
    runner = std::thread([this] { server->run(false); });
  }
  void TearDown() override {
    fetch::set_egress_policy(policy(fetch::kDefaultEgressDeny));
    server->stop();
    runner.join();
  }
  std::string port() { return std::to_string(server->port()); }
  std::unique_ptr<http::Server> server;
  std::thread runner;
};

TEST_F(EgressEnforcement, AGetIsRefusedByLiteralAndByTheAddressANameResolvesTo) {
  ASSERT_TRUE(fetch::get({.url = "http://127.0.0.1:" + port() + "/"})) << "allowed by default";
  fetch::set_egress_policy(policy("127.0.0.0/8,::1"));  // localhost may resolve to either
  auto r = fetch::get({.url = "http://127.0.0.1:" + port() + "/"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().title, "Refused by the egress policy");
  EXPECT_NE(r.error().detail.find("127.0.0.0/8"), std::string::npos) << r.error().detail;
  r = fetch::get({.url = "http://localhost:" + port() + "/"});
  ASSERT_FALSE(r) << "localhost is allowed by name, then refused at its address";
  EXPECT_EQ(r.error().title, "Refused by the egress policy");
  EXPECT_NE(r.error().detail.find(" is in "), std::string::npos) << r.error().detail;
  EXPECT_FALSE(fetch::check_resolved("localhost"));
}

TEST_F(EgressEnforcement, EveryRedirectHopIsCheckedByName) {
  fetch::set_egress_policy(policy("localhost"));
  auto r = fetch::get({.url = "http://127.0.0.1:" + port() + "/redirect"});
  ASSERT_FALSE(r) << "the redirect to localhost is refused by name";
  EXPECT_EQ(r.error().title, "Refused by the egress policy");
  EXPECT_NE(r.error().detail.find("matches localhost"), std::string::npos) << r.error().detail;
  fetch::set_egress_policy(policy(fetch::kDefaultEgressDeny));
  r = fetch::get({.url = "http://127.0.0.1:" + port() + "/redirect"});
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->status, 200);
}

TEST_F(EgressEnforcement, APostIsRefusedTheSameWay) {
  fetch::set_egress_policy(policy("127.0.0.0/8,::1"));
  auto transfers = fetch::curl_transfers(8);
  std::vector<std::pair<long, std::string>> outcomes;
  for (const std::string host : {"127.0.0.1", "localhost"})
    transfers->start({.url = "http://" + host + ":" + port() + "/n", .body = "{}"},
                     [&](long status, const std::string& error) { outcomes.emplace_back(status, error); });
  for (int i = 0; i < 100 && outcomes.size() < 2; ++i) transfers->poll(50);
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& [status, error] : outcomes) {
    EXPECT_EQ(status, 0);
    EXPECT_TRUE(error.starts_with("refused by the egress policy")) << error;
  }
  fetch::set_egress_policy(policy(fetch::kDefaultEgressDeny));
  outcomes.clear();
  transfers->start({.url = "http://localhost:" + port() + "/n", .body = "{}"},
                   [&](long status, const std::string& error) { outcomes.emplace_back(status, error); });
  for (int i = 0; i < 100 && outcomes.empty(); ++i) transfers->poll(50);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].first, 200) << outcomes[0].second;
}

}  // namespace

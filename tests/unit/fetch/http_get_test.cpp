// fetch::get against a real HTTP server on loopback (http::Server): status and body, request
// headers, ETag and Last-Modified, the size cap, cancellation, and a closed port.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fetch/http_get.h"
#include "http/server.h"

using namespace dejima;

namespace {

class HttpGetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<http::Server>(
        http::ServerOptions{.port = 0, .threads = 1},
        [this](const http::Request& req, http::Reply reply) { handle(req, std::move(reply)); });
    ASSERT_TRUE(server->listen());
    runner = std::thread([this] { server->run(false); });
  }
  void TearDown() override {
    server->stop();
    runner.join();
  }
  std::string url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(server->port()) + path; }

  void handle(const http::Request& req, http::Reply reply) {
    if (req.path == "/doc") {
      if (req.header("If-None-Match") == "\"v1\"") {
        http::Response r;
        r.status = 304;
        return reply(std::move(r));
      }
      http::Response r = http::json_body(200, R"({"accept":")" + std::string(req.header("Accept")) + R"("})");
      r.header("ETag", "\"v1\"").header("Last-Modified", "Sun, 06 Dec 2026 00:00:00 GMT");
      return reply(std::move(r));
    }
    if (req.path == "/big") return reply(http::json_body(200, std::string(100000, ' ')));
    if (req.path == "/slow") {
      std::thread([reply = std::move(reply)]() mutable {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        reply(http::json_body(200, "{}"));
      }).detach();
      return;
    }
    reply(http::json_body(404, "{}"));
  }

  std::unique_ptr<http::Server> server;
  std::thread runner;
};

TEST_F(HttpGetTest, ReturnsStatusBodyAndValidators) {
  auto r = fetch::get({.url = url("/doc"), .headers = {{"Accept", "application/ld+json"}}});
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"accept":"application/ld+json"})");
  EXPECT_EQ(r->etag, "\"v1\"");
  EXPECT_EQ(r->last_modified, "Sun, 06 Dec 2026 00:00:00 GMT");
  r = fetch::get({.url = url("/doc"), .headers = {{"If-None-Match", "\"v1\""}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  r = fetch::get({.url = url("/none")});
  ASSERT_TRUE(r) << "any HTTP status is a response";
  EXPECT_EQ(r->status, 404);
}

TEST_F(HttpGetTest, ABodyOverTheCapIsPayloadTooLarge) {
  auto r = fetch::get({.url = url("/big"), .max_bytes = 1000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::PayloadTooLarge);
  EXPECT_TRUE(fetch::get({.url = url("/big"), .max_bytes = 100000}));
}

TEST_F(HttpGetTest, CancelAndTimeoutAndNoServerAreServiceUnavailable) {
  std::atomic<bool> cancel{false};
  std::thread flag([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel = true;
  });
  auto r = fetch::get({.url = url("/slow"), .cancel = &cancel});
  flag.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::ServiceUnavailable);
  EXPECT_EQ(r.error().title, "Cancelled");

  r = fetch::get({.url = url("/slow"), .timeout_ms = 300});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().title, "Unreachable");

  const std::string closed = "http://127.0.0.1:1/";  // nothing listens on port 1
  r = fetch::get({.url = closed});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::ServiceUnavailable);
  EXPECT_NE(r.error().detail.find(closed), std::string::npos);
}

TEST(HttpGet, OnlyHttpAndHttpsUrls) {
  auto r = fetch::get({.url = "file:///etc/passwd"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::BadRequestData);
}

}  // namespace

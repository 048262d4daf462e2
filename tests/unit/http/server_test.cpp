// The HTTP server over real loopback sockets, with fetch::get as the client: replies from the
// handler's thread and from another thread, keep-alive, and a handler that throws (500
// ProblemDetails, the connection and the server go on; a late reply is dropped).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "fetch/http_get.h"
#include "http/server.h"

using namespace dejima;

namespace {

class ServerTest : public ::testing::Test {
 protected:
  void start(http::Handler handler) {
    server = std::make_unique<http::Server>(http::ServerOptions{.port = 0, .threads = 1}, std::move(handler));
    ASSERT_TRUE(server->listen());
    runner = std::thread([this] { server->run(false); });
  }
  void TearDown() override {
    if (server) server->stop();
    if (runner.joinable()) runner.join();
  }
  // Serves every request as a stream whose sink goes to `opened`.
  void start_streaming(std::promise<std::shared_ptr<http::StreamSink>>& opened) {
    start([&opened](const http::Request&, http::Reply reply) {
      http::Response r;
      r.content_type = "text/event-stream";
      r.stream = [&opened](std::shared_ptr<http::StreamSink> sink) { opened.set_value(std::move(sink)); };
      reply(std::move(r));
    });
  }
  // A plain socket to the server, for what a client library would hide (-1 on failure).
  int connect_raw() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server->port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    ::close(fd);
    return -1;
  }
  Result<fetch::Response> get(const std::string& path) {
    return fetch::get({.url = "http://127.0.0.1:" + std::to_string(server->port()) + path, .timeout_ms = 5000});
  }
  std::unique_ptr<http::Server> server;
  std::thread runner;
};

TEST_F(ServerTest, RepliesNowOrLaterFromAnotherThread) {
  start([](const http::Request& req, http::Reply reply) {
    if (req.path == "/now") return reply(http::json_body(200, R"({"when":"now"})"));
    std::thread([reply = std::move(reply)]() mutable { reply(http::json_body(202, R"({"when":"later"})")); }).detach();
  });
  auto now = get("/now");
  ASSERT_TRUE(now) << now.error().detail;
  EXPECT_EQ(now->status, 200);
  EXPECT_EQ(now->body, R"({"when":"now"})");
  auto later = get("/later");
  ASSERT_TRUE(later) << later.error().detail;
  EXPECT_EQ(later->status, 202);
  EXPECT_EQ(later->body, R"({"when":"later"})");
}

TEST_F(ServerTest, AThrowingHandlerAnswers500AndTheServerGoesOn) {
  std::promise<http::Reply> kept;
  start([&kept](const http::Request& req, http::Reply reply) {
    if (req.path == "/throw") throw std::runtime_error("a bug");
    if (req.path == "/keep-then-throw") {
      kept.set_value(std::move(reply));  // as if handed to a storage thread
      throw std::logic_error("another bug");
    }
    reply(http::json_body(200, "{}"));
  });
  auto r = get("/throw");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(r->body.find("https://uri.etsi.org/ngsi-ld/errors/InternalError"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("a bug"), std::string::npos) << "the exception's text stays in the log";

  // On one raw connection: the 500 comes, the connection closes (a Reply handed on may still read
  // the request), and the reply the handler kept, sent late, is dropped, not written after it.
  const int fd = connect_raw();
  ASSERT_GE(fd, 0);
  const std::string request = "GET /keep-then-throw HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  kept.get_future().get()(http::json_body(200, R"({"late":true})"));
  std::string received;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) received.append(buf, static_cast<size_t>(n));
  ::close(fd);
  EXPECT_TRUE(received.starts_with("HTTP/1.1 500")) << received;
  EXPECT_EQ(received.find("late"), std::string::npos) << received;
  EXPECT_EQ(received.find("HTTP/1.1", 1), std::string::npos) << "one response only: " << received;

  r = get("/fine");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{}");
}

// A streamed response: the head without a Content-Length, then what the handler's sink writes,
// from another thread, in order; when the client goes away the sink says so and refuses writes;
// a stop closes a stream that is still open.
TEST_F(ServerTest, AStreamedResponseGoesOnUntilTheClientLeaves) {
  std::promise<std::shared_ptr<http::StreamSink>> opened;
  start_streaming(opened);
  const int fd = connect_raw();
  ASSERT_GE(fd, 0);
  const std::string request = "GET /events HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  auto sink = opened.get_future().get();
  std::thread([sink] {
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(sink->write("data: " + std::to_string(i) + "\n\n"));
  }).join();
  std::string received;
  char buf[4096];
  while (received.find("data: 2\n\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0) << received;
    received.append(buf, static_cast<size_t>(n));
  }
  EXPECT_TRUE(received.starts_with("HTTP/1.1 200")) << received;
  EXPECT_EQ(received.find("Content-Length"), std::string::npos) << received;
  EXPECT_NE(received.find("Connection: close\r\n\r\ndata: 0\n\ndata: 1\n\ndata: 2\n\n"), std::string::npos) << received;
  EXPECT_FALSE(sink->closed());
  ::close(fd);
  for (int i = 0; i < 200 && !sink->closed(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(sink->closed());
  EXPECT_FALSE(sink->write("data: late\n\n"));
}

TEST_F(ServerTest, AStopClosesOpenStreams) {
  std::promise<std::shared_ptr<http::StreamSink>> opened;
  start_streaming(opened);
  auto got = std::async(std::launch::async, [this] { return get("/events"); });
  auto sink = opened.get_future().get();
  ASSERT_TRUE(sink->write("data: x\n\n"));
  server->stop();
  runner.join();  // returns although the stream never ended by itself
  auto r = got.get();
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->body, "data: x\n\n");
  EXPECT_TRUE(sink->closed());
  server.reset();
}

}  // namespace

// A chunked body: the pieces arrive in order with their lengths and the last chunk (fetch, i.e.
// libcurl, decodes them into the whole body), 3 MB without the handler holding it, and the
// connection serves its next request; a producer that throws half-way closes the connection
// without the last chunk, so the client sees an error, not a shorter body.
TEST_F(ServerTest, AChunkedBodyIsPulledPieceByPiece) {
  start([](const http::Request& req, http::Reply reply) {
    http::Response r;
    r.content_type = "text/plain";
    auto n = std::make_shared<int>(0);
    const bool fail = req.path == "/fail";
    r.chunks = [n, fail]() -> std::string {
      if (*n == 3000) return {};
      if (fail && *n == 1500) throw std::runtime_error("the store went away");
      return std::string(999, static_cast<char>('a' + (*n)++ % 26)) + "\n";
    };
    reply(std::move(r));
  });
  auto r = get("/all");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(r->body.size(), 3000u * 1000);
  EXPECT_EQ(r->body.substr(0, 3), "aaa");
  EXPECT_EQ(r->body.substr(1000, 3), "bbb");
  EXPECT_EQ(r->body.substr(2999 * 1000, 3), std::string(3, static_cast<char>('a' + 2999 % 26)));
  auto failed = get("/fail");
  EXPECT_FALSE(failed) << "a truncated chunked body is an error for the client";

  // Keep-alive: two requests on one raw connection, each answered with its last chunk.
  const int fd = connect_raw();
  ASSERT_GE(fd, 0);
  const std::string two = "GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::send(fd, two.data(), two.size(), 0), static_cast<ssize_t>(two.size()));
  std::string received;
  char buf[65536];
  for (ssize_t k; (k = ::recv(fd, buf, sizeof buf, 0)) > 0;) received.append(buf, static_cast<size_t>(k));
  ::close(fd);
  EXPECT_TRUE(received.starts_with("HTTP/1.1 200")) << received.substr(0, 200);
  EXPECT_NE(received.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  const size_t second = received.find("HTTP/1.1 200", 1);
  ASSERT_NE(second, std::string::npos);
  EXPECT_TRUE(received.substr(0, second).ends_with("\r\n0\r\n\r\n"));
  EXPECT_TRUE(received.ends_with("\r\n0\r\n\r\n"));

  // HTTP/1.0 knows no chunks: the body comes unframed and ends with the connection.
  const int old = connect_raw();
  ASSERT_GE(old, 0);
  const std::string v10 = "GET /c HTTP/1.0\r\n\r\n";
  ASSERT_EQ(::send(old, v10.data(), v10.size(), 0), static_cast<ssize_t>(v10.size()));
  std::string plain;
  for (ssize_t k; (k = ::recv(old, buf, sizeof buf, 0)) > 0;) plain.append(buf, static_cast<size_t>(k));
  ::close(old);
  const size_t body = plain.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_EQ(plain.find("Transfer-Encoding"), std::string::npos) << plain.substr(0, body);
  EXPECT_NE(plain.find("Connection: close"), std::string::npos);
  EXPECT_EQ(plain.size() - body - 4, 3000u * 1000);
}

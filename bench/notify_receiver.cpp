// Notification receiver for bench/subscriptions.sh: a Boost.Beast HTTP server (one thread per
// connection) that answers 204 to every POST and records, per notification, the time from the
// notified attribute's modifiedAt (set when the update was accepted) to its arrival here.
// GET /stats answers "count p50_ms p99_ms max_ms" and starts a new measurement.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include <rapidjson/document.h>
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include "util/time.h"

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

std::mutex mu;
std::vector<double> latencies_ms;

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void record(const std::string& body) {
  const double arrived = now_ms();
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  if (!d.IsObject() || !d.HasMember("data") || !d["data"].IsArray()) return;
  std::lock_guard lock(mu);
  for (const auto& e : d["data"].GetArray()) {
    if (!e.IsObject() || !e.HasMember("speed") || !e["speed"].IsObject() || !e["speed"].HasMember("modifiedAt"))
      continue;
    const auto& m = e["speed"]["modifiedAt"];
    if (auto t = dejima::parse_iso8601(std::string_view(m.GetString(), m.GetStringLength())))
      latencies_ms.push_back(arrived - static_cast<double>(*t));
  }
}

std::string stats() {
  std::lock_guard lock(mu);
  std::vector<double> v;
  v.swap(latencies_ms);
  if (v.empty()) return "0 0 0 0\n";
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))]; };
  char buf[128];
  std::snprintf(buf, sizeof buf, "%zu %.1f %.1f %.1f\n", v.size(), at(0.5), at(0.99), v.back());
  return buf;
}

void serve(tcp::socket socket) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) return;
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    if (req.method() == http::verb::get) {
      res.result(http::status::ok);
      res.body() = stats();
    } else {
      record(req.body());
      res.result(http::status::no_content);
    }
    res.prepare_payload();
    http::write(socket, res, ec);
    if (ec || !req.keep_alive()) return;
  }
}

}  // namespace

int main() {
  boost::asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  std::printf("listening 127.0.0.1:%u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  for (;;) {
    tcp::socket socket(io);
    acceptor.accept(socket);
    socket.set_option(tcp::no_delay(true));
    std::thread(serve, std::move(socket)).detach();
  }
}

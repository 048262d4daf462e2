#include "ngsiv2/admin_handlers.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include <spdlog/spdlog.h>

#include "http/problem.h"

namespace dejima::ngsiv2 {
namespace {

using Params = std::vector<std::string>;

http::Response json_body(unsigned status, std::string body) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

// Orion's names of the levels: NONE (its "fatal"), ERROR, WARN, INFO, DEBUG.
std::string level_name(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
    case spdlog::level::debug: return "DEBUG";
    case spdlog::level::info: return "INFO";
    case spdlog::level::warn: return "WARN";
    case spdlog::level::err: return "ERROR";
    default: return "NONE";
  }
}

std::optional<spdlog::level::level_enum> level_of(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (text == "none" || text == "fatal") return spdlog::level::off;
  if (text == "error") return spdlog::level::err;
  if (text == "warning" || text == "warn") return spdlog::level::warn;
  if (text == "info") return spdlog::level::info;
  if (text == "debug") return spdlog::level::debug;
  return std::nullopt;
}

}  // namespace

void add_admin_routes(http::Router& r) {
  r.add(http::Method::Get, "/statistics", {http::Need::Open},
        [started = std::chrono::steady_clock::now()](const http::Request&, const Params&, http::Reply reply) {
    const auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    const std::string secs = std::to_string(up.count());
    reply(json_body(200, R"({"uptime_in_secs":)" + secs + R"(,"measuring_interval_in_secs":)" + secs + "}"));
  });
  r.add(http::Method::Get, "/admin/log", {http::Need::Operator},
        [](const http::Request&, const Params&, http::Reply reply) {
    reply(json_body(200, R"({"level":")" + level_name(spdlog::default_logger()->level()) + R"("})"));
  });
  r.add(http::Method::Put, "/admin/log", {http::Need::Operator},
        [](const http::Request& req, const Params&, http::Reply reply) {
    const std::string* text = req.param("level");
    if (!text) return reply(http::orion_error(Error{ErrorKind::BadRequestData, "BadRequest", "log config missing"}));
    auto level = level_of(*text);
    if (!level) return reply(http::orion_error(Error{ErrorKind::BadRequestData, "BadRequest", "invalid log level"}));
    spdlog::warn("log level set to {} through /admin/log", level_name(*level));  // before it may silence this
    spdlog::set_level(*level);
    http::Response ok;
    ok.status = 200;
    reply(std::move(ok));
  });
}

}  // namespace dejima::ngsiv2

#include "manage/json_body.h"

namespace dejima::manage {

Status parse_json_body(const http::Request& req, json::Document& doc, std::string_view what) {
  if (!req.header("Content-Type").starts_with("application/json"))
    return fail(ErrorKind::UnsupportedMediaType, "Unsupported media type",
                "send the " + std::string(what) + " as application/json");
  if (auto err = json::parse(doc, req.body); !err.empty()) return fail(ErrorKind::InvalidRequest, "Invalid JSON", err);
  return {};
}

http::Response status_only(unsigned status) {
  http::Response r;
  r.status = status;
  return r;
}

http::Response created(std::string location, std::string body) {
  http::Response r = body.empty() ? status_only(201) : http::json_body(201, std::move(body));
  r.header("Location", std::move(location));
  return r;
}

}  // namespace dejima::manage

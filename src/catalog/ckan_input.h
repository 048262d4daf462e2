// What every CKAN action reads and how it fails: its parameters (the JSON object of a POST, else
// the URL's query) and CKAN's error kinds (404 Not Found Error, 409 Validation Error naming the
// field, 409 Search Query Error).
#pragma once
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"
#include "util/json.h"

namespace dejima::catalog {

class Input {
 public:
  explicit Input(const http::Request& req);
  const std::string& error() const { return parsed_error_; }  // a POST body that is not a JSON object
  // A parameter as text (a JSON number or bool as written, an array or object as JSON), if given.
  std::optional<std::string> text(std::string_view name) const;
  bool flag(std::string_view name) const;  // true, True or 1

 private:
  const http::Request& req_;
  json::Document doc_;
  std::string parsed_error_;
  bool body_ = false;
};

struct Failure {
  unsigned status;
  std::string type, message;
  std::string field;  // a Validation Error's field
};
using Outcome = std::expected<std::string, Failure>;  // the action's result, as JSON

Failure not_found();
Failure invalid(std::string_view field, std::string message);  // 409 Validation Error
// A non-negative integer parameter no larger than `max`.
std::expected<size_t, Failure> integer(const Input& in, std::string_view name, size_t fallback, size_t max);
// A list parameter: a JSON array of strings (["tags","organization"]), or comma-separated names
// when `commas`, or one name.
std::expected<std::vector<std::string>, Failure> names(const Input& in, std::string_view name, bool commas = false);

}  // namespace dejima::catalog

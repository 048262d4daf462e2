#include "catalog/ckan_input.h"

#include <charconv>

namespace dejima::catalog {

Input::Input(const http::Request& req) : req_(req) {
  if (req.method == http::Method::Post && !req.body.empty()) {
    parsed_error_ = json::parse(doc_, req.body);
    if (parsed_error_.empty() && !doc_.IsObject()) parsed_error_ = "the body is not a JSON object";
    body_ = parsed_error_.empty();
  }
}

std::optional<std::string> Input::text(std::string_view name) const {
  if (body_) {
    const json::Value* v = json::member(doc_, name);
    if (!v || v->IsNull()) return std::nullopt;
    return v->IsString() ? std::string(json::view(*v)) : json::to_string(*v);
  }
  const std::string* p = req_.param(name);
  return p ? std::optional<std::string>(*p) : std::nullopt;
}

bool Input::flag(std::string_view name) const {
  auto t = text(name);
  return t && (*t == "true" || *t == "True" || *t == "1");
}

Failure not_found() { return {404, "Not Found Error", "Not found"}; }

Failure invalid(std::string_view field, std::string message) {
  return {409, "Validation Error", std::move(message), std::string(field)};
}

std::expected<size_t, Failure> integer(const Input& in, std::string_view name, size_t fallback, size_t max) {
  auto t = in.text(name);
  if (!t) return fallback;
  size_t v = 0;
  auto [p, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
  if (ec != std::errc() || p != t->data() + t->size()) return std::unexpected(invalid(name, "Invalid integer"));
  if (v > max) return std::unexpected(invalid(name, "Must be less than or equal to " + std::to_string(max)));
  return v;
}

std::expected<std::vector<std::string>, Failure> names(const Input& in, std::string_view name, bool commas) {
  auto t = in.text(name);
  std::vector<std::string> out;
  if (!t) return out;
  if (t->starts_with('[')) {
    json::Document d;
    if (!json::parse(d, *t).empty() || !d.IsArray()) return std::unexpected(invalid(name, "Not a JSON list"));
    for (const auto& v : d.GetArray()) {
      if (!v.IsString()) return std::unexpected(invalid(name, "Not a list of strings"));
      out.emplace_back(json::view(v));
    }
    return out;
  }
  if (!commas) {
    out.push_back(*t);
    return out;
  }
  size_t from = 0;
  while (from <= t->size()) {
    const size_t comma = std::min(t->find(',', from), t->size());
    std::string item = t->substr(from, comma - from);
    while (item.starts_with(' ')) item.erase(0, 1);
    while (item.ends_with(' ')) item.pop_back();
    if (!item.empty()) out.push_back(std::move(item));
    from = comma + 1;
  }
  return out;
}

}  // namespace dejima::catalog

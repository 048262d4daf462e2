#include "access/tenant_record.h"

#include <algorithm>

namespace dejima::access {
namespace {

constexpr std::string_view kKinds[] = {"prefecture", "city", "town", "village", "other"};

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 64 || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

Status bad(std::string detail) { return fail(ErrorKind::BadRequestData, "Invalid tenant", std::move(detail)); }

Result<std::string> text_member(const json::Value& v, const char* key, size_t max) {
  if (!v.IsString()) return fail(ErrorKind::BadRequestData, "Invalid tenant", std::string(key) + " must be a string");
  if (v.GetStringLength() > max)
    return fail(ErrorKind::BadRequestData, "Invalid tenant", std::string(key) + " is longer than it may be");
  return std::string(json::view(v));
}

}  // namespace

int local_government_check_digit(std::string_view code5) {
  if (code5.size() != 5 || !std::all_of(code5.begin(), code5.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  int sum = 0;
  for (size_t i = 0; i < 5; ++i) sum += (code5[i] - '0') * static_cast<int>(6 - i);
  return (11 - sum % 11) % 10;
}

bool valid_local_government_code(std::string_view code) {
  return code.size() == 6 && local_government_check_digit(code.substr(0, 5)) == code[5] - '0';
}

void write_tenant(json::Writer& w, const TenantRecord& t) {
  w.StartObject();
  w.Key("name");
  json::write_string(w, t.name.empty() ? kDefaultTenantAlias : std::string_view(t.name));
  w.Key("nameJa");
  json::write_string(w, t.name_ja);
  w.Key("nameEn");
  json::write_string(w, t.name_en);
  w.Key("code");
  json::write_string(w, t.code);
  w.Key("kind");
  json::write_string(w, t.kind);
  w.Key("population");
  w.Int64(t.population);
  w.Key("publicTypes");
  w.StartArray();
  for (const auto& p : t.public_types) json::write_string(w, p);
  w.EndArray();
  w.Key("createdAt");
  json::write_string(w, format_iso8601(t.created_at));
  w.Key("modifiedAt");
  json::write_string(w, format_iso8601(t.modified_at));
  w.EndObject();
}

std::string tenant_json(const TenantRecord& t) {
  return json::written([&](json::Writer& w) { write_tenant(w, t); });
}

Status apply_tenant_fields(const json::Value& body, TenantRecord& t, bool creating) {
  if (!body.IsObject()) return bad("the body must be a JSON object");
  for (const auto& m : body.GetObject()) {
    const std::string_view key = json::view(m.name);
    if (key == "name") {
      if (!creating) {
        if (!m.value.IsString() ||
            json::view(m.value) != (t.name.empty() ? kDefaultTenantAlias : std::string_view(t.name)))
          return bad("a tenant's name cannot change");
        continue;
      }
      auto n = text_member(m.value, "name", 64);
      if (!n) return std::unexpected(n.error());
      if (!valid_name(*n)) return bad("name must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
      if (*n == kDefaultTenantAlias) return bad("'default' names the default tenant, which is always registered");
      t.name = std::move(*n);
    } else if (key == "nameJa" || key == "nameEn") {
      auto n = text_member(m.value, key == "nameJa" ? "nameJa" : "nameEn", 200);
      if (!n) return std::unexpected(n.error());
      (key == "nameJa" ? t.name_ja : t.name_en) = std::move(*n);
    } else if (key == "code") {
      auto c = text_member(m.value, "code", 6);
      if (!c) return std::unexpected(c.error());
      if (!c->empty() && !valid_local_government_code(*c))
        return bad("code must be a 6-digit 全国地方公共団体コード whose last digit is its check digit");
      t.code = std::move(*c);
    } else if (key == "kind") {
      auto k = text_member(m.value, "kind", 16);
      if (!k) return std::unexpected(k.error());
      if (std::find(std::begin(kKinds), std::end(kKinds), *k) == std::end(kKinds))
        return bad("kind must be one of prefecture, city, town, village, other");
      t.kind = std::move(*k);
    } else if (key == "population") {
      if (!m.value.IsInt64() || m.value.GetInt64() < 0) return bad("population must be a non-negative integer");
      t.population = m.value.GetInt64();
    } else if (key == "publicTypes") {
      if (!m.value.IsArray()) return bad("publicTypes must be an array of entity type names");
      std::vector<std::string> types;
      for (const auto& v : m.value.GetArray()) {
        if (!v.IsString() || v.GetStringLength() == 0 || v.GetStringLength() > 512)
          return bad("publicTypes must be an array of entity type names");
        types.emplace_back(json::view(v));
      }
      t.public_types = std::move(types);
    } else if (key == "createdAt" || key == "modifiedAt") {
      continue;  // kept by Dejima; a GET's answer may be sent back as it is
    } else {
      return bad("unknown member '" + std::string(key) + "'");
    }
  }
  if (creating && t.name.empty()) return bad("name is required");
  if (t.kind.empty()) t.kind = "other";
  return {};
}

Result<TenantRecord> stored_tenant(std::string_view body) {
  json::Document doc;
  const json::Value* name = nullptr;
  if (auto err = json::parse_stored(doc, body); err.empty() && doc.IsObject())
    if (auto it = doc.FindMember("name"); it != doc.MemberEnd() && it->value.IsString()) name = &it->value;
  if (!name) return fail(ErrorKind::InternalError, "Damaged tenant record", std::string(body.substr(0, 200)));
  TenantRecord t;
  if (json::view(*name) != kDefaultTenantAlias) t.name = json::view(*name);
  if (auto s = apply_tenant_fields(doc, t, false); !s) return std::unexpected(s.error());
  for (auto [key, field] : {std::pair{"createdAt", &t.created_at}, std::pair{"modifiedAt", &t.modified_at}})
    if (auto it = doc.FindMember(key); it != doc.MemberEnd() && it->value.IsString())
      if (auto ms = parse_iso8601(json::view(it->value))) *field = *ms;
  return t;
}

}  // namespace dejima::access

#include "access/service_record.h"

#include <algorithm>

namespace dejima::access {
namespace {

constexpr std::string_view kOperations[] = {"read", "temporal", "write", "subscribe", "admin"};

Status bad(std::string detail) { return fail(ErrorKind::BadRequestData, "Invalid service", std::move(detail)); }

using json::member;

std::string text(const json::Value& o, const char* key) {
  const auto* v = member(o, key);
  return v && v->IsString() ? std::string(json::view(*v)) : std::string();
}

Millis time_member(const json::Value& o, const char* key) {
  const auto* v = member(o, key);
  if (!v || !v->IsString()) return 0;
  return parse_iso8601(json::view(*v)).value_or(0);
}

Result<std::vector<std::string>> strings(const json::Value& v, const char* what) {
  if (!v.IsArray()) return fail(ErrorKind::BadRequestData, "Invalid service", std::string(what) + " must be an array");
  std::vector<std::string> out;
  for (const auto& item : v.GetArray()) {
    if (!item.IsString() || item.GetStringLength() == 0 || item.GetStringLength() > 512)
      return fail(ErrorKind::BadRequestData, "Invalid service", std::string(what) + " must hold non-empty strings");
    out.emplace_back(json::view(item));
  }
  return out;
}

Result<Scope> parse_scope(const json::Value& v) {
  if (!v.IsObject()) return fail(ErrorKind::BadRequestData, "Invalid service", "a scope must be an object");
  Scope s;
  for (const auto& m : v.GetObject()) {
    const std::string_view key = json::view(m.name);
    auto list = strings(m.value, key == "types" ? "types" : "operations");
    if (!list) return std::unexpected(list.error());
    if (key == "types")
      s.types = std::move(*list);
    else if (key == "operations")
      s.operations = std::move(*list);
    else
      return fail(ErrorKind::BadRequestData, "Invalid service", "unknown scope member '" + std::string(key) + "'");
  }
  if (s.operations.empty()) return fail(ErrorKind::BadRequestData, "Invalid service", "a scope needs operations");
  for (const auto& op : s.operations)
    if (!valid_operation(op))
      return fail(ErrorKind::BadRequestData, "Invalid service",
                  "unknown operation '" + op + "' (read, temporal, write, subscribe, admin)");
  if (!s.types.empty() && (s.allows("write") || s.allows("subscribe") || s.allows("admin")))
    return fail(ErrorKind::BadRequestData, "Invalid service",
                "types restrict read and temporal scopes; give write, subscribe and admin in a scope without types");
  return s;
}

void write_strings(json::Writer& w, const std::vector<std::string>& items) {
  w.StartArray();
  for (const auto& i : items) json::write_string(w, i);
  w.EndArray();
}

void write_fields(json::Writer& w, const ServiceRecord& s) {
  w.Key("id");
  json::write_string(w, s.id);
  w.Key("tenant");
  json::write_string(w, s.tenant.empty() ? "default" : s.tenant);
  for (auto [key, value] : {std::pair{"name", &s.name}, std::pair{"owner", &s.owner}, std::pair{"contact", &s.contact},
                            std::pair{"purpose", &s.purpose}}) {
    w.Key(key);
    json::write_string(w, *value);
  }
  w.Key("scopes");
  w.StartArray();
  for (const auto& sc : s.scopes) {
    w.StartObject();
    w.Key("types");
    write_strings(w, sc.types);
    w.Key("operations");
    write_strings(w, sc.operations);
    w.EndObject();
  }
  w.EndArray();
  w.Key("rateLimit");
  w.StartObject();
  w.Key("perSecond");
  w.Double(s.rate_limit.per_second);
  w.Key("burst");
  w.Uint(s.rate_limit.burst);
  w.EndObject();
  w.Key("dailyQuota");
  w.Int64(s.daily_quota);
  w.Key("createdAt");
  json::write_string(w, format_iso8601(s.created_at));
}

}  // namespace

bool valid_operation(std::string_view op) {
  return std::find(std::begin(kOperations), std::end(kOperations), op) != std::end(kOperations);
}

bool Scope::allows(std::string_view op) const {
  return std::find(operations.begin(), operations.end(), op) != operations.end();
}

Status apply_service_fields(const json::Value& body, ServiceRecord& s) {
  if (!body.IsObject()) return bad("the body must be a JSON object");
  for (const auto& m : body.GetObject()) {
    const std::string_view key = json::view(m.name);
    if (key == "name" || key == "owner" || key == "contact" || key == "purpose") {
      if (!m.value.IsString() || m.value.GetStringLength() > 500)
        return bad(std::string(key) + " must be a string of at most 500 bytes");
      std::string& field = key == "name" ? s.name : key == "owner" ? s.owner : key == "contact" ? s.contact : s.purpose;
      field = json::view(m.value);
    } else if (key == "scopes") {
      if (!m.value.IsArray()) return bad("scopes must be an array");
      std::vector<Scope> scopes;
      for (const auto& v : m.value.GetArray()) {
        auto sc = parse_scope(v);
        if (!sc) return std::unexpected(sc.error());
        scopes.push_back(std::move(*sc));
      }
      s.scopes = std::move(scopes);
    } else if (key == "rateLimit") {
      if (!m.value.IsObject()) return bad("rateLimit must be an object {perSecond, burst}");
      const auto* ps = member(m.value, "perSecond");
      const auto* burst = member(m.value, "burst");
      // Bounded, so that the default burst and the seconds a refused caller waits stay small integers.
      if (!ps || !ps->IsNumber() || !(ps->GetDouble() == 0 || (ps->GetDouble() >= 0.001 && ps->GetDouble() <= 1e6)))
        return bad("rateLimit.perSecond must be 0 (none) or a number from 0.001 to 1000000");
      if (burst && (!burst->IsUint() || burst->GetUint() > 1000000))
        return bad("rateLimit.burst must be an integer from 0 to 1000000");
      s.rate_limit.per_second = ps->GetDouble();
      s.rate_limit.burst = burst ? burst->GetUint() : static_cast<unsigned>(std::max(1.0, ps->GetDouble()));
    } else if (key == "dailyQuota") {
      if (!m.value.IsInt64() || m.value.GetInt64() < 0) return bad("dailyQuota must be an integer >= 0");
      s.daily_quota = m.value.GetInt64();
    } else if (key == "id" || key == "tenant" || key == "createdAt" || key == "keys") {
      continue;  // kept by Dejima
    } else {
      return bad("unknown member '" + std::string(key) + "'");
    }
  }
  if (s.name.empty()) return bad("name is required");
  if (s.scopes.empty()) return bad("scopes are required: what may the service's keys do?");
  return {};
}

void write_key(json::Writer& w, const KeyRecord& k) {
  w.StartObject();
  w.Key("id");
  json::write_string(w, k.id);
  w.Key("createdAt");
  json::write_string(w, format_iso8601(k.created_at));
  if (k.expires_at) {
    w.Key("expiresAt");
    json::write_string(w, format_iso8601(k.expires_at));
  }
  if (k.revoked_at) {
    w.Key("revokedAt");
    json::write_string(w, format_iso8601(k.revoked_at));
  }
  w.EndObject();
}

void write_service(json::Writer& w, const ServiceRecord& s, const std::vector<KeyRecord>& keys) {
  w.StartObject();
  write_fields(w, s);
  w.Key("keys");
  w.StartArray();
  for (const auto& k : keys) write_key(w, k);
  w.EndArray();
  w.EndObject();
}

std::string stored_service_json(const ServiceRecord& s) {
  return json::written([&](json::Writer& w) {
    w.StartObject();
    write_fields(w, s);
    w.EndObject();
  });
}

Result<ServiceRecord> stored_service(std::string_view body) {
  json::Document doc;
  if (auto err = json::parse_stored(doc, body); !err.empty() || !doc.IsObject())
    return fail(ErrorKind::InternalError, "Damaged service record", std::string(body.substr(0, 200)));
  ServiceRecord s;
  if (auto st = apply_service_fields(doc, s); !st) return std::unexpected(st.error());
  s.id = text(doc, "id");
  s.tenant = text(doc, "tenant");
  if (s.tenant == "default") s.tenant.clear();
  s.created_at = time_member(doc, "createdAt");
  return s;
}

std::string stored_key_json(const KeyRecord& k) {
  return json::written([&](json::Writer& w) {
    w.StartObject();
    w.Key("id");
    json::write_string(w, k.id);
    w.Key("tenant");
    json::write_string(w, k.tenant);
    w.Key("service");
    json::write_string(w, k.service);
    w.Key("operator");
    w.Bool(k.operator_key);
    w.Key("hash");
    json::write_string(w, k.hash);
    w.Key("createdAt");
    json::write_string(w, format_iso8601(k.created_at));
    w.Key("expiresAt");
    json::write_string(w, k.expires_at ? format_iso8601(k.expires_at) : "");
    w.Key("revokedAt");
    json::write_string(w, k.revoked_at ? format_iso8601(k.revoked_at) : "");
    w.EndObject();
  });
}

Result<KeyRecord> stored_key(std::string_view body) {
  json::Document doc;
  if (auto err = json::parse_stored(doc, body); !err.empty() || !doc.IsObject())
    return fail(ErrorKind::InternalError, "Damaged key record", std::string(body.substr(0, 200)));
  KeyRecord k;
  k.id = text(doc, "id");
  k.tenant = text(doc, "tenant");
  k.service = text(doc, "service");
  const auto* op = member(doc, "operator");
  k.operator_key = op && op->IsBool() && op->GetBool();
  k.hash = text(doc, "hash");
  k.created_at = time_member(doc, "createdAt");
  k.expires_at = time_member(doc, "expiresAt");
  k.revoked_at = time_member(doc, "revokedAt");
  if (k.id.empty() || k.hash.size() != 64)
    return fail(ErrorKind::InternalError, "Damaged key record", std::string(body.substr(0, 200)));
  return k;
}

}  // namespace dejima::access

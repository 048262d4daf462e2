#include "ngsiv2/fields.h"

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "ngsiv2/attribute.h"
#include "ngsiv2/request_context.h"
#include "util/regex.h"
#include "util/time.h"
#include "util/uri.h"

namespace dejima::ngsiv2 {

std::unexpected<Error> bad(std::string text) { return std::unexpected(bad_request(std::move(text))); }

bool forbidden(std::string_view s) { return std::any_of(s.begin(), s.end(), forbidden_in_text); }
bool forbidden_name(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return forbidden_in_text(c) || c <= ' ' || c >= 0x7f; });
}

Status opt_string(const json::Value& v, const char* name, std::string_view what, std::string& out, bool& given) {
  given = false;
  const auto* m = json::member(v, name);
  if (!m) return {};
  if (!m->IsString()) return bad(std::string(what.empty() ? name : what) + " is not a string");
  out = std::string(json::view(*m));
  given = true;
  return {};
}

Status opt_bool(const json::Value& v, const char* name, bool& out) {
  const auto* m = json::member(v, name);
  if (!m) return {};
  if (!m->IsBool()) return bad(std::string(name) + " is not a bool");
  out = m->GetBool();
  return {};
}

Status opt_int(const json::Value& v, const char* name, std::int64_t& out, bool& given) {
  given = false;
  const auto* m = json::member(v, name);
  if (!m) return {};
  if (!m->IsInt64()) return bad(std::string(name) + " is not an int");
  out = m->GetInt64();
  given = true;
  return {};
}

Status string_vector(const json::Value& v, const std::string& field, std::vector<std::string>& out) {
  out.clear();
  if (!v.IsArray()) return bad("the field /" + field + "/ must be a JSON array");
  for (const auto& e : v.GetArray()) {
    if (!e.IsString()) return bad("only JSON Strings allowed in string vector /" + field + "/");
    std::string s(json::view(e));
    if (std::find(out.begin(), out.end(), s) != out.end()) return bad("duplicated item /" + s + "/ in array");
    if (forbidden(s)) return bad("forbidden characters in attribute name");
    if (s.empty()) return bad("empty string found in string vector /" + field + "/");
    out.push_back(std::move(s));
  }
  return {};
}

Status parse_entities(const json::Value& v, std::vector<EntitySpec>& out) {
  out.clear();
  if (!v.IsArray()) return bad("/entities/ is not an array");
  for (const auto& e : v.GetArray()) {
    if (!e.IsObject()) return bad("/entities/ vector item is not an object");
    const bool id = e.HasMember("id"), pattern = e.HasMember("idPattern");
    if (!id && !pattern) return bad("/entities/ vector item does not have /id/ nor /idPattern/");
    if (id && pattern) return bad("/entities/ vector item has both /id/ and /idPattern/");
    if (e.HasMember("type") && e.HasMember("typePattern"))
      return bad("/entities/ element has both /type/ and /typePattern/");
    EntitySpec es;
    bool given = false;
    if (auto st = opt_string(e, "id", "/entities/ vector item /id/", es.id, given); !st) return st;
    if (id && es.id.empty()) return bad("/entities/ element id is empty");
    if (forbidden_name(es.id)) return bad("forbidden characters in /entities/ vector item /id/");
    if (es.id.size() > 256) return bad("max id length exceeded in /entities/ vector item /id/");
    if (auto st = opt_string(e, "idPattern", "/entities/ vector item /idPattern/", es.id_pattern, given); !st)
      return st;
    if (pattern && es.id_pattern.empty()) return bad("/entities/ vector item /idPattern/ is empty");
    if (pattern && !Regex::compile(es.id_pattern)) return bad("Invalid regex for entity idPattern");
    if (auto st = opt_string(e, "type", "/entities/ vector item /type/", es.type, given); !st) return st;
    if (given && es.type.empty()) return bad("entity type length: 0, min length supported: 1");
    if (forbidden_name(es.type)) return bad("forbidden characters in /entities/ vector item /type/");
    if (es.type.size() > 256) return bad("max type length exceeded in /entities/ vector item /type/");
    if (auto st = opt_string(e, "typePattern", "/entities/ vector item /typePattern/", es.type_pattern, given); !st)
      return st;
    if (given && es.type_pattern.empty()) return bad("/entities/ vector item /typePattern/ is empty");
    if (given && !Regex::compile(es.type_pattern)) return bad("Invalid regex for entity typePattern");
    out.push_back(std::move(es));
  }
  return {};
}

bool valid_url(std::string_view url) {
  size_t rest = 0;
  if (url.starts_with("http://"))
    rest = 7;
  else if (url.starts_with("https://"))
    rest = 8;
  else
    return false;
  std::string_view authority = url.substr(rest, url.find('/', rest) - rest);
  if (authority.empty()) return false;
  if (authority.front() == '[') return authority.find(']') != std::string_view::npos;
  if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    if (colon == 0 || port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(port)) > 65535)
      return false;
  }
  return true;
}

std::string new_object_id() {
  static const std::string process = random_uuid().substr(0, 8) + random_uuid().substr(9, 2);  // 5 bytes
  static std::atomic<std::uint32_t> counter{0};
  char head[9], tail[7];
  std::snprintf(head, sizeof head, "%08x", static_cast<unsigned>(now_millis() / 1000));
  std::snprintf(tail, sizeof tail, "%06x", static_cast<unsigned>(counter.fetch_add(1) & 0xffffff));
  return head + process + tail;
}

}  // namespace dejima::ngsiv2

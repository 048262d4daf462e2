// libFuzzer target for the access model's parsers of untrusted text: the first byte of the input
// picks the parser, the rest is its input — the credentials of a request (an Authorization
// header, an X-API-Key header, a Cookie header), the JSON bodies of the registry's resources (a
// tenant, a service) and a stored user record. Credentials give a key, nothing, or a 401; bodies a value or a 400; a
// tenant or a service that was accepted must read back from its stored form as it was written.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "access/gate.h"
#include "access/service_record.h"
#include "access/tenant_record.h"
#include "access/user_record.h"
#include "util/json.h"

using namespace dejima;

namespace {

void credentials(std::string_view header, std::string_view value) {
  http::Request req;
  req.headers.emplace_back(header, value);
  auto c = access::presented_credentials(req);
  if (!c && c.error().kind != ErrorKind::Unauthorized) std::abort();
  if (c && c->kind != access::Credentials::Kind::None && (c->text.empty() || c->text.size() > 8192)) std::abort();
  if (c && c->kind != access::Credentials::Kind::None && value.find(c->text) == std::string_view::npos) std::abort();
}

// A user record as a session or a token would carry it: it reads back from its stored form.
void user_record(std::string_view text) {
  auto u = access::stored_user(text);
  if (!u) return;
  if (!access::valid_user_name(u->name)) std::abort();
  auto back = access::stored_user(access::stored_user_json(*u));
  if (!back || access::stored_user_json(*back) != access::stored_user_json(*u)) std::abort();
}

void tenant_body(std::string_view text) {
  json::Document doc;
  if (!json::parse(doc, text).empty()) return;
  access::TenantRecord t;
  auto s = access::apply_tenant_fields(doc, t, true);
  if (!s) {
    if (s.error().kind != ErrorKind::BadRequestData) std::abort();
    return;
  }
  auto back = access::stored_tenant(access::tenant_json(t));
  if (!back || access::tenant_json(*back) != access::tenant_json(t)) std::abort();
}

void service_body(std::string_view text) {
  json::Document doc;
  if (!json::parse(doc, text).empty()) return;
  access::ServiceRecord s;
  auto st = access::apply_service_fields(doc, s);
  if (!st) {
    if (st.error().kind != ErrorKind::BadRequestData) std::abort();
    return;
  }
  auto back = access::stored_service(access::stored_service_json(s));
  if (!back || access::stored_service_json(*back) != access::stored_service_json(s)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0: credentials("Authorization", text); break;
    case 1: credentials("X-API-Key", text); break;
    case 2: tenant_body(text); break;
    case 3: service_body(text); break;
    case 4: credentials("Cookie", text); break;
    case 5: user_record(text); break;
  }
  return 0;
}

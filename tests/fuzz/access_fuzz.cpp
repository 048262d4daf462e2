// libFuzzer target for the access model's parsers of untrusted text: the first byte of the input
// picks the parser, the rest is its input — the credentials of a request (an Authorization
// header, an X-API-Key header, a Cookie header), the JSON bodies of the registry's resources (a
// tenant, a service) and a stored user record. Credentials give a key, nothing, or a 401; bodies a value or a 400; a
// tenant or a service that was accepted must read back from its stored form as it was written.
// Identity providers' tokens: a JWT is parsed and checked against two fixed public keys (RSA and
// EC P-256; the seeds jwt_rs256 and jwt_es256 are signed with their private halves, so mutations of
// them reach the signature and claims checks), and a JWKS document is read; both give a value or an
// Unauthorized / BadRequestData error.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "access/gate.h"
#include "access/jwt.h"
#include "access/oidc.h"
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

// The public halves of the keys that signed the JWT seeds (tests/fuzz/seeds/access/jwt_*).
constexpr std::string_view kFuzzJwks =
    R"({"keys":[{"kty":"RSA","n":"vWYlozd5BaZKLfrv3ri81qlLhQuoYIipEo4xQqIA6ID14_foJVZLDcY2EBm2gtvoW68uj02rjBTQZq1VLhrfi1g)"
    R"(R-GZOogbn_8HaWV4ng_2KtIcI7JGH4bega6ltN2Ccp4GiPENaLvYFeu1ndXR22EVPKgB_rRItoc5-e8Ro2kebHS1yFMkzxqYaoQxoWKECPvWoMMA3ZN)"
    R"(guLSnzlhNOodk7M5cVqR9l6OJxU8BC8aZllWJJZ-VoNFtYU-l0nmtfEswCQ3_LE27YpA3G679owQgQT2RgJqHeNfuaEA9sSI1kwze7PmMJk38gm6mz-)"
    R"(9s3Vw0knFIk6ViUZIwem91ygw","e":"AQAB","kid":"fuzz-rsa","alg":"RS256"},)"
    R"({"kty":"EC","crv":"P-256","x":"J4H39dzJuiX5ez83xww5GGqgXUen5SoaAAjptbfEmZI",)"
    R"("y":"YhNz8yXt_U-kGB7Bbf2lF47037ETW5-Pe6p36uah2w","kid":"fuzz-ec"}]})";

const std::vector<access::jwt::PublicKey>& fuzz_keys() {
  static const auto keys = [] {
    auto k = access::jwt::parse_jwks(kFuzzJwks);
    if (!k || k->size() != 2) std::abort();
    return *k;
  }();
  return keys;
}

void expect_unauthorized(const Error& e) {
  if (e.kind != ErrorKind::Unauthorized || e.detail.empty()) std::abort();
}

void jwt_token(std::string_view text) {
  auto token = access::jwt::parse(text);
  if (!token) return expect_unauthorized(token.error());
  if (!token->claims || !token->claims->IsObject()) std::abort();
  // The roles claim is read from verified tokens only, but its reader must take any claims.
  for (const auto& path : {std::vector<std::string>{"dejima_roles"}, std::vector<std::string>{"realm_access", "roles"}})
    if (auto u = access::oidc_user(*token->claims, path); !u.name.empty() && !u.name.starts_with("oidc:")) std::abort();
  for (const auto& key : fuzz_keys()) {
    auto s = access::jwt::verify_signature(*token, key);
    if (!s) {
      expect_unauthorized(s.error());
      continue;
    }
    const access::jwt::ClaimRules rules{.issuer = "https://sso.example.jp/realms/nagasaki", .audience = "dejima"};
    auto until = access::jwt::check_claims(*token, rules, 1'780'000'000'000);
    if (!until) expect_unauthorized(until.error());
  }
}

void jwks(std::string_view text) {
  auto keys = access::jwt::parse_jwks(text);
  if (!keys && keys.error().kind != ErrorKind::BadRequestData) std::abort();
  if (keys && keys->empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
    case 0: credentials("Authorization", text); break;
    case 1: credentials("X-API-Key", text); break;
    case 2: tenant_body(text); break;
    case 3: service_body(text); break;
    case 4: credentials("Cookie", text); break;
    case 5: user_record(text); break;
    case 6: jwt_token(text); break;
    case 7: jwks(text); break;
  }
  return 0;
}

// JWTs signed here with keys OpenSSL generates: RS256 and ES256 tokens that pass, and every
// refusal — expired, not yet valid, another audience or issuer, another key, alg "none", an HS256
// token keyed with the RSA public key, a tampered payload, garbage, unusable JWKs.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "access/jwt.h"
#include "access/jwt_signer.h"

using namespace dejima;
using namespace dejima::access;
using test::b64url;
using test::Signer;

namespace {

constexpr Millis kNow = 1'780'000'000'000;  // 2026-05-28
const jwt::ClaimRules kRules{.issuer = "https://sso.example.jp/realms/nagasaki", .audience = "dejima"};

const Signer& rsa() {
  static const Signer s(Signer::Kind::Rsa, "rsa-1");
  return s;
}
const Signer& ec() {
  static const Signer s(Signer::Kind::Ec, "ec-1");
  return s;
}

std::string claims(const std::string& extra = "", long exp_offset_s = 300, const std::string& aud = R"("dejima")",
                   const std::string& iss = kRules.issuer) {
  return R"({"iss":")" + iss + R"(","aud":)" + aud + R"(,"sub":"u-123","exp":)" +
         std::to_string(kNow / 1000 + exp_offset_s) + R"(,"iat":)" + std::to_string(kNow / 1000 - 10) + extra + "}";
}

jwt::PublicKey key_of(const Signer& s) {
  json::Document doc;
  EXPECT_EQ(json::parse(doc, s.jwk()), "");
  auto k = jwt::key_from_jwk(doc);
  EXPECT_TRUE(k) << (k ? "" : k.error().detail);
  return *k;
}

// The whole check: parse, signature with `key`, claims.
Status check(const std::string& token, const Signer& key, Millis now = kNow) {
  auto t = jwt::parse(token);
  if (!t) return std::unexpected(t.error());
  if (auto s = jwt::verify_signature(*t, key_of(key)); !s) return s;
  if (auto c = jwt::check_claims(*t, kRules, now); !c) return std::unexpected(c.error());
  return {};
}

Status parsed(const std::string& token) {
  auto t = jwt::parse(token);
  if (!t) return std::unexpected(t.error());
  return {};
}

std::string detail(const Status& s) { return s ? "(passed)" : s.error().detail; }

void expect_refused(const Status& s, const std::string& words) {
  ASSERT_FALSE(s) << "expected a refusal mentioning " << words;
  EXPECT_EQ(s.error().kind, ErrorKind::Unauthorized);
  EXPECT_NE(s.error().detail.find(words), std::string::npos) << s.error().detail;
}

}  // namespace

TEST(JwtTest, ValidRs256AndEs256TokensPass) {
  EXPECT_TRUE(check(rsa().token(claims()), rsa())) << detail(check(rsa().token(claims()), rsa()));
  EXPECT_TRUE(check(ec().token(claims()), ec())) << detail(check(ec().token(claims()), ec()));
  auto t = jwt::parse(ec().token(claims()));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kid, "ec-1");
  EXPECT_EQ(t->alg, jwt::Alg::ES256);
  auto until = jwt::check_claims(*t, kRules, kNow);
  ASSERT_TRUE(until);
  EXPECT_EQ(*until, kNow + 300'000 + kRules.skew_ms);
}

TEST(JwtTest, AudienceMayBeAnArray) {
  EXPECT_TRUE(check(rsa().token(claims("", 300, R"(["account","dejima"])")), rsa()));
  expect_refused(check(rsa().token(claims("", 300, R"(["account"])")), rsa()), "audience");
  expect_refused(check(rsa().token(claims("", 300, R"("other")")), rsa()), "audience");
  expect_refused(check(rsa().token(claims("", 300, "42")), rsa()), "audience");
}

TEST(JwtTest, ExpiryAndNotBeforeWithSkew) {
  expect_refused(check(rsa().token(claims("", -120)), rsa()), "expired");
  EXPECT_TRUE(check(rsa().token(claims("", -30)), rsa())) << "within the 60 s skew";
  expect_refused(check(rsa().token(claims(R"(,"nbf":)" + std::to_string(kNow / 1000 + 300))), rsa()), "nbf");
  EXPECT_TRUE(check(rsa().token(claims(R"(,"nbf":)" + std::to_string(kNow / 1000 + 30))), rsa()));
  const std::string no_exp = R"({"iss":")" + kRules.issuer + R"(","aud":"dejima","sub":"u"})";
  expect_refused(check(rsa().token(no_exp), rsa()), "exp");
  const std::string future_iat = R"({"iss":")" + kRules.issuer + R"(","aud":"dejima","sub":"u","exp":)" +
                                 std::to_string(kNow / 1000 + 900) + R"(,"iat":)" + std::to_string(kNow / 1000 + 600) +
                                 "}";
  expect_refused(check(rsa().token(future_iat), rsa()), "iat");
  expect_refused(check(rsa().token(claims(R"(,"nbf":"tomorrow")")), rsa()), "NumericDate");
}

TEST(JwtTest, WrongIssuerAndMissingSubject) {
  expect_refused(check(rsa().token(claims("", 300, R"("dejima")", "https://evil.example/realms/nagasaki")), rsa()),
                 "issuer");
  const std::string no_sub =
      R"({"iss":")" + kRules.issuer + R"(","aud":"dejima","exp":)" + std::to_string(kNow / 1000 + 300) + "}";
  expect_refused(check(rsa().token(no_sub), rsa()), "sub");
}

TEST(JwtTest, AnotherKeysSignatureFails) {
  const Signer other(Signer::Kind::Rsa, "rsa-1");  // same kid, another key
  expect_refused(check(other.token(claims()), rsa()), "signature");
  const Signer other_ec(Signer::Kind::Ec, "ec-1");
  expect_refused(check(other_ec.token(claims()), ec()), "signature");
}

TEST(JwtTest, AlgNoneIsRefused) {
  const std::string header = R"({"alg":"none","typ":"JWT"})";
  const std::string unsigned_token = b64url(header) + "." + b64url(claims()) + ".";
  expect_refused(parsed(unsigned_token), "none");
  expect_refused(parsed(b64url(header) + "." + b64url(claims()) + ".c2ln"), "none");
  expect_refused(parsed(b64url(R"({"alg":"None"})") + "." + b64url(claims()) + ".c2ln"), "None");
  expect_refused(parsed(b64url(R"({"typ":"JWT"})") + "." + b64url(claims()) + ".c2ln"), "alg");
}

TEST(JwtTest, Hs256KeyedWithTheRsaPublicKeyIsRefused) {
  const std::string input = b64url(R"({"alg":"HS256","kid":"rsa-1"})") + "." + b64url(claims());
  const std::string secret = rsa().public_pem();
  unsigned char mac[32];
  size_t mac_len = 0;
  ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                      reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof mac, &mac_len),
            nullptr);
  const std::string forged = input + "." + b64url(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
  expect_refused(check(forged, rsa()), "HS256");
}

TEST(JwtTest, AKeyOfAnotherKindThanTheAlgIsRefused) {
  // An ES256 header naming the RSA key, and the other way round.
  auto t = jwt::parse(ec().token(claims()));
  ASSERT_TRUE(t);
  expect_refused(jwt::verify_signature(*t, key_of(rsa())), "not for ES256");
  t = jwt::parse(rsa().token(claims()));
  ASSERT_TRUE(t);
  expect_refused(jwt::verify_signature(*t, key_of(ec())), "not for RS256");
  // A JWK whose own alg says RS384 does not verify RS256.
  std::string jwk = rsa().jwk();
  jwk.replace(jwk.find("RS256"), 5, "RS384");
  json::Document doc;
  ASSERT_EQ(json::parse(doc, jwk), "");
  auto k = jwt::key_from_jwk(doc);
  ASSERT_TRUE(k);
  expect_refused(jwt::verify_signature(*t, *k), "not for RS256");
}

TEST(JwtTest, TamperedPayloadFails) {
  const std::string token = rsa().token(claims());
  const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  std::string forged_claims = claims(R"(,"dejima_roles":["operator"])");
  const std::string tampered = token.substr(0, dot1 + 1) + b64url(forged_claims) + token.substr(dot2);
  expect_refused(check(tampered, rsa()), "signature");
  // A flipped signature bit, an ES256 signature of the wrong length.
  std::string flipped = token;
  flipped[flipped.size() - 3] = flipped[flipped.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(check(flipped, rsa()));
  const std::string es = ec().token(claims());
  expect_refused(check(es.substr(0, es.rfind('.') + 1) + b64url(std::string(63, 'x')), ec()), "64 bytes");
}

TEST(JwtTest, GarbageIsRefusedWithoutACrash) {
  for (const std::string& text : std::vector<std::string>{
           "", ".", "..", "...", "a.b.c", "a.b", "eyJhbGciOiJSUzI1NiJ9", "eyJhbGciOiJSUzI1NiJ9..",
           "eyJhbGciOiJSUzI1NiJ9.e30.", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln.x", "eyJhbGciOiJSUzI1NiJ9=.e30.c2ln",
           "e30.e30.c2ln", "W10.e30.c2ln", "bnVsbA.e30.c2ln", "eyJhbGciOiJSUzI1NiJ9.W10.c2ln",
           "eyJhbGciOiJSUzI1NiJ9.e30.c2ln+", "eyJhbGciOiJSUzI1NiIsImNyaXQiOlsiZXhwIl19.e30.c2ln",
           std::string(9000, 'a') + ".e30.c2ln"}) {
    auto t = jwt::parse(text);
    ASSERT_FALSE(t) << text;
    EXPECT_EQ(t.error().kind, ErrorKind::Unauthorized) << text;
  }
  // A deeply nested payload.
  const std::string deep = std::string(40, '[') + std::string(40, ']');
  expect_refused(parsed(b64url(R"({"alg":"RS256"})") + "." + b64url(R"({"a":)" + deep + "}") + ".c2ln"), "nested");
}

TEST(JwtTest, JwksKeepsOnlyUsableSigningKeys) {
  const std::string jwks = R"({"keys":[)" + rsa().jwk() + "," + ec().jwk() +
                           R"(,{"kty":"oct","k":"c2VjcmV0","kid":"h"},)" +
                           R"({"kty":"RSA","use":"enc","kid":"enc","n":"AQAB","e":"AQAB"},)" +
                           R"({"kty":"EC","crv":"P-384","kid":"p384","x":"AA","y":"AA"}]})";
  auto keys = jwt::parse_jwks(jwks);
  ASSERT_TRUE(keys) << keys.error().detail;
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].kid(), "rsa-1");
  EXPECT_EQ((*keys)[1].kid(), "ec-1");
  EXPECT_FALSE(jwt::parse_jwks(R"({"keys":[]})"));
  EXPECT_FALSE(jwt::parse_jwks(R"({"keys":{}})"));
  EXPECT_FALSE(jwt::parse_jwks("[]"));
  EXPECT_FALSE(jwt::parse_jwks("not json"));
}

TEST(JwtTest, WeakOrInvalidKeysAreRefused) {
  json::Document doc;
  // RSA 1024 bits.
  const std::string small_n = b64url(std::string(1, '\xc1') + std::string(127, '\x17'));
  ASSERT_EQ(json::parse(doc, R"({"kty":"RSA","n":")" + small_n + R"(","e":"AQAB"})"), "");
  auto k = jwt::key_from_jwk(doc);
  ASSERT_FALSE(k);
  EXPECT_NE(k.error().detail.find("1024 bits"), std::string::npos) << k.error().detail;
  // A point that is not on P-256.
  const std::string one = b64url(std::string(31, '\0') + "\x01");
  ASSERT_EQ(json::parse(doc, R"({"kty":"EC","crv":"P-256","x":")" + one + R"(","y":")" + one + R"("})"), "");
  EXPECT_FALSE(jwt::key_from_jwk(doc));
  ASSERT_EQ(json::parse(doc, R"({"kty":"EC","crv":"P-256","x":"AA","y":"AA"})"), "");
  EXPECT_FALSE(jwt::key_from_jwk(doc));
}

TEST(JwtTest, Base64urlIsStrict) {
  EXPECT_EQ(jwt::base64url_decode("c2ln"), "sig");
  EXPECT_EQ(jwt::base64url_decode("c2lnbg"), "sign");
  EXPECT_FALSE(jwt::base64url_decode("c2lnbg=="));
  EXPECT_FALSE(jwt::base64url_decode("c2l+"));
  EXPECT_FALSE(jwt::base64url_decode("c2lnbh"));  // non-zero trailing bits
}

TEST(JwtTest, ExcerptsCutBetweenCharacters) {
  EXPECT_EQ(jwt::excerpt("short", 10), "short");
  EXPECT_EQ(jwt::excerpt("あいう", 4), "あ…");
  EXPECT_EQ(jwt::excerpt("abcdef", 3), "abc…");
}

TEST(JwtTest, AP256KeyWithAShortCoordinateIsPadded) {
  // PyJWT 2.6 writes x and y without their leading zero bytes: this y has 31. The token is the
  // fuzz seed tests/fuzz/seeds/access/jwt_es256, signed by PyJWT with the private half.
  json::Document doc;
  ASSERT_EQ(json::parse(doc, R"({"kty":"EC","crv":"P-256","x":"J4H39dzJuiX5ez83xww5GGqgXUen5SoaAAjptbfEmZI",)"
                             R"("y":"YhNz8yXt_U-kGB7Bbf2lF47037ETW5-Pe6p36uah2w","kid":"fuzz-ec"})"),
            "");
  auto key = jwt::key_from_jwk(doc);
  ASSERT_TRUE(key) << key.error().detail;
  const std::string token =
      "eyJhbGciOiJFUzI1NiIsImtpZCI6ImZ1enotZWMiLCJ0eXAiOiJKV1QifQ."
      "eyJpc3MiOiJodHRwczovL3Nzby5leGFtcGxlLmpwL3JlYWxtcy9uYWdhc2FraSIsImF1ZCI6WyJhY2NvdW50IiwiZGVqaW1hIl0sInN1YiI6"
      "ImZ1enotdXNlciIsImlhdCI6MTc3OTk5OTAwMCwiZXhwIjo0MTAyNDQ0ODAwLCJuYW1lIjoiRnV6eiIsImRlamltYV9yb2xlcyI6WyJvcGVy"
      "YXRvciIsInNhc2VibzplZGl0b3IiLCJkZWZhdWx0OnZpZXdlciJdLCJyZWFsbV9hY2Nlc3MiOnsicm9sZXMiOlsib211cmE6YWRtaW4iLCJv"
      "ZmZsaW5lX2FjY2VzcyJdfX0.7B6vF2wX-3bBziybEiHOqbqFD7cxXahFEqsmre7HqAmafF-YUYsaqmMyJAbiQhmUHVmPWeViet_hAkrRDzMh9g";
  auto t = jwt::parse(token);
  ASSERT_TRUE(t);
  EXPECT_TRUE(jwt::verify_signature(*t, *key));
  EXPECT_TRUE(jwt::check_claims(*t, kRules, kNow));
}

#include "access/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include <cmath>

namespace dejima::access::jwt {

// The OpenSSL objects, each owned by a unique_ptr that frees it.
template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

struct PublicKey::Impl {
  std::string kid;
  bool rsa = false;  // else EC P-256
  std::string alg;   // the JWK's "alg", "" when absent
  PkeyPtr pkey;
};

namespace {

std::unexpected<Error> refused(std::string detail) {
  return fail(ErrorKind::Unauthorized, "Invalid token", std::move(detail));
}

std::unexpected<Error> bad_key(std::string detail) {
  return fail(ErrorKind::BadRequestData, "Unusable JWK", std::move(detail));
}

// OpenSSL keeps failures in a per-thread queue; a refused signature must not leave them there.
void forget_openssl_errors() { ERR_clear_error(); }

size_t depth(const json::Value& v, size_t limit) {
  if (limit == 0) return 1;
  size_t deepest = 0;
  if (v.IsObject())
    for (const auto& m : v.GetObject()) deepest = std::max(deepest, depth(m.value, limit - 1));
  else if (v.IsArray())
    for (const auto& e : v.GetArray()) deepest = std::max(deepest, depth(e, limit - 1));
  else
    return 0;
  return deepest + 1;
}

using json::member;

std::optional<std::string> string_member(const json::Value& obj, std::string_view name) {
  const json::Value* v = member(obj, name);
  if (!v || !v->IsString()) return std::nullopt;
  return std::string(json::view(*v));
}

// A JSON object decoded from a base64url part of a token.
Result<std::shared_ptr<json::Document>> object_part(std::string_view part, const char* what) {
  auto text = base64url_decode(part);
  if (!text) return refused(std::string("the token's ") + what + " is not base64url");
  auto doc = std::make_shared<json::Document>();
  if (auto err = json::parse(*doc, *text); !err.empty())
    return refused(std::string("the token's ") + what + " is not JSON: " + err);
  if (!doc->IsObject()) return refused(std::string("the token's ") + what + " is not a JSON object");
  if (depth(*doc, kMaxDepth + 1) > kMaxDepth)
    return refused(std::string("the token's ") + what + " is nested too deeply");
  return doc;
}

Result<std::string> key_bytes(const json::Value& jwk, std::string_view name) {
  auto text = string_member(jwk, name);
  if (!text) return bad_key("the JWK has no \"" + std::string(name) + "\"");
  auto bytes = base64url_decode(*text);
  if (!bytes || bytes->empty()) return bad_key("the JWK's \"" + std::string(name) + "\" is not base64url");
  return *bytes;
}

BnPtr bignum(const std::string& bytes) {
  return BnPtr(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

// A public key built from OSSL_PARAMs (the OpenSSL 3 way), checked by OpenSSL.
Result<PkeyPtr> pkey_from(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    forget_openssl_errors();
    return bad_key(std::string("OpenSSL does not accept the ") + type + " key");
  }
  PkeyPtr pkey(raw);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    forget_openssl_errors();
    return bad_key(std::string("the ") + type + " key does not pass OpenSSL's public key check");
  }
  return pkey;
}

Result<PkeyPtr> rsa_key(const json::Value& jwk) {
  auto n = key_bytes(jwk, "n");
  if (!n) return std::unexpected(n.error());
  auto e = key_bytes(jwk, "e");
  if (!e) return std::unexpected(e.error());
  if (e->size() > 8) return bad_key("the RSA exponent is too large");
  BnPtr bn_n = bignum(*n), bn_e = bignum(*e);
  if (!bn_n || !bn_e) return bad_key("cannot read the RSA key");
  const int bits = BN_num_bits(bn_n.get());
  if (bits < 2048 || bits > 8192) return bad_key("an RSA key of " + std::to_string(bits) + " bits (2048 to 8192)");
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
    return bad_key("cannot build the RSA key");
  return pkey_from("RSA", bld.get());
}

Result<PkeyPtr> ec_key(const json::Value& jwk) {
  if (string_member(jwk, "crv") != "P-256") return bad_key("an EC key on another curve than P-256");
  auto x = key_bytes(jwk, "x");
  if (!x) return std::unexpected(x.error());
  auto y = key_bytes(jwk, "y");
  if (!y) return std::unexpected(y.error());
  // RFC 7518 wants 32 bytes each; some libraries drop leading zero bytes (PyJWT 2.6 does).
  if (x->size() > 32 || y->size() > 32) return bad_key("a P-256 key's x and y are 32 bytes each");
  const std::string point =  // the uncompressed point
      "\x04" + std::string(32 - x->size(), '\0') + *x + std::string(32 - y->size(), '\0') + *y;
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    return bad_key("cannot build the EC key");
  return pkey_from("EC", bld.get());
}

// The DER form of an ECDSA signature that JWS writes as r || s (32 bytes each).
std::optional<std::string> der_signature(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BnPtr r(BN_bin2bn(p, 32, nullptr)), s(BN_bin2bn(p + 32, 32, nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  (void)r.release();  // owned by sig now
  (void)s.release();
  const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) return std::nullopt;
  std::string der(static_cast<size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != size) return std::nullopt;
  return der;
}

// A NumericDate claim (seconds, maybe fractional) in milliseconds; nullopt when absent, an
// error when not a plausible number.
Result<std::optional<Millis>> date_claim(const json::Value& claims, std::string_view name) {
  const json::Value* v = member(claims, name);
  if (!v) return std::optional<Millis>();
  if (!v->IsNumber() || !std::isfinite(v->GetDouble()) || v->GetDouble() < 0 || v->GetDouble() > 1e11)
    return refused("the \"" + std::string(name) + "\" claim is not a NumericDate");
  return std::optional<Millis>(static_cast<Millis>(v->GetDouble() * 1000));
}

}  // namespace

std::string excerpt(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  while (max > 0 && (static_cast<unsigned char>(text[max]) & 0xC0) == 0x80) --max;
  return std::string(text.substr(0, max)) + "…";
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 1, '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

Result<Token> parse(std::string_view compact) {
  if (compact.size() > kMaxTokenBytes) return refused("the token is longer than 8 KiB");
  const size_t dot1 = compact.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos)
    return refused("not a JWT (three base64url parts separated by dots)");
  auto header = object_part(compact.substr(0, dot1), "header");
  if (!header) return std::unexpected(header.error());
  Token t;
  const json::Value* alg = member(**header, "alg");
  if (!alg || !alg->IsString()) return refused("the token's header has no \"alg\"");
  const std::string_view alg_name = json::view(*alg);
  if (alg_name == "RS256")
    t.alg = Alg::RS256;
  else if (alg_name == "ES256")
    t.alg = Alg::ES256;
  else
    return refused("alg \"" + excerpt(alg_name, 32) + "\" is not accepted (RS256 or ES256)");
  if (member(**header, "crit")) return refused("the token's header names critical extensions Dejima does not know");
  if (const json::Value* kid = member(**header, "kid")) {
    if (!kid->IsString() || kid->GetStringLength() > 256) return refused("the token's \"kid\" is not a short string");
    t.kid = json::view(*kid);
  }
  auto claims = object_part(compact.substr(dot1 + 1, dot2 - dot1 - 1), "payload");
  if (!claims) return std::unexpected(claims.error());
  t.claims = std::move(*claims);
  auto signature = base64url_decode(compact.substr(dot2 + 1));
  if (!signature || signature->empty()) return refused("the token's signature is missing or not base64url");
  t.signature = std::move(*signature);
  t.signing_input = std::string(compact.substr(0, dot2));
  return t;
}

const std::string& PublicKey::kid() const { return impl_->kid; }

bool PublicKey::suits(Alg alg) const {
  const bool rsa_alg = alg == Alg::RS256;
  if (impl_->rsa != rsa_alg) return false;
  return impl_->alg.empty() || impl_->alg == (rsa_alg ? "RS256" : "ES256");
}

Result<PublicKey> key_from_jwk(const json::Value& jwk) {
  if (!jwk.IsObject()) return bad_key("a JWK is an object");
  auto impl = std::make_shared<PublicKey::Impl>();
  impl->kid = string_member(jwk, "kid").value_or("");
  impl->alg = string_member(jwk, "alg").value_or("");
  if (auto use = string_member(jwk, "use"); use && *use != "sig") return bad_key("a key for " + *use);
  const auto kty = string_member(jwk, "kty");
  Result<PkeyPtr> pkey = bad_key("a key of kty " + kty.value_or("(none)"));
  if (kty == "RSA") {
    impl->rsa = true;
    pkey = rsa_key(jwk);
  } else if (kty == "EC") {
    pkey = ec_key(jwk);
  }
  if (!pkey) return std::unexpected(pkey.error());
  impl->pkey = std::move(*pkey);
  return PublicKey(std::move(impl));
}

Result<std::vector<PublicKey>> parse_jwks(std::string_view text) {
  json::Document doc;
  if (auto err = json::parse(doc, text); !err.empty()) return bad_key("the JWKS is not JSON: " + err);
  const json::Value* keys = doc.IsObject() ? member(doc, "keys") : nullptr;
  if (!keys || !keys->IsArray()) return bad_key("the JWKS has no \"keys\" array");
  if (keys->Size() > 100) return bad_key("the JWKS holds more than 100 keys");
  std::vector<PublicKey> out;
  for (const auto& jwk : keys->GetArray())
    if (auto key = key_from_jwk(jwk)) out.push_back(std::move(*key));
  if (out.empty()) return bad_key("the JWKS holds no RSA or P-256 signing key");
  return out;
}

Status verify_signature(const Token& token, const PublicKey& key) {
  if (!key.suits(token.alg))
    return refused("the key '" + excerpt(key.kid(), 64) + "' is not for " +
                   (token.alg == Alg::RS256 ? "RS256" : "ES256"));
  std::string der;
  std::string_view signature = token.signature;
  if (token.alg == Alg::ES256) {
    auto d = der_signature(token.signature);
    if (!d) return refused("an ES256 signature is 64 bytes (r || s)");
    der = std::move(*d);
    signature = der;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const int ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.impl().pkey.get()) == 1
          ? EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(token.signing_input.data()),
                             token.signing_input.size())
          : -1;
  forget_openssl_errors();
  if (ok != 1) return refused("the token's signature does not verify with the key '" + excerpt(key.kid(), 64) + "'");
  return {};
}

Result<Millis> check_claims(const Token& token, const ClaimRules& rules, Millis now) {
  const json::Value& claims = *token.claims;
  const auto iss = string_member(claims, "iss");
  if (!iss) return refused("the token has no \"iss\" claim");
  if (*iss != rules.issuer)
    return refused("the token's issuer '" + excerpt(*iss, 200) + "' is not '" + rules.issuer + "'");
  bool audience = false;
  if (const json::Value* aud = member(claims, "aud")) {
    if (aud->IsString()) audience = json::view(*aud) == rules.audience;
    if (aud->IsArray())
      for (const auto& a : aud->GetArray()) audience = audience || (a.IsString() && json::view(a) == rules.audience);
  }
  if (!audience) return refused("the token's audience (\"aud\") does not include '" + rules.audience + "'");
  auto exp = date_claim(claims, "exp");
  if (!exp) return std::unexpected(exp.error());
  if (!*exp) return refused("the token has no \"exp\" claim");
  if (**exp + rules.skew_ms <= now) return refused("the token expired at " + format_iso8601(**exp));
  for (const char* name : {"nbf", "iat"}) {
    auto t = date_claim(claims, name);
    if (!t) return std::unexpected(t.error());
    if (*t && **t > now + rules.skew_ms)
      return refused(std::string("the token's \"") + name + "\" is in the future (" + format_iso8601(**t) + ")");
  }
  const auto sub = string_member(claims, "sub");
  if (!sub || sub->empty() || sub->size() > 255) return refused("the token has no \"sub\" claim (1 to 255 bytes)");
  for (const char c : *sub)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return refused("the token's \"sub\" has control characters");
  return **exp + rules.skew_ms;
}

}  // namespace dejima::access::jwt

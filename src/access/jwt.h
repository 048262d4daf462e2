// JSON Web Tokens an identity provider signs (RFC 7515 compact JWS, RFC 7519 claims): a token's
// parts, the public keys of a JWKS (RSA, EC P-256), the signature check (RS256 and ES256 only,
// OpenSSL 3) and the registered claims' checks (iss, aud, exp, nbf, iat). Every refusal is an
// Unauthorized Error whose detail says which check failed. OpenSSL types stay in jwt.cpp.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::access::jwt {

inline constexpr size_t kMaxTokenBytes = 8192;
// Objects and arrays in a token's header or claims nested deeper than this are refused.
inline constexpr size_t kMaxDepth = 16;

enum class Alg { RS256, ES256 };

// A parsed, not yet verified token.
struct Token {
  Alg alg = Alg::RS256;
  std::string kid;                         // "" when the header names none
  std::string signing_input;               // "<header>.<payload>" as sent: what the signature covers
  std::string signature;                   // decoded bytes
  std::shared_ptr<json::Document> claims;  // the payload, an object
};

// Splits and decodes a compact JWS: three base64url parts without padding, a header object with
// "alg" RS256 or ES256 (never "none" or an HMAC) and no "crit", a payload object.
Result<Token> parse(std::string_view compact);

// A verification key from a JWK: RSA (n, e; 2048 to 8192 bits) or EC on P-256 (x, y).
class PublicKey {
 public:
  struct Impl;
  explicit PublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  const std::string& kid() const;
  // Whether the key may verify tokens signed with `alg` (its kty/crv and its "alg", if any).
  bool suits(Alg alg) const;
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

// One JWK (an object). BadRequestData for a key of another kind or a malformed one.
Result<PublicKey> key_from_jwk(const json::Value& jwk);
// The signing keys of a JWKS document ({"keys": [...]}); keys Dejima cannot use (kty "oct", other
// curves, "use": "enc") are skipped. BadRequestData when the document is malformed or holds no
// usable key.
Result<std::vector<PublicKey>> parse_jwks(std::string_view text);

// Whether the token's signature verifies with `key` (Unauthorized otherwise, also when the key
// does not suit the token's alg).
Status verify_signature(const Token& token, const PublicKey& key);

struct ClaimRules {
  std::string issuer;    // "iss" must equal it
  std::string audience;  // "aud" (a string or an array) must hold it
  Millis skew_ms = 60000;
};
// The registered claims: iss, aud, exp (required; not passed more than skew ago), nbf and iat (not
// beyond skew in the future), and a "sub" string. Returns the instant (ms) after which the token
// no longer passes, exp plus skew.
Result<Millis> check_claims(const Token& token, const ClaimRules& rules, Millis now);

// At most `max` bytes of a text for an error's detail, cut where a UTF-8 character starts.
std::string excerpt(std::string_view text, size_t max);

// Decodes base64url without padding (RFC 7515 section 2); nullopt when not canonical.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace dejima::access::jwt

// OpenID Connect bearer tokens from an external identity provider (Keycloak, …): the gate's
// TokenVerifier. A token is a JWT signed with a key of the provider's JWKS (RS256 or ES256;
// access/jwt.h), issued by the configured issuer for the configured audience, not expired. Its
// subject becomes the user "oidc:<sub>", whose roles come from a claim (a dotted path, e.g.
// "realm_access.roles"): an array of strings, "operator" or "<tenant>:<admin|editor|viewer>"
// ("default" is the default tenant); other entries are ignored.
//
// The JWKS comes from `jwks_url`, or from the issuer's discovery document
// (<issuer>/.well-known/openid-configuration, "jwks_uri"). Keys are kept by "kid" (a token without
// one needs the JWKS to hold a single key for its alg); a token naming an unknown kid makes Oidc
// fetch the JWKS again (at most once per `refetch_interval_ms`, so a flood of made-up kids cannot
// hammer the provider; keys older than `keys_max_age_ms` are fetched again the same way), and the
// new set replaces the old one. A verified token is remembered by its text until it expires, so a
// repeated token costs one lookup; a new set that lacks a kid of the old one forgets them all, so
// a withdrawn key stops working at the fetch that notices it. Thread-safe.
#pragma once
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "access/gate.h"
#include "access/jwt.h"
#include "fetch/http_get.h"

namespace dejima::access {

struct OidcOptions {
  std::string issuer;  // "iss" of the tokens, e.g. https://sso.example.jp/realms/nagasaki
  std::string audience = "dejima";
  std::string jwks_url;                      // "" = the discovery document's jwks_uri
  std::string roles_claim = "dejima_roles";  // a dotted path into the claims
  long fetch_timeout_ms = 5000;
  Millis refetch_interval_ms = 10000;
  Millis keys_max_age_ms = 3600000;
  Millis skew_ms = 60000;
  size_t cache_entries = 10000;  // verified tokens remembered; the cache is emptied when full
};

// How Oidc fetches a URL: fetch::get, or a test's fake.
using Fetcher = std::function<Result<fetch::Response>(const fetch::Get&)>;

class Oidc : public TokenVerifier {
 public:
  explicit Oidc(OidcOptions options, Fetcher fetcher = fetch::get);
  // Fetches the discovery document (unless jwks_url is given) and the JWKS now. A failure is
  // returned for the log; the keys are then fetched at the first token.
  Status refresh(Millis now);
  Result<std::shared_ptr<const UserRecord>> verify(std::string_view token, Millis now) override;

  const OidcOptions& options() const { return options_; }

 private:
  struct Keys {
    std::vector<jwt::PublicKey> keys;
    Millis fetched_at = 0;
  };
  struct Verified {
    std::shared_ptr<const UserRecord> user;
    Millis valid_until = 0;
  };
  struct TextHash {  // finds a token's entry by a view of its text
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  // Fetches the JWKS when the last attempt is older than refetch_interval_ms (or when `force`);
  // a new set that lacks a kid of the old one empties the verified tokens.
  Status refetch(Millis now, bool force);
  Status fetch_keys_locked(Millis now);
  Result<std::string> jwks_url_locked();
  std::shared_ptr<const Keys> keys() const;
  Result<std::shared_ptr<const UserRecord>> user_of(const jwt::Token& token) const;

  const OidcOptions options_;
  const Fetcher fetcher_;
  std::vector<std::string> roles_path_;

  std::mutex fetch_mu_;  // one fetch at a time; guards the two below
  std::string discovered_jwks_url_;
  Millis last_attempt_ = 0;
  std::string last_problem_;  // why the last attempt failed ("" when it did not)
  bool attempted_ = false;

  mutable std::shared_mutex mu_;  // guards keys_ and verified_
  std::shared_ptr<const Keys> keys_;
  std::unordered_map<std::string, Verified, TextHash, std::equal_to<>> verified_;
};

// The user a token's claims speak for: name "oidc:<sub>", display name from "name" or
// "preferred_username", roles from the claim at `roles_path`.
UserRecord oidc_user(const json::Value& claims, const std::vector<std::string>& roles_path);

}  // namespace dejima::access

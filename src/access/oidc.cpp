#include "access/oidc.h"

#include <algorithm>
#include <set>

namespace dejima::access {
namespace {

std::unexpected<Error> refused(std::string detail) {
  return fail(ErrorKind::Unauthorized, "Invalid token", std::move(detail));
}

std::unexpected<Error> unreachable(std::string detail) {
  return fail(ErrorKind::ServiceUnavailable, "Identity provider unreachable", std::move(detail));
}

using json::member;

std::vector<std::string> dotted(std::string_view path) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t dot = path.find('.', start);
    parts.emplace_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

std::set<std::string> kids(const std::vector<jwt::PublicKey>& keys) {
  std::set<std::string> out;
  for (const auto& k : keys) out.insert(k.kid());
  return out;
}

}  // namespace

UserRecord oidc_user(const json::Value& claims, const std::vector<std::string>& roles_path) {
  UserRecord u;
  if (const json::Value* sub = member(claims, "sub"); sub && sub->IsString())
    u.name = "oidc:" + std::string(json::view(*sub));
  for (const char* name : {"name", "preferred_username"})
    if (const json::Value* v = member(claims, name); v && v->IsString() && v->GetStringLength() <= 200) {
      u.display_name = json::view(*v);
      break;
    }
  const json::Value* roles = &claims;
  for (const auto& part : roles_path)
    if (roles) roles = member(*roles, part);
  if (!roles || !roles->IsArray()) return u;
  for (const auto& entry : roles->GetArray()) {
    if (!entry.IsString()) continue;
    const std::string_view text = json::view(entry);
    if (text == "operator") {
      u.operator_role = true;
      continue;
    }
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    const auto role = role_of(text.substr(colon + 1));
    if (!role) continue;
    auto [it, added] = u.roles.emplace(tenant_of_name(text.substr(0, colon)), *role);
    if (!added) it->second = std::max(it->second, *role);  // the strongest of two roles in one tenant
  }
  return u;
}

Oidc::Oidc(OidcOptions options, Fetcher fetcher)
    : options_(std::move(options)), fetcher_(std::move(fetcher)), roles_path_(dotted(options_.roles_claim)) {}

Status Oidc::refresh(Millis now) { return refetch(now, true); }

std::shared_ptr<const Oidc::Keys> Oidc::keys() const {
  std::shared_lock lock(mu_);
  return keys_;
}

Result<std::string> Oidc::jwks_url_locked() {
  if (!options_.jwks_url.empty()) return options_.jwks_url;
  if (!discovered_jwks_url_.empty()) return discovered_jwks_url_;
  std::string issuer = options_.issuer;
  while (issuer.ends_with('/')) issuer.pop_back();
  const std::string url = issuer + "/.well-known/openid-configuration";
  auto r = fetcher_({.url = url,
                     .headers = {{"Accept", "application/json"}},
                     .timeout_ms = options_.fetch_timeout_ms,
                     .max_bytes = 1024 * 1024});
  if (!r) return unreachable(url + ": " + r.error().title + " " + r.error().detail);
  if (r->status != 200) return unreachable(url + ": HTTP status " + std::to_string(r->status));
  json::Document doc;
  if (auto err = json::parse(doc, r->body); !err.empty()) return unreachable(url + ": not JSON: " + err);
  const json::Value* issuer_named = member(doc, "issuer");
  if (!issuer_named || !issuer_named->IsString() || json::view(*issuer_named) != options_.issuer)
    return unreachable(url + ": the discovery document names another issuer than " + options_.issuer);
  const json::Value* jwks = member(doc, "jwks_uri");
  if (!jwks || !jwks->IsString() ||
      !(json::view(*jwks).starts_with("http://") || json::view(*jwks).starts_with("https://")))
    return unreachable(url + ": the discovery document has no http(s) \"jwks_uri\"");
  discovered_jwks_url_ = json::view(*jwks);
  return discovered_jwks_url_;
}

Status Oidc::refetch(Millis now, bool force) {
  std::lock_guard fetching(fetch_mu_);
  const std::string interval = std::to_string(options_.refetch_interval_ms / 1000) + " s";
  if (!force && attempted_ && now - last_attempt_ < options_.refetch_interval_ms)
    return unreachable(last_problem_.empty() ? "the JWKS was fetched less than " + interval + " ago"
                                             : last_problem_ + " (tried again " + interval + " after)");
  attempted_ = true;
  last_attempt_ = now;
  auto s = fetch_keys_locked(now);
  last_problem_ = s ? "" : s.error().detail;
  return s;
}

Status Oidc::fetch_keys_locked(Millis now) {
  auto url = jwks_url_locked();
  if (!url) return std::unexpected(url.error());
  auto r = fetcher_({.url = *url,
                     .headers = {{"Accept", "application/jwk-set+json, application/json"}},
                     .timeout_ms = options_.fetch_timeout_ms,
                     .max_bytes = 1024 * 1024});
  if (!r) return unreachable(*url + ": " + r.error().title + " " + r.error().detail);
  if (r->status != 200) return unreachable(*url + ": HTTP status " + std::to_string(r->status));
  auto parsed = jwt::parse_jwks(r->body);
  if (!parsed) return unreachable(*url + ": " + parsed.error().detail);
  auto fresh = std::make_shared<Keys>(Keys{.keys = std::move(*parsed), .fetched_at = now});
  std::unique_lock lock(mu_);
  if (keys_) {
    const auto now_known = kids(fresh->keys);
    for (const auto& old : kids(keys_->keys))
      if (!now_known.contains(old)) {
        verified_.clear();  // a key was withdrawn: the tokens it signed are verified again
        break;
      }
  }
  keys_ = std::move(fresh);
  return {};
}

Result<std::shared_ptr<const UserRecord>> Oidc::verify(std::string_view text, Millis now) {
  {
    std::shared_lock lock(mu_);
    if (auto it = verified_.find(text); it != verified_.end() && now < it->second.valid_until) return it->second.user;
  }
  auto token = jwt::parse(text);
  if (!token) return std::unexpected(token.error());

  // The keys that may have signed it: the one its kid names, or, without a kid, the only one of its kind.
  auto candidates = [&token](const Keys* set) {
    std::vector<jwt::PublicKey> out;
    if (set)
      for (const auto& k : set->keys)
        if ((token->kid.empty() || k.kid() == token->kid) && k.suits(token->alg)) out.push_back(k);
    return out;
  };
  auto set = keys();
  auto found = candidates(set.get());
  std::string fetch_problem;
  if (found.empty() || !set || now - set->fetched_at > options_.keys_max_age_ms) {
    if (auto s = refetch(now, false); !s) fetch_problem = s.error().detail;
    set = keys();
    found = candidates(set.get());
  }
  if (found.empty()) {
    std::string detail = token->kid.empty() ? "no key of the identity provider suits the token's alg"
                                            : "the signing key '" + jwt::excerpt(token->kid, 64) +
                                                  "' is not in the identity provider's JWKS";
    if (!set) detail += " (the JWKS could not be fetched: " + fetch_problem + ")";
    return refused(std::move(detail));
  }
  if (token->kid.empty() && found.size() > 1)  // not one signature check per key for a made-up token
    return refused("the token names no kid and the identity provider has several keys for its alg");
  Status signature = refused("no key");
  for (const auto& key : found)
    if ((signature = jwt::verify_signature(*token, key))) break;
  if (!signature) return std::unexpected(signature.error());

  auto valid_until = jwt::check_claims(
      *token, {.issuer = options_.issuer, .audience = options_.audience, .skew_ms = options_.skew_ms}, now);
  if (!valid_until) return std::unexpected(valid_until.error());
  auto user = std::make_shared<const UserRecord>(oidc_user(*token->claims, roles_path_));

  std::unique_lock lock(mu_);
  if (keys_ != set) return user;  // the keys changed meanwhile: remembered only once verified with the new ones
  if (verified_.size() >= options_.cache_entries) verified_.clear();
  verified_.insert_or_assign(std::string(text), Verified{.user = user, .valid_until = *valid_until});
  return user;
}

}  // namespace dejima::access

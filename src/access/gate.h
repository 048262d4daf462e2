// The one decision point (http::Gate): who is calling, which tenant the request acts on, and
// whether the route's declared need is granted there. 401 for missing or invalid credentials,
// 403 for insufficient rights, 404 NonexistentTenant for a tenant the registry does not know.
//
// Credentials (the first present wins): an API key (X-API-Key, or "Authorization: ApiKey …");
// "Authorization: Bearer …" with a session token (from POST /dejima/v1/login) or an identity
// provider's JWT; the session cookie of the web app (dejima_session). None: nobody.
//
// The rules:
// - Open routes admit everyone; Identified routes everyone with valid credentials.
// - Nobody (no credentials) may read (and read the history of) a tenant's public types.
// - The operator (the operator's key, a user or a token with the operator role) may do
//   everything, in every registered tenant.
// - A service's key acts in its own tenant with the operations of its scopes (types restrict
//   read and temporal); "admin" makes it the tenant's administrator (its services and keys).
// - A user (or a token) acts in each tenant where it has a role: viewer reads (and reads
//   history), editor also writes and subscribes, admin also manages the tenant.
// - Anywhere else a caller has what nobody has: the public types.
// - A service's rateLimit and dailyQuota apply to each of its keys (429 with Retry-After), to
//   every request the key makes, admitted or not.
// - A request that changes something with the session cookie must come from Dejima's own pages:
//   an Origin header naming another host is refused (403), on top of the cookie's SameSite.
#pragma once
#include <memory>
#include <optional>

#include "access/directory.h"
#include "access/quotas.h"
#include "access/users.h"
#include "http/router.h"

namespace dejima::access {

// Verifies an identity provider's bearer token (access/oidc.h): the user it speaks for (name
// "oidc:<subject>", roles from its claims), or Unauthorized saying why not.
class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  virtual Result<std::shared_ptr<const UserRecord>> verify(std::string_view token, Millis now) = 0;
};

class AccessGate : public http::Gate {
 public:
  AccessGate(Directory& directory, Users& users, Quotas& quotas, TokenVerifier* tokens = nullptr)
      : directory_(directory), users_(users), quotas_(quotas), tokens_(tokens) {}
  Result<http::Grant> admit(const http::Request& req, const http::Permission& permission,
                            const std::vector<std::string>& params, http::Refusal& refusal) override;
  // What the caller of `req` may read in `tenant` (a catalog that spans tenants asks for each):
  // the types a read there would be granted, the public ones for anybody; nothing is counted
  // against the key's quota, and invalid credentials read what nobody reads.
  http::Grant reading(const http::Request& req, const std::string& tenant);

 private:
  struct Caller;
  Result<std::optional<Caller>> identify(const http::Request& req);
  Result<http::Grant> decide(const http::Request& req, const http::Permission& permission,
                             const std::vector<std::string>& params, http::Refusal& refusal);
  Directory& directory_;
  Users& users_;
  Quotas& quotas_;
  TokenVerifier* tokens_;
};

// The credentials a request presents.
struct Credentials {
  enum class Kind { None, ApiKey, Bearer, Cookie };
  Kind kind = Kind::None;
  std::string_view text;
};
// X-API-Key, Authorization (ApiKey or Bearer), or the session cookie, in that order. An error
// for an Authorization header of another scheme or an empty credential.
Result<Credentials> presented_credentials(const http::Request& req);
// The value of the session cookie in a Cookie header, if any.
std::optional<std::string_view> session_cookie(std::string_view cookie_header);
inline constexpr std::string_view kSessionCookie = "dejima_session";
// The tenant a name denotes: "default" is the default tenant ("").
std::string tenant_of_name(std::string_view name);
// The tenant a request to a route with this permission acts on.
std::string tenant_of_request(const http::Request& req, const http::Permission& permission,
                              const std::vector<std::string>& params);

}  // namespace dejima::access

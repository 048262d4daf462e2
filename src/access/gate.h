// The one decision point (http::Gate): who is calling (an API key in X-API-Key or
// "Authorization: ApiKey …", or nobody), which tenant the request acts on, and whether the
// route's declared need is granted there. 401 for missing or invalid credentials, 403 for
// insufficient rights, 404 NonexistentTenant for a tenant the registry does not know.
//
// The rules:
// - Open routes admit everyone.
// - Nobody (no credentials) may read (and read the history of) a tenant's public types.
// - The operator's key may do everything, in every registered tenant.
// - A service's key acts in its own tenant with the operations of its scopes (types restrict
//   read and temporal); "admin" makes it the tenant's administrator (its services and keys).
//   Elsewhere it has what nobody has: the public types.
// - A service's rateLimit and dailyQuota apply to each of its keys (429 with Retry-After), to
//   every request the key makes, admitted or not.
#pragma once
#include "access/directory.h"
#include "access/quotas.h"
#include "http/router.h"

namespace dejima::access {

class AccessGate : public http::Gate {
 public:
  AccessGate(Directory& directory, Quotas& quotas) : directory_(directory), quotas_(quotas) {}
  Result<http::Grant> admit(const http::Request& req, const http::Permission& permission,
                            const std::vector<std::string>& params, Headers& refusal_headers) override;

 private:
  Result<http::Grant> decide(const http::Request& req, const http::Permission& permission,
                             const std::vector<std::string>& params, Headers& refusal_headers);
  Directory& directory_;
  Quotas& quotas_;
};

// The key text a request presents: X-API-Key, or Authorization: ApiKey <key>. nullopt when it
// presents none; an error for an Authorization header of another scheme or an empty key.
Result<std::optional<std::string_view>> presented_key(const http::Request& req);
// The tenant a name denotes: "default" is the default tenant ("").
std::string tenant_of_name(std::string_view name);

}  // namespace dejima::access

// An NGSIv2 registration as Orion has it (dataProvided, provider, expires, status), parsed with
// Orion's checks and texts, rendered as Orion renders it, and turned into the shared
// federation::Registration the Registry keeps. What only NGSIv2 renders stays in the RegSpec,
// the registration's Extension.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "federation/registration.h"
#include "ngsiv2/fields.h"
#include "util/json.h"

namespace dejima::ngsiv2 {

struct RegSpec : federation::Extension {
  std::string description;
  Millis expires = 0;  // 0: permanent
  std::string status = "active";
  std::vector<EntitySpec> entities;  // id, or idPattern ".*"; type
  std::vector<std::string> attrs;
  std::string url;
  std::string mode = "all";        // supportedForwardingMode: all, none, query or update
  std::string service_path = "/";  // the first path of Fiware-ServicePath when created
};

// The request body as a RegSpec, member by member in Orion's order and with its texts (400
// BadRequest; 501 NotImplemented for an idPattern other than ".*", a typePattern and
// legacyForwarding true, which needs NGSIv1).
Result<RegSpec> parse_registration(const json::Value& body);

class RegistrationFlavor final : public federation::Flavor {
 public:
  std::string_view name() const override { return "ngsiv2"; }
  Result<std::shared_ptr<federation::Registration>> restore(const json::Value& stored) const override;
  std::string stored(const federation::Registration& r) const override;
};

// The shared registration for `spec` (names and types expanded as the model keeps them).
std::shared_ptr<federation::Registration> build_registration(std::shared_ptr<const RegSpec> spec, std::string tenant,
                                                             std::string id, const RegistrationFlavor& flavor);

// The registration as GET renders it; `stored` adds what restoring needs ("@flavor", "servicePath").
std::string render_registration(const federation::Registration& r, bool stored);

const RegSpec& spec_of(const federation::Registration& r);

}  // namespace dejima::ngsiv2

// NGSI-LD's context source registrations (CSourceRegistration, clause 5.2.9): the document's
// reading, validation and rendering, and what a discovery query (5.10.2) matches. The Registry of
// federation/ keeps them beside NGSIv2's, under this flavor ("ngsi-ld").
#pragma once
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "federation/registration.h"
#include "jsonld/context.h"
#include "model/entity.h"
#include "query/filter.h"
#include "util/error.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::ngsild {

// One RegistrationInfo (5.2.10), names expanded.
struct RegistrationInfo {
  std::vector<federation::EntityInfo> entities;        // empty: any entity
  std::vector<std::string> properties, relationships;  // both empty: every attribute
  bool names(std::string_view attr) const;
};

struct TimeInterval {
  Millis start = 0, end = 0;  // end 0: open
};

// What NGSI-LD keeps of a registration beyond federation's shared fields.
struct LdRegistration : federation::Extension {
  std::string document;  // as written without "@context" and status members; names expanded
  std::vector<RegistrationInfo> information;
  std::string mode = "inclusive";
  std::vector<std::string> operations;  // as written (names and groups); empty: federationOps
  long timeout_ms = 0;                  // management.timeout (0: the server's)
  long cooldown_ms = 0;                 // management.cooldown: after a failure, not asked for this long
  std::string source_tenant;            // tenant: the one to ask the source for
  std::optional<TimeInterval> observation, management;
  // The registration's own properties (its extra members, location, observationSpace,
  // operationSpace) as an entity, so that q, csf and a geo-query read them as they read entities.
  model::Entity properties;
  Millis created_at = 0, modified_at = 0;
};

class LdFlavor : public federation::Flavor {
 public:
  std::string_view name() const override { return "ngsi-ld"; }
  Result<std::shared_ptr<federation::Registration>> restore(const json::Value& stored) const override;
  std::string stored(const federation::Registration& r) const override;
};
const LdFlavor& ld_flavor();

// Reads a CSourceRegistration (without "@context"; names expand with `ctx`). A missing id is
// generated; an expiresAt before `now` is refused when check_expiry. Errors are BadRequestData
// naming the member at fault.
Result<std::shared_ptr<federation::Registration>> parse_csource_registration(const json::Value& doc,
                                                                             const jsonld::Context& ctx, Millis now,
                                                                             bool check_expiry);
const LdRegistration& ld(const federation::Registration& r);
// Whether the registration takes the operation (by name or through one of its groups).
bool supports(const LdRegistration& r, std::string_view operation);

// The document (with createdAt/modifiedAt when sys_attrs), its names compacted with `ctx`.
std::string render_csource_registration(const federation::Registration& r, const jsonld::Context& ctx,
                                        bool with_context, bool sys_attrs);

// An exclusive registration may not name an attribute of an entity (by id) that another
// registration names, nor another one an exclusive registration's (409; auxiliary ones aside).
Status check_exclusive(const federation::Registration& r, const std::vector<federation::RegPtr>& others);

// A discovery query (5.10.2): entity selectors and attrs match a RegistrationInfo; q, csf and
// the geo-query the registration's properties; the temporal query its intervals.
struct DiscoveryQuery {
  std::vector<query::Selector> entities;
  std::vector<std::string> attrs;  // expanded
  std::optional<query::Expr> q, csf;
  std::shared_ptr<query::GeoQuery> geo;
  std::string timerel, timeproperty = "observedAt";
  Millis time_at = 0, end_time_at = 0;
  bool matches(const federation::Registration& r, Millis now) const;
};

// Sets a discovery's temporal query from its members (timerel, timeAt, endTimeAt, timeproperty:
// the URL's parameters or a temporalQ object's); `get` gives a member's text, null when absent.
// BadRequestData naming what is wrong.
Status set_temporal_query(DiscoveryQuery& q, const std::function<const std::string*(std::string_view)>& get);

}  // namespace dejima::ngsild

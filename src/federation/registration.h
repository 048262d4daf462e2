// A context source registration: entities (ids, an id pattern, types) and attributes whose data a
// provider at `endpoint` holds, for the operations it supports. Each API keeps its own document
// (NGSIv2's `/v2/registrations` now, NGSI-LD's `csourceRegistrations` with federation) through a
// Flavor, as subscriptions do; the Registry keeps them all, persisted, and answers which
// registrations cover an entity.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "util/json.h"
#include "util/regex.h"
#include "util/time.h"

namespace dejima::federation {

// The operations a provider takes (NGSI-LD's operation groups will add bits).
enum Op : unsigned { kQuery = 1, kUpdate = 2 };

// One entity selector: an id or an id pattern (".*" = any; "" with no id = any), and the types it
// holds (empty = any type). `pattern` is id_pattern compiled, when the API takes any pattern.
struct EntityInfo {
  std::string id, id_pattern;
  std::shared_ptr<const Regex> pattern;
  std::vector<std::string> types;
  bool matches(std::string_view entity_id, const std::string* entity_type) const;  // null type: any
};

// What an API parsed beyond the shared fields (its own texts, description, mode names ...).
struct Extension {
  virtual ~Extension() = default;
};

class Flavor;

// How forwarding to the provider has gone (federation/source.h counts it), shared by every version
// of a registration (an update keeps it); kept in memory only.
struct SourceState {
  mutable std::mutex mu;
  std::uint64_t times_sent = 0, times_failed = 0;
  Millis last_forwarding = 0, last_success = 0, last_failure = 0;
};

struct Registration {
  std::string tenant, id;  // tenant "" = the default tenant
  const Flavor* flavor = nullptr;
  std::vector<EntityInfo> entities;  // empty: the registration covers no entity
  std::vector<std::string> attrs;    // empty: every attribute of those entities
  std::string endpoint;              // the provider's base URL
  std::string scope = "/";           // NGSIv2's service path
  unsigned ops = kQuery | kUpdate;
  Millis expires = 0;  // 0: never
  bool active = true;
  std::shared_ptr<const Extension> ext;
  std::shared_ptr<SourceState> state = std::make_shared<SourceState>();

  bool live(Millis now) const { return active && (expires == 0 || now < expires); }
  // Whether it registers `attr` (an entity-level registration registers every attribute).
  bool provides(std::string_view attr) const;
};

using RegPtr = std::shared_ptr<const Registration>;

class Flavor {
 public:
  virtual ~Flavor() = default;
  // The tag kept in the stored document ("@flavor").
  virtual std::string_view name() const = 0;
  // A registration from its stored document (what stored() wrote); the Registry sets tenant and id.
  virtual Result<std::shared_ptr<Registration>> restore(const json::Value& stored) const = 0;
  // The stored document; it carries "@flavor": name().
  virtual std::string stored(const Registration& r) const = 0;
};

}  // namespace dejima::federation

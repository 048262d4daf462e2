// The Subscription data type (clause 5.2.12): what a client asked to be told about, parsed into
// expanded names and query objects, plus the delivery state (timesSent, lastSuccess, ...) that
// the notifier updates.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "jsonld/context.h"
#include "jsonld/registry.h"
#include "model/render.h"
#include "query/filter.h"
#include "util/error.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::subscription {

// notificationTrigger values, as bits.
enum Trigger : unsigned {
  kEntityCreated = 1,
  kEntityUpdated = 2,
  kEntityDeleted = 4,
  kAttributeCreated = 8,
  kAttributeUpdated = 16,
  kAttributeDeleted = 32,
  // NGSIv2's alterationTypes: an entity created, touched by an update (whatever it changed),
  // changed by one (a watched attribute's value, or its metadata), deleted.
  kAltCreate = 64,
  kAltUpdate = 128,
  kAltChange = 256,
  kAltDelete = 512,
};
constexpr unsigned kAlterations = kAltCreate | kAltUpdate | kAltChange | kAltDelete;
std::string_view trigger_name(unsigned bit);

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Delivery state, shared by every version of a subscription (a PATCH keeps it).
struct DeliveryState {
  std::atomic<std::uint64_t> times_sent{0}, times_failed{0}, times_dropped{0};
  mutable std::mutex mu;
  Millis last_notification = 0, last_success = 0, last_failure = 0;
  std::string last_failure_reason;
  bool last_ok = true;
  long last_status = -1;                // HTTP status of the last answer (-1: none yet)
  std::uint64_t consecutive_fails = 0;  // failures since the last delivery
  bool disabled = false;                // a oneshot that was sent, or past its max_fails: sends nothing
  Millis last_periodic = 0;             // when the last timeInterval round ran
  bool dirty = false;                   // changed since it was last kept in the store (under mu)
  std::mutex geo_mu;                    // a GeoQuery is evaluated by one thread at a time
  // broker::change_ticket() when the subscription was created: a change published before it (whose
  // commit is reported later) is not the subscription's to notify. Set before it is visible.
  std::uint64_t since = 0;
};

// The counters and times of a DeliveryState as kept across restarts (JSON; takes st.mu), and
// back (an unreadable document leaves the state as it is).
std::string state_json(const DeliveryState& st);
void restore_state(DeliveryState& st, std::string_view json);

class Flavor;
struct Extension;

struct Subscription {
  std::string tenant;
  std::string id;
  // The API document without status members; its type and attribute names expanded (see
  // rename_terms), the rest as written.
  std::string document;
  std::shared_ptr<const jsonld::Context> context;               // the one it was written with (q)
  std::shared_ptr<const jsonld::Context> notification_context;  // jsonldContext, else `context`

  query::Filter filter;              // entities, q, scopeQ, geoQ
  std::vector<std::string> watched;  // expanded watchedAttributes
  unsigned triggers = kAttributeCreated | kAttributeUpdated;
  bool active = true;
  Millis expires_at = 0;  // 0: never
  Millis throttling_ms = 0;
  Millis interval_ms = 0;  // timeInterval: periodic notifications

  std::vector<std::string> attributes;  // notification.attributes, expanded; empty = all
  std::vector<std::string> pick, omit;  // notification.pick/omit: expanded names, "id"/"type"/"scope" literal
  model::Format format = model::Format::Normalized;
  bool sys_attrs = false;
  bool show_changes = false;
  std::string lang;
  std::vector<std::string> dataset_ids;  // datasetId: the instances a notification shows ("@none": default)
  std::string uri;                       // endpoint.uri
  bool accept_jsonld = false;            // endpoint.accept application/ld+json
  KeyValues receiver_info, notifier_info;

  // Another API's subscription (flavor.h): it renders the document and builds the messages.
  const Flavor* flavor = nullptr;
  std::shared_ptr<const Extension> ext;
  bool oneshot = false;                   // disabled once it has sent a notification
  std::uint64_t max_fails = 0;            // disabled after more consecutive failures (0: never)
  bool notify_on_metadata_change = true;  // kAltChange: a change of metadata alone counts

  std::shared_ptr<DeliveryState> state = std::make_shared<DeliveryState>();

  std::string key() const { return tenant + '\n' + id; }
  bool expired(Millis now) const { return expires_at != 0 && now >= expires_at; }
  // "active", "paused" or "expired".
  std::string_view status(Millis now) const;
};

// Parses a subscription document (without "@context"; names expand with `ctx`). A missing id
// is generated. Errors are BadRequestData naming the member at fault.
Result<std::shared_ptr<Subscription>> parse_subscription(const json::Value& doc,
                                                         std::shared_ptr<const jsonld::Context> ctx, Millis now);

// Replaces, in a subscription document or fragment, each name of an entity type or attribute
// (entities[].type, watchedAttributes, notification.attributes, geoQ.geoproperty) with f(name).
// A type expression ("A,B", "(A;B)|C") is left as written.
void rename_terms(json::Value& doc, rapidjson::MemoryPoolAllocator<>& a,
                  const std::function<std::string(std::string_view)>& f);

// The document with the status members (status, timesSent, lastSuccess, ...) added and its names
// compacted with `ctx` (the reader's @context); with_context adds that "@context".
std::string render_subscription(const Subscription& s, Millis now, const jsonld::Context& ctx, bool with_context);

// The stored form: the document plus "@context" (what parse_subscription reads back).
std::string stored_document(const Subscription& s);
// A subscription back from what stored_document() wrote (its expiresAt, already validated when
// written, may be past `now`).
Result<std::shared_ptr<Subscription>> restore_subscription(const json::Value& stored, jsonld::Registry& contexts,
                                                           Millis now);

}  // namespace dejima::subscription

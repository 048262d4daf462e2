// An NGSIv2 subscription as Orion has it (subject, notification, throttling, expires, status),
// parsed with Orion's checks and texts, rendered as Orion renders it, and turned into the shared
// subscription::Subscription that the one Manager matches and delivers. What only NGSIv2 needs
// to render notifications (attrs, format, templates) stays in the Spec, the subscription's
// Extension.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ngsiv2/fields.h"
#include "subscription/flavor.h"
#include "subscription/subscription.h"
#include "util/json.h"

namespace dejima::ngsiv2 {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Where and how notifications go: http ({url, timeout}) or httpCustom (templates with ${...}).
struct Endpoint {
  bool custom = false;
  bool mqtt = false;  // mqtt / mqttCustom: published to `topic` at the broker `url`
  std::string url;
  std::string topic, user, passwd;  // MQTT
  int qos = 0;                      // MQTT
  bool retain = false;              // MQTT
  std::int64_t timeout_ms = 0;      // 0: the dispatcher's
  std::string method;               // httpCustom: "" = POST
  KeyValues qs, headers;            // httpCustom
  enum class Payload { Standard, Text, Null, Json, Ngsi } payload = Payload::Standard;
  std::string text;  // Text: the template; Json, Ngsi: the template's JSON
};

struct Spec : subscription::Extension {
  std::string description;
  bool has_expires = false;
  Millis expires = 0;
  std::string status = "active";  // as set: active, inactive or oneshot
  std::vector<EntitySpec> entities;
  std::vector<std::string> condition_attrs;
  std::string q, mq, geometry, coords, georel;  // condition.expression
  std::vector<std::string> alteration_types;
  bool notify_on_metadata_change = true;
  std::vector<std::string> attrs;  // notification.attrs, or exceptAttrs when `except`
  bool except = false;
  bool only_changed = false, covered = false;
  std::string attrs_format = "normalized";
  std::vector<std::string> metadata;
  std::int64_t max_fails = 0;
  std::int64_t throttling = 0;  // seconds
  Endpoint endpoint;
  std::string service_path = "/#";  // Fiware-ServicePath when created; "/#": every path
};

// Applies a request body to `spec`, member by member in Orion's order and with its texts (400
// BadRequest). A creation (`update` false) needs subject and notification; an update replaces
// each top-level member it gives whole.
Status parse_spec(const json::Value& body, Spec& spec, bool update);

// Orion's check of an id in a URL (400 "Invalid subscription ID: ...").
Status check_subscription_id(std::string_view id);

// The shared subscription for `spec` (tenant and id set by the caller's arguments).
Result<std::shared_ptr<subscription::Subscription>> build_subscription(std::shared_ptr<const Spec> spec,
                                                                       std::string tenant, std::string id,
                                                                       const subscription::Flavor& flavor);

// The subscription as GET renders it (with the delivery state); `stored` leaves the state out
// and adds what restoring needs ("@flavor", "servicePath").
std::string render_subscription(const subscription::Subscription& s, const Spec& spec, Millis now, bool stored);

// The subscription's status as shown: expired, inactive (set so, a oneshot that has been sent,
// or past its maxFailsLimit), active or oneshot.
std::string_view shown_status(const subscription::Subscription& s, const Spec& spec, Millis now);

}  // namespace dejima::ngsiv2

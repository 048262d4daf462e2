// The Notification data type (clause 5.3.1) for a subscription: the entities rendered the way
// the subscription asks (attributes, format, sysAttrs, lang, showChanges), and how it travels:
// HTTP headers, or the MQTT payload that wraps headers and body.
#pragma once
#include <string>
#include <vector>

#include "broker/tenant.h"
#include "notify/dispatcher.h"
#include "subscription/subscription.h"

namespace dejima::subscription {

struct Item {
  broker::EntityPtr entity;  // the current version; for a deletion, the last one
  broker::EntityPtr before;  // the previous version (showChanges), may be null
  bool deleted = false;
  const broker::Origin* origin = nullptr;  // the request that made the change, when known
};

std::string notification_body(const Subscription& s, const std::vector<Item>& items, std::string_view trigger,
                              Millis now);

// The message for the dispatcher (uri, headers or MQTT wrapping, QoS); outcome is left to the caller.
notify::Message notification_message(const Subscription& s, std::string body);

}  // namespace dejima::subscription

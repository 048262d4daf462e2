// How another API (NGSIv2) keeps its own subscriptions in the one Manager: it parses and renders
// them itself, and builds the messages a fired change sends, while the Manager keeps matching,
// storage, delivery state and the dispatcher. A subscription with no flavor is NGSI-LD's.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "notify/dispatcher.h"
#include "subscription/notification.h"
#include "subscription/trigger.h"

namespace dejima::subscription {

// What a flavor parsed beyond the shared fields (templates, notified attributes, format ...).
struct Extension {
  virtual ~Extension() = default;
};

class Flavor {
 public:
  virtual ~Flavor() = default;
  // The tag kept in the stored document ("@flavor").
  virtual std::string_view name() const = 0;
  // A subscription from its stored document (what stored() wrote).
  virtual Result<std::shared_ptr<Subscription>> restore(const json::Value& stored, Millis now) const = 0;
  // The stored document; it carries "@flavor": name().
  virtual std::string stored(const Subscription& s) const = 0;
  // The messages one fired change sends (uri, method, headers, body, attempts, timeout); the
  // Manager sets key and outcome. `alteration` is the bit that fired.
  virtual std::vector<notify::Message> messages(const Subscription& s, const Item& item, const Diff& d,
                                                unsigned alteration, Millis now) const = 0;
  // Whether entity changes concern its subscriptions (NGSI-LD's context source subscriptions watch
  // registrations instead: the Manager keeps them, their owner matches them).
  virtual bool watches_entities() const { return true; }
  // The messages of one timeInterval round (the Manager's own round queries entities).
  virtual std::vector<notify::Message> periodic(const Subscription& s, Millis now) const { return {}; }
};

}  // namespace dejima::subscription

// NGSIv2's flavor of the shared subscriptions: restoring a stored v2 subscription, and the
// notification Orion sends for a fired change — the headers (Fiware-Service, Fiware-ServicePath,
// Fiware-Correlator, Ngsiv2-AttrsFormat ...), the body in the subscription's attrsFormat, or an
// httpCustom template (url, qs, headers, method, payload/json/ngsi) with its ${...} macros filled
// from the entity. Sent once (Orion does not retry); any HTTP answer counts as delivered.
#pragma once
#include <string>
#include <vector>

#include "subscription/flavor.h"

namespace dejima::ngsiv2 {

class SubscriptionFlavor final : public subscription::Flavor {
 public:
  std::string_view name() const override { return "ngsiv2"; }
  Result<std::shared_ptr<subscription::Subscription>> restore(const json::Value& stored, Millis now) const override;
  std::string stored(const subscription::Subscription& s) const override;
  std::vector<notify::Message> messages(const subscription::Subscription& s, const subscription::Item& item,
                                        const subscription::Diff& d, unsigned alteration, Millis now) const override;
};

// The text of `tmpl` with each ${name} replaced: id, type, service, servicePath, or an
// attribute's value (a string as it is, other values as JSON); `missing` for an unknown name.
std::string fill_macros(std::string_view tmpl, const json::Value& values, std::string_view missing);

}  // namespace dejima::ngsiv2

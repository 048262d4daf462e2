// Context source registration subscriptions (clause 5.11, /csourceSubscriptions): the Subscription
// data type of entity subscriptions, kept by the one subscription Manager (storage, delivery
// state, the dispatcher, timeInterval rounds) as a Flavor of its own, but matched here against
// registrations: entities and watchedAttributes against each RegistrationInfo, q and geoQ against
// the registration's own properties, temporalQ against its observationInterval or
// managementInterval, as discovery does (DiscoveryQuery). A registration that
// starts to match is notified with triggerReason "newlyMatching", one that still matches after a
// change "updated", one that stops matching or is deleted "noLongerMatching".
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "federation/registry.h"
#include "jsonld/registry.h"
#include "ngsild/csource_registration.h"
#include "subscription/flavor.h"
#include "subscription/manager.h"

namespace dejima::ngsild {

// The temporal query of a subscription document's temporalQ member (matched against the
// registrations' observationInterval or managementInterval); BadRequestData when it is not one.
Status temporal_query_of(const json::Value& doc, DiscoveryQuery& q);

class CsourceSubscriptions final : public subscription::Flavor {
 public:
  CsourceSubscriptions(const federation::Registry& registrations, jsonld::Registry& contexts)
      : registrations_(registrations), contexts_(contexts) {}

  std::string_view name() const override { return "ngsi-ld-csource"; }
  Result<std::shared_ptr<subscription::Subscription>> restore(const json::Value& stored, Millis now) const override;
  std::string stored(const subscription::Subscription& s) const override;
  std::vector<notify::Message> messages(const subscription::Subscription&, const subscription::Item&,
                                        const subscription::Diff&, unsigned, Millis) const override {
    return {};  // entity changes are not its concern
  }
  bool watches_entities() const override { return false; }
  // Every live registration it matches (none: nothing is sent); the Manager's first round runs
  // as the subscription is created, which is the initial notification of clause 5.11.
  std::vector<notify::Message> periodic(const subscription::Subscription& s, Millis now) const override;

  // Tells the tenant's subscriptions that a registration was created (before null), changed, or
  // deleted (after null).
  void changed(subscription::Manager& m, const std::string& tenant, const federation::Registration* before,
               const federation::Registration* after, Millis now) const;

 private:
  std::vector<federation::RegPtr> matching(const subscription::Subscription& s, Millis now) const;
  notify::Message message(const subscription::Subscription& s, const std::vector<const federation::Registration*>& regs,
                          std::string_view reason, Millis now) const;

  const federation::Registry& registrations_;
  jsonld::Registry& contexts_;
};

}  // namespace dejima::ngsild

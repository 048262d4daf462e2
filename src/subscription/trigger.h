// Trigger detection (clause 5.8.1, notificationTrigger): what a committed change of an entity
// did (entity created/updated/deleted, each attribute created/updated/deleted), and which
// trigger of a subscription, if any, that fires given its watchedAttributes.
#pragma once
#include <utility>
#include <vector>

#include "broker/tenant.h"
#include "subscription/subscription.h"

namespace dejima::subscription {

// What one committed change did, for trigger matching: the entity-level trigger and each
// attribute that was created, updated or deleted.
struct Diff {
  unsigned entity_trigger = 0;
  std::vector<std::pair<model::Name, unsigned>> attrs;
  // Of the attributes in `attrs`: those whose value (or type) changed, created and deleted ones
  // included, and those whose sub-attributes (metadata) alone changed. An attribute that was
  // written again as it was is in neither.
  std::vector<model::Name> value_changed, meta_changed;
  std::vector<model::Name> unclassified;  // updated attributes not yet sorted into the two above
  bool forced = false;                    // the writer asked that every touched attribute count as changed
};

// The change's triggers: an attribute counts once, by name, whatever its datasetIds did (an
// instance that went is a deletion, a new one a creation, else an update).
Diff diff(const broker::ChangeEvent& c);

// Sorts the updated attributes into value_changed and meta_changed (parsing their instances:
// done only when a subscription with alteration types needs it).
void classify_updates(Diff& d, const broker::ChangeEvent& c);

// Counts each attribute of the change that an update operator wrote (Origin::operated) as a
// changed value, whatever the value did (Orion's rule for `$inc` ...).
void mark_operated(Diff& d, const broker::ChangeEvent& c);

// The trigger of `s` that the change fires (0: none). A subscription with alteration bits
// (kAltCreate ...) is matched on those instead of notificationTrigger, after classify_updates.
unsigned fired(const Subscription& s, const Diff& d);

}  // namespace dejima::subscription

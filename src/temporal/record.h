// What the history records: the attribute instances a change of an entity creates, and the
// instances a temporal representation carries (clause 4.5.x).
#pragma once
#include <optional>

#include "model/entity.h"
#include "store/store.h"

namespace dejima::temporal {

// The history of one committed change of an entity (before or after is null for a creation or
// a deletion): every attribute instance written by the change (new, or with a new modifiedAt),
// a deletion instance for every attribute instance it removed, and the entity's deletion.
// nullopt when nothing changed that the history keeps.
std::optional<store::HistoryWrite> record_change(const model::Entity* before, const model::Entity* after, Millis now);

// One instance as the history stores it (its observedAt read from the JSON).
store::InstanceRecord instance_record(const model::AttrInstance& a);

// The history entity of an entity (id, types, scopes, times).
store::HistoryEntity history_entity(const model::Entity& e);

}  // namespace dejima::temporal

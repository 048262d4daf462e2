// The durable form of an entity: one JSON document per entity, independent of any @context,
// and the change a write made to one (a delta).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "model/entity.h"
#include "util/error.h"

namespace dejima::model {

std::string encode(const Entity& e);
Result<Entity> decode(std::string_view doc);

// A write's change of an existing entity as its durable record keeps it: the attributes it
// wrote and removed, not the whole entity, so that a one-attribute PATCH records one attribute.
// nullopt when the change is better recorded as after's whole document (it rewrote every
// attribute, or reordered them).
std::optional<std::string> encode_delta(const Entity& before, const Entity& after);
// The document `doc` with `delta` folded in (a store::DocumentMerge).
Result<std::string> apply_delta(std::string_view doc, std::string_view delta);

}  // namespace dejima::model

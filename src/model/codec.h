// The durable form of an entity: one JSON document per entity, independent of any @context.
#pragma once
#include <string>

#include "model/entity.h"
#include "util/error.h"

namespace dejima::model {

std::string encode(const Entity& e);
Result<Entity> decode(std::string_view doc);

}  // namespace dejima::model

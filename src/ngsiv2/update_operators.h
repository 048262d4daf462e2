// Orion's attribute update operators: a value {"$inc": 1}, {"$push": x}, {"$set": {...}} ... is
// applied to the attribute's stored value instead of replacing it (docs/NGSIV2.md, "Update
// operators"). A request is parsed as usual, the operator object standing as the attribute's
// value; the handlers then resolve the operators inside the entity's write, against the entity as
// stored, so concurrent `$inc`s all count.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/entity.h"
#include "model/parse.h"
#include "util/error.h"
#include "util/json.h"

namespace dejima::ngsiv2 {

// An attribute of a request whose value is an operator.
struct AttrOp {
  std::string name;       // its v2 name
  std::string attribute;  // the request's attribute: {"type"?, "value": {"$op": ...}, "metadata"?}
};
using AttrOps = std::vector<AttrOp>;

// The (entity id, expanded name) pairs of an entity's operated attributes, for broker::Origin.
std::vector<std::pair<std::string, std::string>> operated_names(const std::string& id, const AttrOps& ops);

// Whether a value is an operator: an object whose first member is one of Orion's ten ($inc, $mul,
// $min, $max, $push, $addToSet, $pull, $pullAll, $set, $unset).
bool is_operator(const json::Value& v);

// What an operator applies to: the attribute as stored (a write to an existing entity), or
// Orion's reference when an entity is created or replaced ($inc x is x, $min x is min(0, x), the
// epoch for a DateTime, $push x is [x]; $pull, $pullAll and $unset create nothing).
enum class OpMode { Update, Create };

// The attribute an operator makes: a new instance (no metadata of `current` kept yet), or none
// when the operator creates nothing (Update mode always makes one). `current` is the stored attribute (Update mode;
// null when the entity lacks it). A value the operator cannot apply to ($inc on a text, $set into a number) is Orion's
// 500 with its database's text.
Result<std::optional<model::AttrInstance>> resolve_operator(const AttrOp& op, const model::AttrInstance* current,
                                                            OpMode mode);

// The same for each operated attribute still in `p` (refused or forwarded ones are gone): its
// instance is replaced by the result, or removed. `current`: the entity as stored, or null.
Status resolve_operators(model::ParsedEntity& p, const AttrOps& ops, const model::Entity* current, OpMode mode);

}  // namespace dejima::ngsiv2

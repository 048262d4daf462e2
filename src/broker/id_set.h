// The tenant's entity table and the id-ordered sets of its rows that its indexes are made of.
// A Slot is a node of the table: (id, current version), stable until the id is erased, so an
// index holds Slot pointers and reaches an entity without hashing its id.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <absl/container/btree_set.h>

#include "model/entity.h"

namespace dejima::broker {

using EntityPtr = std::shared_ptr<const model::Entity>;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using ById = std::unordered_map<std::string, EntityPtr, StringHash, std::equal_to<>>;
using Slot = ById::value_type;

struct ByIdOrder {
  using is_transparent = void;
  bool operator()(const Slot* a, const Slot* b) const { return a->first < b->first; }
  bool operator()(const Slot* a, std::string_view b) const { return a->first < b; }
  bool operator()(std::string_view a, const Slot* b) const { return a < b->first; }
};
// A B-tree: about 10 bytes per member where a red-black tree node takes 48.
using IdSet = absl::btree_set<const Slot*, ByIdOrder>;

}  // namespace dejima::broker

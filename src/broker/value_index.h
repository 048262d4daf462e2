// Equality index of text values: attribute name -> value -> the entities having an instance
// of that attribute with that value (a Property's string value or a Relationship's object),
// ordered by id. It answers q terms such as `brand=="A"` or `refRoute=="urn:..."`.
//
// An instance whose value is not a plain string (an array, a languageMap, a string with escapes,
// a JSON object) might still match a string literal, so its entity is kept in the attribute's
// `unindexed` set and is always a candidate: the index narrows, the filter decides.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/id_set.h"
#include "query/q.h"

namespace dejima::broker {

class ValueIndex {
 public:
  // Replaces what `before` contributed with what `after` contributes (either may be null).
  void update(const Slot* slot, const model::Entity* before, const model::Entity* after);

  // The sets whose union holds every entity that can satisfy the term, or false when the term
  // is not an equality on a plain attribute value with string literals.
  bool candidates(const query::Term& t, std::vector<const IdSet*>& out) const;

  // The terms of `q` that every match must satisfy (q itself or the members of its top-level
  // conjunction); the caller asks candidates() of each and keeps the smallest answer.
  static std::vector<const query::Term*> usable_terms(const query::Expr& q);

 private:
  struct Values {
    std::unordered_map<std::string, IdSet, StringHash, std::equal_to<>> by_value;
    IdSet unindexed;
  };
  // The distinct (attribute, value) pairs of an entity, sorted; `indexed` is false (and value
  // empty) for an instance whose value is not a plain string.
  struct Key {
    std::string_view attr;
    std::string_view value;
    bool indexed;
    auto operator<=>(const Key&) const = default;
  };
  static std::vector<Key> keys(const model::Entity* e);
  void insert(const Key& k, const Slot* slot);
  void erase(const Key& k, std::string_view id);

  std::unordered_map<std::string, Values, StringHash, std::equal_to<>> attrs_;
};

}  // namespace dejima::broker

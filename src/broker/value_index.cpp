#include "broker/value_index.h"

#include <algorithm>

namespace dejima::broker {

std::vector<ValueIndex::Key> ValueIndex::keys(const model::Entity* e) {
  std::vector<Key> out;
  if (!e) return out;
  for (const auto& a : e->attrs) {
    switch (a.scalar.kind) {
      case model::Scalar::Kind::String: out.push_back({a.name, a.scalar_text(), true}); break;
      case model::Scalar::Kind::None:
        // A GeoProperty's value is a geometry object: never equal to a string.
        if (!a.json.starts_with(R"({"type":"GeoProperty")")) out.push_back({a.name, {}, false});
        break;
      default:  // numbers and booleans never equal a string literal
        break;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void ValueIndex::insert(const Key& k, const Slot* slot) {
  auto it = attrs_.find(k.attr);
  if (it == attrs_.end()) it = attrs_.emplace(std::string(k.attr), Values{}).first;
  if (!k.indexed) {
    it->second.unindexed.insert(slot);
    return;
  }
  auto v = it->second.by_value.find(k.value);
  if (v == it->second.by_value.end()) v = it->second.by_value.emplace(std::string(k.value), IdSet{}).first;
  v->second.insert(slot);
}

void ValueIndex::erase(const Key& k, std::string_view id) {
  auto it = attrs_.find(k.attr);
  if (it == attrs_.end()) return;
  Values& values = it->second;
  if (!k.indexed) {
    if (auto pos = values.unindexed.find(id); pos != values.unindexed.end()) values.unindexed.erase(pos);
  } else if (auto v = values.by_value.find(k.value); v != values.by_value.end()) {
    if (auto pos = v->second.find(id); pos != v->second.end()) v->second.erase(pos);
    if (v->second.empty()) values.by_value.erase(v);
  }
  if (values.by_value.empty() && values.unindexed.empty()) attrs_.erase(it);
}

void ValueIndex::update(const Slot* slot, const model::Entity* before, const model::Entity* after) {
  const auto old_keys = keys(before);
  const auto new_keys = keys(after);
  if (old_keys == new_keys) return;
  // Both lists are sorted: walk them together, removing what left and adding what came.
  size_t i = 0, j = 0;
  while (i < old_keys.size() || j < new_keys.size()) {
    if (j == new_keys.size() || (i < old_keys.size() && old_keys[i] < new_keys[j])) {
      erase(old_keys[i++], slot->first);
    } else if (i == old_keys.size() || new_keys[j] < old_keys[i]) {
      insert(new_keys[j++], slot);
    } else {
      ++i, ++j;
    }
  }
}

bool ValueIndex::candidates(const query::Term& t, std::vector<const IdSet*>& out) const {
  if (t.op != query::Op::Eq || t.range || !t.path.empty() || !t.keys.empty()) return false;
  if (!std::all_of(t.values.begin(), t.values.end(),
                   [](const query::Literal& l) { return l.kind == query::Literal::Kind::String; }))
    return false;
  auto it = attrs_.find(t.attr);
  if (it == attrs_.end()) return true;  // no entity has the attribute with a text value
  const Values& values = it->second;
  if (!values.unindexed.empty()) out.push_back(&values.unindexed);
  for (const auto& l : t.values)
    if (auto v = values.by_value.find(l.text); v != values.by_value.end()) out.push_back(&v->second);
  return true;
}

std::vector<const query::Term*> ValueIndex::usable_terms(const query::Expr& q) {
  std::vector<const query::Term*> out;
  if (q.kind == query::Expr::Kind::Term) out.push_back(&q.term);
  if (q.kind == query::Expr::Kind::And)
    for (const auto& c : q.children)
      if (c.kind == query::Expr::Kind::Term) out.push_back(&c.term);
  return out;
}

}  // namespace dejima::broker

// Evaluation of q terms against an entity's attribute instances (internal form).
#include <cmath>

#include "query/q.h"
#include "util/json.h"

namespace dejima::query {
namespace {

using json::Value;

// The member holding an attribute's value, by attribute type.
const Value* value_of(const Value& attr) {
  static constexpr std::string_view kKeys[] = {"value", "object",    "languageMap", "vocab",
                                               "json",  "valueList", "objectList"};
  if (!attr.IsObject()) return nullptr;
  for (auto k : kKeys) {
    auto it = attr.FindMember(rapidjson::StringRef(k.data(), k.size()));
    if (it != attr.MemberEnd()) return &it->value;
  }
  return nullptr;
}

// Three-way comparison of a target JSON value with a literal; nullopt when not comparable.
std::optional<int> compare(const Value& v, const Literal& l) {
  auto sign = [](auto a, auto b) { return a < b ? -1 : a > b ? 1 : 0; };
  switch (l.kind) {
    case Literal::Kind::Number:
      if (v.IsNumber()) return sign(v.GetDouble(), l.number);
      return std::nullopt;
    case Literal::Kind::Bool:
      if (v.IsBool()) return sign(v.GetBool(), l.boolean);
      return std::nullopt;
    case Literal::Kind::DateTime:
      if (v.IsObject())  // a typed value {"@type": "DateTime", "@value": "..."}
        if (const Value* typed = json::member(v, "@value")) return compare(*typed, l);
      if (v.IsString()) {
        auto t = parse_iso8601(json::view(v));
        if (!t && v.GetStringLength() == 10) t = parse_iso8601(std::string(json::view(v)) + "T00:00:00Z");
        if (t) return sign(*t, l.time);
      }
      return std::nullopt;
    case Literal::Kind::String:
      if (v.IsString()) return json::view(v).compare(l.text) < 0 ? -1 : json::view(v) == l.text ? 0 : 1;
      return std::nullopt;
  }
  return std::nullopt;
}

// The positive form of a term's test on one value, given how the value compares with a
// literal and how it matches a pattern: != tests equality and !~= tests the pattern (callers
// negate); Exists always holds.
template <class Compare, class Search>
bool positive_test(const Term& t, Compare&& cmp, Search&& search) {
  auto holds = [&](auto pred) {
    auto c = cmp(t.values[0]);
    return c && pred(*c);
  };
  switch (t.op) {
    case Op::Exists: return true;
    case Op::Eq:
    case Op::Ne:
      if (t.range) {
        auto lo = cmp(t.range->first), hi = cmp(t.range->second);
        return lo && hi && *lo >= 0 && *hi <= 0;
      }
      for (const auto& l : t.values)
        if (cmp(l) == 0) return true;
      return false;
    case Op::Gt: return holds([](int c) { return c > 0; });
    case Op::Ge: return holds([](int c) { return c >= 0; });
    case Op::Lt: return holds([](int c) { return c < 0; });
    case Op::Le: return holds([](int c) { return c <= 0; });
    case Op::Match:
    case Op::NoMatch: return search();
  }
  return false;
}

bool scalar_matches(const Term& t, const Value& v) {
  return positive_test(
      t, [&](const Literal& l) { return compare(v, l); },
      [&] { return v.IsString() && t.regex->search(json::view(v)); });
}

// Any element of an array (or any language of a languageMap) matching is a match; for the
// negated operators, no element may match.
bool target_matches(const Term& t, const Value& target, bool language_map) {
  auto any = [&](auto&& test) {
    if (target.IsArray()) {
      for (const auto& el : target.GetArray())
        if (test(el)) return true;
      return false;
    }
    if (language_map && target.IsObject()) {
      for (const auto& m : target.GetObject())
        if (test(m.value)) return true;
      return false;
    }
    return test(target);
  };
  const bool found = any([&](const Value& v) { return scalar_matches(t, v); });
  return t.op == Op::Ne || t.op == Op::NoMatch ? !found : found;
}

bool instance_matches(const Term& t, const model::AttrInstance& inst) {
  json::LocalDocument<2048> doc;
  if (!json::parse_stored(doc.doc, inst.json).empty()) return false;
  const Value* node = &doc.doc;
  Value synthetic;  // createdAt / modifiedAt are kept beside the JSON
  std::string stamp;
  bool is_attr = true;
  for (const auto& p : t.path) {
    if (!is_attr) return false;
    if ((p == "createdAt" || p == "modifiedAt") && node == &doc.doc) {
      stamp = format_iso8601(p == "createdAt" ? inst.created_at : inst.modified_at);
      synthetic.SetString(rapidjson::StringRef(stamp.data(), stamp.size()));
      node = &synthetic;
      is_attr = false;
      continue;
    }
    auto it = node->FindMember(rapidjson::StringRef(p.data(), p.size()));
    if (it == node->MemberEnd()) return false;
    node = &it->value;
    is_attr = node->IsObject() && node->HasMember("type");
  }
  bool language_map = false;
  const Value* target = node;
  if (is_attr) {
    target = value_of(*node);
    if (!target) return false;
    language_map = node->HasMember("languageMap");
  }
  for (const auto& k : t.keys) {
    if (!target->IsObject()) return false;
    auto it = target->FindMember(rapidjson::StringRef(k.data(), k.size()));
    if (it == target->MemberEnd()) return false;
    target = &it->value;
    language_map = false;
  }
  return target_matches(t, *target, language_map);
}

// The same comparison on a pre-extracted scalar (no JSON parsing).
std::optional<int> compare(const model::AttrInstance& inst, const Literal& l) {
  using K = model::Scalar::Kind;
  auto sign = [](auto a, auto b) { return a < b ? -1 : a > b ? 1 : 0; };
  const model::Scalar& s = inst.scalar;
  switch (l.kind) {
    case Literal::Kind::Number:
      if (s.kind == K::Number) return sign(s.number, l.number);
      return std::nullopt;
    case Literal::Kind::Bool:
      if (s.kind == K::Bool) return sign(s.boolean, l.boolean);
      return std::nullopt;
    case Literal::Kind::DateTime:
      if (s.kind == K::String) {
        auto text = inst.scalar_text();
        auto t = parse_iso8601(text);
        if (!t && text.size() == 10) t = parse_iso8601(std::string(text) + "T00:00:00Z");
        if (t) return sign(*t, l.time);
      }
      return std::nullopt;
    case Literal::Kind::String:
      if (s.kind == K::String) {
        const int c = inst.scalar_text().compare(l.text);
        return c < 0 ? -1 : c > 0 ? 1 : 0;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

bool scalar_instance_matches(const Term& t, const model::AttrInstance& inst) {
  const bool found = positive_test(
      t, [&](const Literal& l) { return compare(inst, l); },
      [&] { return inst.scalar.kind == model::Scalar::Kind::String && t.regex->search(inst.scalar_text()); });
  return t.op == Op::Ne || t.op == Op::NoMatch ? !found : found;
}

bool term_matches(const Term& t, const model::Entity& e) {
  const bool plain = t.path.empty() && t.keys.empty();
  for (const auto& inst : e.attrs) {
    if (inst.name != t.attr) continue;
    const bool hit = plain && inst.scalar.kind != model::Scalar::Kind::None ? scalar_instance_matches(t, inst)
                                                                            : instance_matches(t, inst);
    if (hit) return true;
  }
  return false;
}

}  // namespace

bool matches(const Expr& e, const model::Entity& entity) {
  switch (e.kind) {
    case Expr::Kind::Term: return term_matches(e.term, entity);
    case Expr::Kind::And:
      for (const auto& c : e.children)
        if (!matches(c, entity)) return false;
      return true;
    case Expr::Kind::Or:
      for (const auto& c : e.children)
        if (matches(c, entity)) return true;
      return false;
  }
  return false;
}

}  // namespace dejima::query

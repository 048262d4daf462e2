#include "ngsiv2/update_operators.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <optional>
#include <unordered_set>

#include "ngsiv2/attribute.h"
#include "ngsiv2/value_order.h"
#include "util/time.h"

namespace dejima::ngsiv2 {
namespace {

using Alloc = json::Document::AllocatorType;

constexpr std::string_view kOperators[] = {"$inc",      "$mul",  "$min",     "$max", "$push",
                                           "$addToSet", "$pull", "$pullAll", "$set", "$unset"};

// What an operator leaves of the attribute: a value, an attribute without one (null), or nothing.
struct Applied {
  enum Kind { Value, NoValue, NotCreated } kind = Value;
  json::Value value;
};

Applied valued(json::Value v) { return {Applied::Value, std::move(v)}; }

// Orion hands operators to its database and answers its refusals as a 500 with the database's text.
Error database_error(std::string_view name, std::string_view text) {
  return Error{ErrorKind::InternalError, "InternalServerError",
               "Database Error (collection: orion.entities - update(): attrs." + std::string(name) +
                   ".value - exception: " + std::string(text) + ")"};
}

std::string_view type_name(const json::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "bool";
  if (v.IsInt()) return "int";
  if (v.IsInt64() || v.IsUint64()) return "long";
  if (v.IsNumber()) return "double";
  if (v.IsString()) return "string";
  if (v.IsArray()) return "array";
  return "object";
}

// A value as the database's shell writes it in messages: {value: "foo"}.
void shell_form(std::string& out, const json::Value& v) {
  if (v.IsObject()) {
    out += '{';
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      if (m != v.MemberBegin()) out += ", ";
      out += json::view(m->name);
      out += ": ";
      shell_form(out, m->value);
    }
    out += '}';
  } else if (v.IsArray()) {
    out += '[';
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (i) out += ", ";
      shell_form(out, v[i]);
    }
    out += ']';
  } else {
    out += json::to_string(v);
  }
}

std::string in_value(const json::Value& v) {
  std::string out = "{value: ";
  shell_form(out, v);
  return out + "}";
}

// Dates compare as times (Orion keeps them as numbers); anything else in the database's order.
int compare_dates(const json::Value& a, const json::Value& b, bool date) {
  if (date && a.IsString() && b.IsString()) {
    auto x = orion_date(json::view(a));
    auto y = orion_date(json::view(b));
    if (x && y) return *x < *y ? -1 : *x > *y ? 1 : 0;
  }
  return compare_values(a, b);
}

json::Value number(double d) {
  json::Value v;
  v.SetDouble(d);
  return v;
}

// a + b or a * b, whole when both are whole and the result fits.
json::Value arithmetic(const json::Value& a, const json::Value& b, bool multiply) {
  if (a.IsInt64() && b.IsInt64()) {
    long long r;
    const bool overflow = multiply ? __builtin_mul_overflow(a.GetInt64(), b.GetInt64(), &r)
                                   : __builtin_add_overflow(a.GetInt64(), b.GetInt64(), &r);
    if (!overflow) return json::Value(static_cast<int64_t>(r));
  }
  return number(multiply ? a.GetDouble() * b.GetDouble() : a.GetDouble() + b.GetDouble());
}

// A $pull condition: a value equal to it, or with an object of query operators ({"$gte": 2}) or of
// fields ({"x": 1}), the elements it matches.
bool matches(const json::Value& e, const json::Value& cond) {
  if (!cond.IsObject() || cond.ObjectEmpty()) return e == cond;
  const bool operators = std::all_of(cond.MemberBegin(), cond.MemberEnd(),
                                     [](const auto& m) { return json::view(m.name).starts_with('$'); });
  if (!operators) {
    if (!e.IsObject()) return false;
    for (auto m = cond.MemberBegin(); m != cond.MemberEnd(); ++m) {
      const json::Value* field = json::member(e, json::view(m->name));
      if (!field || !matches(*field, m->value)) return false;
    }
    return true;
  }
  for (auto m = cond.MemberBegin(); m != cond.MemberEnd(); ++m) {
    const std::string_view op = json::view(m->name);
    const json::Value& arg = m->value;
    const bool comparable = kind_rank(e) == kind_rank(arg);  // query operators compare within a kind
    const int c = compare_values(e, arg);
    auto listed = [&] {
      return arg.IsArray() && std::any_of(arg.Begin(), arg.End(), [&](const auto& x) { return x == e; });
    };
    bool ok = false;
    if (op == "$eq")
      ok = e == arg;
    else if (op == "$ne")
      ok = !(e == arg);
    else if (op == "$gt")
      ok = comparable && c > 0;
    else if (op == "$gte")
      ok = comparable && c >= 0;
    else if (op == "$lt")
      ok = comparable && c < 0;
    else if (op == "$lte")
      ok = comparable && c <= 0;
    else if (op == "$in")
      ok = listed();
    else if (op == "$nin")
      ok = arg.IsArray() && !listed();
    if (!ok) return false;
  }
  return true;
}

// The elements $push or $addToSet adds: the operand, or the items of {"$each": [...]}.
struct Items {
  std::vector<const json::Value*> values;
  std::optional<int64_t> position, slice;
  std::optional<int> sort;
};

Result<Items> items_of(std::string_view op, const json::Value& arg, std::string_view name) {
  Items it;
  const json::Value* each = json::member(arg, "$each");
  if (!each) {
    it.values.push_back(&arg);
    return it;
  }
  if (!each->IsArray())
    return std::unexpected(database_error(name, "The argument to $each in " + std::string(op) +
                                                    " must be an array but it was of type " +
                                                    std::string(type_name(*each))));
  for (const auto& v : each->GetArray()) it.values.push_back(&v);
  if (op != "$push") return it;
  for (auto m = arg.MemberBegin(); m != arg.MemberEnd(); ++m) {
    const std::string_view k = json::view(m->name);
    if (k == "$each") continue;
    if ((k == "$position" || k == "$slice") && m->value.IsInt64()) {
      (k == "$position" ? it.position : it.slice) = m->value.GetInt64();
    } else if (k == "$sort" && m->value.IsInt() && (m->value.GetInt() == 1 || m->value.GetInt() == -1)) {
      it.sort = m->value.GetInt();
    } else {
      return std::unexpected(database_error(name, "Unrecognized clause in $push: " + std::string(k)));
    }
  }
  return it;
}

json::Value push(const json::Value* cur, const Items& it, bool unique, Alloc& a) {
  std::vector<json::Value> elems;
  std::unordered_set<std::string> present;  // $addToSet: the elements as text (one pass, not one per item)
  if (cur)
    for (const auto& e : cur->GetArray()) {
      if (unique) present.insert(json::to_string(e));
      elems.emplace_back(e, a);
    }
  std::vector<json::Value> added;
  for (const json::Value* v : it.values)
    if (!unique || present.insert(json::to_string(*v)).second) added.emplace_back(*v, a);
  auto at = static_cast<int64_t>(elems.size());
  if (it.position) at = *it.position < 0 ? std::max<int64_t>(0, at + *it.position) : std::min(at, *it.position);
  elems.insert(elems.begin() + at, std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
  if (it.sort)
    std::stable_sort(elems.begin(), elems.end(),
                     [&](const json::Value& x, const json::Value& y) { return compare_values(x, y) * *it.sort < 0; });
  if (it.slice) {
    const auto n = static_cast<int64_t>(elems.size());
    const int64_t keep = *it.slice >= 0 ? std::min(n, *it.slice) : *it.slice < -n ? n : -*it.slice;
    if (*it.slice >= 0)
      elems.erase(elems.begin() + keep, elems.end());
    else
      elems.erase(elems.begin(), elems.begin() + (n - keep));
  }
  json::Value out(rapidjson::kArrayType);
  out.Reserve(static_cast<rapidjson::SizeType>(elems.size()), a);
  for (auto& e : elems) out.PushBack(e, a);
  return out;
}

// $set and $unset (either may be absent) on the stored value.
Result<Applied> set_unset(const json::Value* set, const json::Value* unset, const json::Value* cur,
                          std::string_view name, Alloc& a) {
  if (set && !set->IsObject() && !unset) return valued(json::Value(*set, a));  // a plain replacement
  const bool set_object = set && set->IsObject();
  const bool unset_object = unset && unset->IsObject();
  if (set_object && unset_object)
    for (auto m = set->MemberBegin(); m != set->MemberEnd(); ++m)
      if (unset->HasMember(m->name)) {
        const std::string path = "attrs." + std::string(name) + ".value." + std::string(json::view(m->name));
        return std::unexpected(
            database_error(name, "Updating the path '" + path + "' would create a conflict at '" + path + "'"));
      }
  if (!cur) {
    if (!set_object) return Applied{Applied::NoValue, {}};
    return valued(json::Value(*set, a));
  }
  if (!cur->IsObject()) {
    if (set_object && !set->ObjectEmpty())
      return std::unexpected(database_error(name, "Cannot create field '" +
                                                      std::string(json::view(set->MemberBegin()->name)) +
                                                      "' in element " + in_value(*cur)));
    return valued(json::Value(*cur, a));
  }
  json::Value out(*cur, a);
  if (set_object)
    for (auto m = set->MemberBegin(); m != set->MemberEnd(); ++m) {
      if (json::Value* old = json::member(out, json::view(m->name)))
        *old = json::Value(m->value, a);
      else
        out.AddMember(json::Value(m->name, a), json::Value(m->value, a), a);
    }
  if (unset_object)
    for (auto m = unset->MemberBegin(); m != unset->MemberEnd(); ++m) out.RemoveMember(m->name);
  return valued(std::move(out));
}

// One operator against the stored value (`cur`: null when the attribute does not exist yet).
Result<Applied> apply_update(std::string_view op, const json::Value& arg, const json::Value* cur, bool date,
                             std::string_view name, Alloc& a) {
  if (op == "$inc" || op == "$mul") {
    const bool mul = op == "$mul";
    if (!arg.IsNumber())
      return std::unexpected(database_error(name, std::string(mul ? "Cannot multiply" : "Cannot increment") +
                                                      " with non-numeric argument: {attrs." + std::string(name) +
                                                      ".value: " + json::to_string(arg) + "}"));
    if (!cur) return valued(mul ? json::Value(0) : json::Value(arg, a));
    if (!cur->IsNumber())
      return std::unexpected(database_error(name, "Cannot apply " + std::string(op) +
                                                      " to a value of non-numeric type. The field 'value' has "
                                                      "non-numeric type " +
                                                      std::string(type_name(*cur))));
    json::Value r = arithmetic(*cur, arg, mul);
    if (!std::isfinite(r.GetDouble()))  // JSON has no infinity
      return std::unexpected(database_error(name, "The result of " + std::string(op) + " is out of range"));
    return valued(std::move(r));
  }
  if (op == "$min" || op == "$max") {
    if (!cur) return valued(json::Value(arg, a));
    const int c = compare_dates(arg, *cur, date);
    return valued(json::Value((op == "$min" ? c < 0 : c > 0) ? arg : *cur, a));
  }
  if (op == "$push" || op == "$addToSet") {
    if (cur && !cur->IsArray())
      return std::unexpected(database_error(name, "The field 'value' must be an array but is of type " +
                                                      std::string(type_name(*cur)) + " in document " + in_value(*cur)));
    auto items = items_of(op, arg, name);
    if (!items) return std::unexpected(items.error());
    return valued(push(cur, *items, op == "$addToSet", a));
  }
  if (op == "$pull" || op == "$pullAll") {
    if (op == "$pullAll" && !arg.IsArray())
      return std::unexpected(
          database_error(name, "$pullAll requires an array argument but was given a " + std::string(type_name(arg))));
    if (!cur) return Applied{Applied::NoValue, {}};
    if (!cur->IsArray())
      return std::unexpected(database_error(name, "Cannot apply " + std::string(op) + " to a non-array value"));
    json::Value out(rapidjson::kArrayType);
    for (const auto& e : cur->GetArray()) {
      const bool pulled =
          op == "$pull" ? matches(e, arg) : std::any_of(arg.Begin(), arg.End(), [&](const auto& x) { return x == e; });
      if (!pulled) out.PushBack(json::Value(e, a), a);
    }
    return valued(std::move(out));
  }
  return set_unset(op == "$set" ? &arg : nullptr, op == "$unset" ? &arg : nullptr, cur, name, a);
}

// One operator against Orion's reference for a created or replaced attribute.
Applied apply_create(std::string_view op, const json::Value& arg, bool date, Alloc& a) {
  if (date && (op == "$min" || op == "$max")) {  // the reference is the epoch
    json::Value epoch;
    const std::string text = format_iso8601(0);
    epoch.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
    const int c = compare_dates(arg, epoch, true);
    return valued((op == "$min" ? c < 0 : c > 0) ? json::Value(arg, a) : std::move(epoch));
  }
  const double x = arg.IsNumber() ? arg.GetDouble() : 0;  // Orion counts a non-number as 0
  if (op == "$inc") return valued(arg.IsNumber() ? json::Value(arg, a) : json::Value(0));
  if (op == "$mul") return valued(json::Value(0));
  if (op == "$min") return valued(x < 0 ? json::Value(arg, a) : json::Value(0));
  if (op == "$max") return valued(x > 0 ? json::Value(arg, a) : json::Value(0));
  if (op == "$push" || op == "$addToSet") {
    json::Value out(rapidjson::kArrayType);
    const json::Value* each = json::member(arg, "$each");
    if (each && each->IsArray())
      for (const auto& v : each->GetArray()) out.PushBack(json::Value(v, a), a);
    else
      out.PushBack(json::Value(arg, a), a);
    return valued(std::move(out));
  }
  if (op == "$set") return arg.IsObject() ? valued(json::Value(arg, a)) : Applied{Applied::NoValue, {}};
  return Applied{Applied::NotCreated, {}};  // $pull, $pullAll, $unset
}

// The stored attribute's value as NGSIv2 shows it (a DateTime as its text).
void current_value(const model::AttrInstance& a, json::Document& out) {
  (void)json::parse_stored(out, json::written([&](json::Writer& w) { write_value(w, a); }));  // Dejima wrote it
}

}  // namespace

std::vector<std::pair<std::string, std::string>> operated_names(const std::string& id, const AttrOps& ops) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& op : ops) out.emplace_back(id, expanded_name(op.name));
  return out;
}

bool is_operator(const json::Value& v) {
  if (!v.IsObject() || v.ObjectEmpty()) return false;
  const std::string_view first = json::view(v.MemberBegin()->name);
  return std::find(std::begin(kOperators), std::end(kOperators), first) != std::end(kOperators);
}

Result<std::optional<model::AttrInstance>> resolve_operator(const AttrOp& op, const model::AttrInstance* current,
                                                            OpMode mode) {
  json::Document req;
  (void)json::parse_stored(req, op.attribute);  // written by parse_entity from a parsed request
  const json::Value& ops = req["value"];
  const std::string_view first = json::view(ops.MemberBegin()->name);
  // A request's type wins; without one the stored type stays, and a new attribute is structured.
  std::string type = req.HasMember("type")               ? std::string(json::view(req["type"]))
                     : current && mode == OpMode::Update ? type_of(*current)
                                                         : "StructuredValue";
  const bool date = type == "DateTime";
  json::Document stored;
  const json::Value* cur = nullptr;
  if (current && mode == OpMode::Update) {
    current_value(*current, stored);
    cur = &stored;
  }
  Alloc& a = req.GetAllocator();
  Applied result;
  if (first == "$set" || first == "$unset") {  // the two apply together, wherever the other stands
    const json::Value* set = json::member(ops, "$set");
    const json::Value* unset = json::member(ops, "$unset");
    if (mode == OpMode::Update) {
      auto r = set_unset(set, unset, cur, op.name, a);
      if (!r) return std::unexpected(r.error());
      result = std::move(*r);
    } else {
      result = set ? apply_create("$set", *set, date, a) : Applied{Applied::NotCreated, {}};
    }
  } else if (mode == OpMode::Update) {
    auto r = apply_update(first, ops.MemberBegin()->value, cur, date, op.name, a);
    if (!r) return std::unexpected(r.error());
    result = std::move(*r);
  } else {
    result = apply_create(first, ops.MemberBegin()->value, date, a);
  }
  if (result.kind == Applied::NotCreated) return std::optional<model::AttrInstance>();
  json::Document attr;
  attr.SetObject();
  json::Value type_value;
  type_value.SetString(type.data(), static_cast<rapidjson::SizeType>(type.size()), attr.GetAllocator());
  attr.AddMember("type", type_value, attr.GetAllocator());
  attr.AddMember("value", json::Value(result.value, attr.GetAllocator()), attr.GetAllocator());
  if (const json::Value* md = json::member(req, "metadata"))
    attr.AddMember("metadata", json::Value(*md, attr.GetAllocator()), attr.GetAllocator());
  auto inst = parse_attribute(op.name, attr, false);
  if (!inst) return std::unexpected(inst.error());
  if (current) inst->dataset_id = current->dataset_id;
  return std::optional(std::move(*inst));
}

Status resolve_operators(model::ParsedEntity& p, const AttrOps& ops, const model::Entity* current, OpMode mode) {
  for (const auto& op : ops) {
    const std::string name = expanded_name(op.name);
    auto it =
        std::find_if(p.attrs.begin(), p.attrs.end(), [&](const model::AttrInstance& i) { return i.name == name; });
    if (it == p.attrs.end()) continue;
    const model::AttrInstance* stored = current ? current->find(name, it->dataset_id) : nullptr;
    auto r = resolve_operator(op, stored, mode);
    if (!r) return std::unexpected(r.error());
    if (*r)
      *it = std::move(**r);
    else
      p.attrs.erase(it);
  }
  return {};
}

}  // namespace dejima::ngsiv2

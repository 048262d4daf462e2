#include "ngsild/order_by.h"

#include <algorithm>
#include <variant>

#include "model/parse.h"
#include "ngsild/render_params.h"
#include "util/json.h"

namespace dejima::ngsild {
namespace {

using SortValue = std::variant<std::monostate, double, std::string>;  // monostate: missing

bool core_instance_member(std::string_view m) { return m == "createdAt" || m == "modifiedAt" || m == "observedAt"; }

SortValue from_json(const json::Value& v) {
  if (v.IsNumber()) return v.GetDouble();
  if (v.IsBool()) return v.GetBool() ? 1.0 : 0.0;
  if (v.IsString()) return std::string(json::view(v));
  return {};
}

// The value, object or languageMap text of an attribute (or sub-attribute) object.
SortValue member_value(const json::Value& attr) {
  if (!attr.IsObject()) return from_json(attr);
  for (const char* k : {"value", "object", "vocab"})
    if (auto it = attr.FindMember(k); it != attr.MemberEnd()) return from_json(it->value);
  return {};
}

SortValue value_of(const model::Entity& e, const OrderKey& k) {
  if (k.attribute == "id") return e.id;
  if (k.attribute == "type") return e.types.empty() ? SortValue{} : SortValue{std::string(e.types.front())};
  if (k.attribute == "createdAt") return static_cast<double>(e.created_at);
  if (k.attribute == "modifiedAt") return static_cast<double>(e.modified_at);
  const model::AttrInstance* a = e.find(k.attribute, "");
  if (!a)
    for (const auto& inst : e.attrs)
      if (inst.name == k.attribute && !a) a = &inst;
  if (!a) return {};
  if (k.member == "createdAt") return static_cast<double>(a->created_at);
  if (k.member == "modifiedAt") return static_cast<double>(a->modified_at);
  if (k.member.empty() && a->scalar.kind == model::Scalar::Kind::Number) return a->scalar.number;
  if (k.member.empty() && a->scalar.kind == model::Scalar::Kind::String) return std::string(a->scalar_text());
  json::Document d;
  if (!json::parse_stored(d, a->json).empty() || !d.IsObject()) return {};
  if (k.member.empty()) return member_value(d);
  auto it = d.FindMember(rapidjson::StringRef(k.member.data(), k.member.size()));
  return it == d.MemberEnd() ? SortValue{} : member_value(it->value);
}

}  // namespace

Result<std::vector<OrderKey>> parse_order_by(std::string_view text, const jsonld::Context& ctx) {
  std::vector<OrderKey> keys;
  auto bad = [&](const std::string& detail) { return fail(ErrorKind::BadRequestData, "Invalid orderBy", detail); };
  if (text.empty()) return bad("orderBy must list at least one key");
  for (const auto& item : split_list(text)) {
    OrderKey k;
    std::string_view path = item;
    if (size_t semi = path.find(';'); semi != std::string_view::npos) {
      std::string_view dir = path.substr(semi + 1);
      if (dir != "asc" && dir != "desc") return bad("'" + item + "': the direction is asc or desc");
      k.descending = dir == "desc";
      path = path.substr(0, semi);
    }
    std::string_view first = path.substr(0, path.find('.'));
    std::string_view member = first.size() < path.size() ? path.substr(first.size() + 1) : std::string_view{};
    if (!model::valid_name(first) || (first.size() < path.size() && (member.empty() || !model::valid_name(member))))
      return bad("'" + item + "' is not an attribute path");
    const bool core = first == "id" || first == "type" || first == "createdAt" || first == "modifiedAt";
    if (core && !member.empty()) return bad("'" + item + "': " + std::string(first) + " has no members");
    k.attribute = core ? std::string(first) : ctx.expand(first);
    if (!member.empty()) k.member = core_instance_member(member) ? std::string(member) : ctx.expand(member);
    keys.push_back(std::move(k));
  }
  return keys;
}

void sort_entities(std::vector<broker::EntityPtr>& entities, const std::vector<OrderKey>& keys) {
  // Compute each entity's values once, then sort the indices.
  std::vector<std::vector<SortValue>> values(entities.size());
  for (size_t i = 0; i < entities.size(); ++i)
    for (const auto& k : keys) values[i].push_back(value_of(*entities[i], k));
  std::vector<size_t> order(entities.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    for (size_t k = 0; k < keys.size(); ++k) {
      const SortValue &x = values[a][k], &y = values[b][k];
      if (x == y) continue;
      const bool x_missing = std::holds_alternative<std::monostate>(x),
                 y_missing = std::holds_alternative<std::monostate>(y);
      if (x_missing || y_missing) return y_missing;  // missing values last, either direction
      return keys[k].descending ? y < x : x < y;     // variant order: numbers before strings
    }
    return false;
  });
  std::vector<broker::EntityPtr> sorted;
  sorted.reserve(entities.size());
  for (size_t i : order) sorted.push_back(std::move(entities[i]));
  entities = std::move(sorted);
}

}  // namespace dejima::ngsild

#include "ngsiv2/order_by.h"

#include <algorithm>
#include <set>

#include "http/message.h"
#include "ngsiv2/entity.h"
#include "ngsiv2/request_context.h"
#include "ngsiv2/value_order.h"

namespace dejima::ngsiv2 {
namespace {

constexpr std::string_view kProximity = "geo:distance";

json::Value text_value(std::string_view text, json::Document::AllocatorType& a) {
  json::Value v;
  v.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
  return v;
}

// An entity's value for one key (null when it has none), allocated in `a`.
json::Value key_value(const model::Entity& e, const OrderKey& k, json::Document::AllocatorType& a) {
  if (k.name == "id") return text_value(e.id, a);
  if (k.name == "type") return text_value(entity_type(e), a);
  if (k.name == "servicePath") return text_value(RequestContext::path_of(e), a);
  if (k.name == "dateCreated") return json::Value(static_cast<int64_t>(e.created_at));
  if (k.name == "dateModified") return json::Value(static_cast<int64_t>(e.modified_at));
  const std::string name = expanded_name(k.name);
  for (const auto* attr : shown_attributes(e))
    if (attr->name == name) {
      json::LocalDocument<> d;
      (void)json::parse_stored(d.doc, json::written([&](json::Writer& w) { write_value(w, *attr); }));  // ours
      return json::Value(d.doc, a);
    }
  return {};
}

}  // namespace

Result<Order> parse_order_by(std::string_view text) {
  Order order;
  std::set<std::string> seen;
  for (auto item : http::list_items(text)) {
    OrderKey k;
    k.descending = item.starts_with('!');
    k.name = std::string(k.descending ? item.substr(1) : item);
    if (!seen.insert(k.name).second) return std::unexpected(bad_request("duplicate orderBy token detected"));
    order.push_back(std::move(k));
  }
  return order;
}

void sort_entities(std::vector<broker::EntityPtr>& entities, const Order& order, const GeoDistance& distance) {
  if (order.empty()) return;
  std::vector<size_t> idx(entities.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  if (order.front().name == kProximity) {  // Orion leaves it to the near query: the other keys do not apply
    if (!distance) return;
    std::vector<double> d(entities.size());
    for (size_t i = 0; i < d.size(); ++i) d[i] = distance(*entities[i]).value_or(1e300);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return d[a] < d[b]; });
  } else {
    json::Document pool;  // holds every value
    std::vector<std::vector<json::Value>> values(entities.size());
    for (size_t i = 0; i < entities.size(); ++i)
      for (const auto& k : order) values[i].push_back(key_value(*entities[i], k, pool.GetAllocator()));
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      for (size_t k = 0; k < order.size(); ++k)
        if (int c = compare_values(values[a][k], values[b][k])) return order[k].descending ? c > 0 : c < 0;
      return false;
    });
  }
  std::vector<broker::EntityPtr> sorted;
  sorted.reserve(entities.size());
  for (size_t i : idx) sorted.push_back(std::move(entities[i]));
  entities = std::move(sorted);
}

}  // namespace dejima::ngsiv2

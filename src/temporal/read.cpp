#include "temporal/read.h"

#include <algorithm>

#include "model/parse.h"

namespace dejima::temporal {
namespace {

// Reads the attributes of one entity as the request asks: aggregated periods, or the instances
// (the oldest, or with lastN the newest), at most max_instances per attribute.
Result<std::vector<AttributeHistory>> read_attributes(store::HistoryReader& h, const std::string& id, const Request& t,
                                                      size_t max_instances, Coverage& cover) {
  auto names = h.history_attributes(id);
  if (!names) return std::unexpected(names.error());
  std::vector<AttributeHistory> out;
  for (const auto& name : *names) {
    if (!t.attrs.empty() && std::find(t.attrs.begin(), t.attrs.end(), name) == t.attrs.end()) continue;
    AttributeHistory a;
    a.name = name;
    if (t.render.representation == Representation::Aggregated) {
      auto periods =
          aggregate(h, id, name, t.window, t.bounded_from, t.bounded_to, t.period, scan_need(t.render.methods));
      if (!periods) return std::unexpected(periods.error());
      a.periods = std::move(*periods);
      auto last = h.history_instances(id, name, store::TimeWindow{}, 1, true);
      if (!last) return std::unexpected(last.error());
      if (!last->empty()) {
        model::AttrInstance probe;
        probe.json = last->front().json;
        a.type = model::attribute_type(probe);
      }
      out.push_back(std::move(a));
      continue;
    }
    const bool newest = t.last_n.has_value();
    const size_t wanted = std::min(t.last_n.value_or(max_instances), max_instances);
    auto found = h.history_instances(id, name, t.window, wanted + 1, newest);
    if (!found) return std::unexpected(found.error());
    a.instances = std::move(*found);
    // More than one response holds (lastN asks for no more than it names).
    const bool more = a.instances.size() > wanted && (!newest || *t.last_n > max_instances);
    if (a.instances.size() > wanted) {
      if (newest)
        a.instances.erase(a.instances.begin());
      else
        a.instances.pop_back();
    }
    if (more && !a.instances.empty()) {
      cover.truncated = true;
      // The part every attribute covers completely: up to the earliest last time (oldest
      // first), or from the latest first time (newest first).
      const auto p = t.render.time_property;
      if (newest)
        cover.start =
            cover.start == INT64_MAX ? a.instances.front().time(p) : std::max(cover.start, a.instances.front().time(p));
      else
        cover.end =
            cover.end == INT64_MIN ? a.instances.back().time(p) : std::min(cover.end, a.instances.back().time(p));
    }
    out.push_back(std::move(a));
  }
  return out;
}

// Trims every attribute to the covered part and fills the range's other end.
void trim_to_coverage(std::vector<std::vector<AttributeHistory>>& all, const Request& t, Coverage& cover) {
  const auto p = t.render.time_property;
  const bool newest = t.last_n.has_value();
  Millis lo = INT64_MAX, hi = INT64_MIN;
  for (auto& attrs : all)
    for (auto& a : attrs) {
      std::erase_if(a.instances, [&](const store::InstanceRecord& r) {
        return newest ? r.time(p) < cover.start : r.time(p) > cover.end;
      });
      for (const auto& r : a.instances) {
        lo = std::min(lo, r.time(p));
        hi = std::max(hi, r.time(p));
      }
    }
  if (newest)
    cover.end = t.bounded_to ? t.window.to : hi;
  else
    cover.start = t.bounded_from ? t.window.from : lo;
}

// The history entity as a model entity for the query filter: id, types, scopes and, when the
// filter looks at attributes, the newest instance of each.
Result<model::Entity> filter_view(store::HistoryReader& h, const store::HistoryEntity& e, const query::Filter& f) {
  model::Entity v;
  v.id = e.id;
  v.types.assign(e.types.begin(), e.types.end());
  v.scopes = e.scopes;
  if (f.attrs.empty() && !f.q && !f.geo) return v;
  auto names = h.history_attributes(e.id);
  if (!names) return std::unexpected(names.error());
  for (const auto& n : *names) {
    auto last = h.history_instances(e.id, n, store::TimeWindow{}, 1, true);
    if (!last) return std::unexpected(last.error());
    if (last->empty() || last->front().deleted_at) continue;
    model::AttrInstance a;
    a.name = n;
    a.json = last->front().json;
    v.attrs.push_back(std::move(a));
  }
  model::extract_scalars(v);
  return v;
}

}  // namespace

Result<Histories> read_entity(store::HistoryReader& h, const std::string& id, const Request& t, size_t max_instances) {
  auto e = h.history_entity(id);
  if (!e) return std::unexpected(e.error());
  if (!*e) return fail(ErrorKind::ResourceNotFound, "Not found", "no history for entity " + id);
  Histories out;
  auto attrs = read_attributes(h, id, t, max_instances, out.cover);
  if (!attrs) return std::unexpected(attrs.error());
  out.entities.push_back(std::move(**e));
  out.attrs.push_back(std::move(*attrs));
  out.total = 1;
  if (out.cover.truncated) trim_to_coverage(out.attrs, t, out.cover);
  return out;
}

Result<Histories> read_matching(store::HistoryReader& h, const query::Filter& f, const query::Page& page,
                                const Request& t, size_t max_instances) {
  auto all = h.history_entities();
  if (!all) return std::unexpected(all.error());
  Histories out;
  for (auto& e : *all) {
    auto view = filter_view(h, e, f);
    if (!view) return std::unexpected(view.error());
    if (!f.matches(*view)) continue;
    ++out.total;
    if (out.total <= page.offset || out.entities.size() >= page.limit) {
      if (!page.count && out.entities.size() >= page.limit) break;
      continue;
    }
    auto a = read_attributes(h, e.id, t, max_instances, out.cover);
    if (!a) return std::unexpected(a.error());
    out.entities.push_back(std::move(e));
    out.attrs.push_back(std::move(*a));
  }
  if (out.cover.truncated) trim_to_coverage(out.attrs, t, out.cover);
  return out;
}

}  // namespace dejima::temporal

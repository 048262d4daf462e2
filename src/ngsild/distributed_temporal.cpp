#include "ngsild/distributed_temporal.h"

#include <algorithm>
#include <array>
#include <future>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "ngsild/csource_registration.h"
#include "ngsild/distributed.h"
#include "ngsild/distributed_query.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

using Alloc = json::Document::AllocatorType;

std::string_view text(const json::Value* v) { return v && v->IsString() ? json::view(*v) : std::string_view{}; }

// When an instance or a value pair happened, for ordering; unreadable times sort first.
Millis when(std::string_view t) { return parse_iso8601(t).value_or(INT64_MIN); }

const char* time_key(const TemporalRequest& t) {
  using P = store::TimeWindow::Property;
  switch (t.render.time_property) {
    case P::Created: return "createdAt";
    case P::Modified: return "modifiedAt";
    case P::Observed: break;
  }
  return "observedAt";
}

void as_array(json::Value& v, Alloc& a) {
  if (v.IsArray()) return;
  json::Value one;
  one.Swap(v);
  v.SetArray();
  v.PushBack(one, a);
}

// Orders the array's items by `time_of` (oldest first) and keeps the newest lastN.
template <class TimeOf>
void order(json::Value& items, Alloc& a, const TemporalRequest& t, TimeOf time_of) {
  std::vector<std::pair<Millis, json::Value>> sorted;
  for (auto& v : items.GetArray()) {
    const Millis at = time_of(v);
    sorted.emplace_back(at, json::Value());
    sorted.back().second.Swap(v);
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  if (t.last_n && sorted.size() > *t.last_n)
    sorted.erase(sorted.begin(), sorted.end() - static_cast<std::ptrdiff_t>(*t.last_n));
  items.SetArray();
  for (auto& [at, v] : sorted) items.PushBack(v, a);
}

// Normalized: the source's instances of a datasetId and time the local attribute lacks.
void merge_instances(json::Value& into, const json::Value& from, Alloc& a, const TemporalRequest& t) {
  as_array(into, a);
  const char* key = time_key(t);
  // The same instance: the same datasetId and time (an instance without the time member shown is
  // never taken for another).
  auto same = [&](const json::Value& x, const json::Value& y) {
    const std::string_view at = text(json::member(x, key));
    return !at.empty() && at == text(json::member(y, key)) &&
           text(json::member(x, "datasetId")) == text(json::member(y, "datasetId"));
  };
  auto add = [&](const json::Value& inst) {
    if (!inst.IsObject()) return;
    const auto& have = into.GetArray();
    if (std::none_of(have.begin(), have.end(), [&](const json::Value& x) { return x.IsObject() && same(x, inst); }))
      into.PushBack(json::Value(inst, a), a);
  };
  if (from.IsArray())
    for (const auto& inst : from.GetArray()) add(inst);
  else
    add(from);
  order(into, a, t, [&](const json::Value& v) { return when(text(json::member(v, key))); });
}

// temporalValues: per datasetId, the source's [value, time] pairs at times the local one lacks.
void merge_value_lists(json::Value& into, const json::Value& from, Alloc& a, const TemporalRequest& t) {
  static constexpr std::array<const char*, 7> kLists = {"values", "objects",    "languageMaps", "jsons",
                                                        "vocabs", "valueLists", "objectLists"};
  as_array(into, a);
  auto pairs_of = [](json::Value& v) -> json::Value* {
    for (const char* k : kLists)
      if (json::Value* list = v.IsObject() ? json::member(v, k) : nullptr; list && list->IsArray()) return list;
    return nullptr;
  };
  auto pair_time = [](const json::Value& p) { return p.IsArray() && p.Size() == 2 ? when(text(&p[1])) : INT64_MIN; };
  auto add = [&](const json::Value& item) {
    if (!item.IsObject()) return;
    json::Value* mine = nullptr;
    for (auto& x : into.GetArray())
      if (x.IsObject() && text(json::member(x, "datasetId")) == text(json::member(item, "datasetId"))) mine = &x;
    if (!mine) return into.PushBack(json::Value(item, a), a), void();
    json::Value copy(item, a);
    json::Value* theirs = pairs_of(copy);
    json::Value* ours = pairs_of(*mine);
    if (!theirs || !ours) return;
    for (auto& p : theirs->GetArray()) {
      const Millis at = pair_time(p);
      const auto& have = ours->GetArray();
      if (std::none_of(have.begin(), have.end(), [&](const json::Value& q) { return pair_time(q) == at; }))
        ours->PushBack(json::Value(p, a), a);
    }
    order(*ours, a, t, pair_time);
  };
  if (from.IsArray())
    for (const auto& item : from.GetArray()) add(item);
  else
    add(from);
  if (into.Size() == 1) {  // one datasetId: the object itself, as rendered locally
    json::Value one;
    one.Swap(into[0]);
    into.Swap(one);
  }
}

void add_types(json::Value& into, const json::Value& from, Alloc& a) {
  const json::Value* theirs = json::member(from, "type");
  if (!theirs) return;
  json::Value* ours = json::member(into, "type");
  if (!ours) return into.AddMember("type", json::Value(*theirs, a), a), void();
  auto add = [&](const json::Value& type) {
    if (!type.IsString()) return;
    if (ours->IsString() && *ours == type) return;
    if (ours->IsArray() && std::find(ours->Begin(), ours->End(), type) != ours->End()) return;
    as_array(*ours, a);
    ours->PushBack(json::Value(type, a), a);
  };
  if (theirs->IsArray())
    for (const auto& type : theirs->GetArray()) add(type);
  else
    add(*theirs);
}

bool entity_member(std::string_view name) {
  for (std::string_view k : {"id", "type", "@context", "scope", "createdAt", "modifiedAt", "deletedAt"})
    if (name == k) return true;
  return false;
}

// The query string a source gets: the request's own parameters with `attrs` cut to the
// registered attributes (expanded; empty: as asked) and, for a query, one page as large as
// Dejima serves.
std::string forwarded_query(const RequestContext& c, const Services& s, const std::vector<std::string>& names,
                            bool query) {
  std::string out;
  auto add = [&](std::string_view k, std::string_view v) {
    out += (out.empty() ? "?" : "&") + std::string(k) + "=" + percent_encode(v, ":,");
  };
  for (const auto& [k, v] : c.req.query)
    if (k != "attrs" && k != "local" && k != "limit" && k != "offset" && k != "count") add(k, v);
  if (!names.empty()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ",") + n;
    add("attrs", list);
  } else if (const auto* attrs = c.req.param("attrs")) {
    add("attrs", *attrs);
  }
  if (query) add("limit", std::to_string(s.options.max_limit));
  return out;
}

struct Answer {
  const federation::Registration* reg = nullptr;
  std::vector<std::string> keys;  // the attributes taken from it, compacted (empty: all)
  json::Document doc;             // its temporal entity, or array of them (null: nothing usable)
};

// Asks one source; its answer is kept when it is the JSON document expected (an object for a
// retrieval, an array for a query).
Answer ask(const RequestContext& c, const Services& s, const federation::Registration& r,
           const std::vector<std::string>& names, const std::string& path, bool query) {
  Answer out;
  out.reg = &r;
  for (const auto& n : names) out.keys.push_back(c.context->compact(n));
  auto res = forward_read(c, s, r, path);
  if (!res || res->status == 404) return out;
  if ((res->status != 200 && res->status != 206) || !json::parse(out.doc, res->body).empty() ||
      (query ? !out.doc.IsArray() : !out.doc.IsObject())) {
    spdlog::warn("registration {}: {} answered {} without temporal entities", r.id, path, res->status);
    out.doc.SetNull();
  }
  return out;
}

// The asked attributes a registration holds (`attrs` expanded, empty: all); nullopt when none.
std::optional<std::vector<std::string>> wanted(std::vector<std::string> names, const std::vector<std::string>& attrs) {
  if (attrs.empty()) return names;
  std::vector<std::string> both;
  for (const auto& a : attrs)
    if (names.empty() || std::find(names.begin(), names.end(), a) != names.end()) both.push_back(a);
  if (both.empty()) return std::nullopt;
  return both;
}

template <class Ask>
std::vector<Answer> ask_all(const std::vector<federation::RegPtr>& sources, Ask ask_one) {
  std::vector<std::future<std::optional<Answer>>> asked;
  for (const auto& r : sources) asked.push_back(std::async(kAtOnce, [r, &ask_one] { return ask_one(*r); }));
  std::vector<Answer> out;
  for (auto& f : asked)
    if (auto a = f.get(); a && !a->doc.IsNull()) out.push_back(std::move(*a));
  return out;
}

bool auxiliary(const Answer& a) { return ld(*a.reg).mode == "auxiliary"; }

// Whether the caller may read an entity a source answers: what the broker holds of it decides,
// else the types the source gives it.
bool readable(const RequestContext& c, const Services& s, const json::Value& e) {
  if (!c.readable_types) return true;
  const std::string id(text(json::member(e, "id")));
  if (auto tenant = s.tenants.find(c.tenant)) {
    if (auto live = (*tenant)->get(id)) return c.readable(*live);
    if (auto held = (*tenant)->history().history_entity(id); held && *held)
      return std::any_of((*held)->types.begin(), (*held)->types.end(),
                         [&](const std::string& t) { return c.readable_type(t); });
  }
  return readable_as_answered(c, e);
}

}  // namespace

void merge_temporal_entity(json::Value& into, const json::Value& from, Alloc& a, const std::vector<std::string>& keys,
                           const std::string& mode, const TemporalRequest& t) {
  if (!into.IsObject() || !from.IsObject()) return;
  add_types(into, from, a);
  const bool replace = mode == "exclusive" || mode == "redirect";
  for (const auto& m : from.GetObject()) {
    const std::string_view name = json::view(m.name);
    if (entity_member(name)) continue;
    if (!keys.empty() && std::find(keys.begin(), keys.end(), name) == keys.end()) continue;
    json::Value* mine = json::member(into, name);
    if (!mine) {
      into.AddMember(json::Value(m.name, a), json::Value(m.value, a), a);
    } else if (replace) {
      *mine = json::Value(m.value, a);
    } else if (mode != "auxiliary") {
      switch (t.render.representation) {
        case temporal::Representation::Normalized: merge_instances(*mine, m.value, a, t); break;
        case temporal::Representation::TemporalValues: merge_value_lists(*mine, m.value, a, t); break;
        case temporal::Representation::Aggregated: break;  // periods of one source are not added to another's
      }
    }
  }
}

std::unique_ptr<json::Document> retrieve_temporal_distributed(const RequestContext& c, const Services& s,
                                                              const std::string& id, const json::Value* local,
                                                              const std::vector<federation::RegPtr>& sources,
                                                              const TemporalRequest& t) {
  std::vector<std::string> types;
  if (const json::Value* type = local ? json::member(*local, "type") : nullptr) {
    auto add = [&](const json::Value& v) {
      if (v.IsString()) types.push_back(c.context->expand(json::view(v)));
    };
    if (type->IsArray())
      for (const auto& v : type->GetArray()) add(v);
    else
      add(*type);
  }
  auto answers = ask_all(sources, [&](const federation::Registration& r) -> std::optional<Answer> {
    auto names = registered(ld(r), id, types);
    if (!names) return std::nullopt;
    auto asked = wanted(std::move(*names), t.attrs);
    if (!asked) return std::nullopt;
    return ask(c, s, r, *asked, "/temporal/entities/" + percent_encode(id, ":") + forwarded_query(c, s, *asked, false),
               false);
  });
  auto out = std::make_unique<json::Document>();
  if (local)
    out->CopyFrom(*local, out->GetAllocator());
  else
    out->SetNull();
  const bool others = std::any_of(answers.begin(), answers.end(), [](const Answer& a) { return !auxiliary(a); });
  for (const auto& a : answers) {
    if (text(json::member(a.doc, "id")) != id || (auxiliary(a) && others)) continue;
    if (out->IsNull()) {
      if (!readable(c, s, a.doc)) continue;
      out->SetObject();
      out->AddMember("id", json::Value(id.c_str(), out->GetAllocator()), out->GetAllocator());
    }
    merge_temporal_entity(*out, a.doc, out->GetAllocator(), a.keys, ld(*a.reg).mode, t);
  }
  if (out->IsNull()) return nullptr;
  return out;
}

json::Document query_temporal_distributed(const RequestContext& c, const Services& s, const query::Filter& f,
                                          json::Document local, const std::vector<federation::RegPtr>& sources,
                                          const TemporalRequest& t) {
  const bool post = c.req.method == http::Method::Post;
  auto answers = ask_all(sources, [&](const federation::Registration& r) -> std::optional<Answer> {
    auto names = covered(ld(r), f);
    if (!names) return std::nullopt;
    const std::string path =
        std::string(post ? "/temporal/entityOperations/query" : "/temporal/entities") +
        (post ? "?limit=" + std::to_string(s.options.max_limit) : forwarded_query(c, s, *names, true));
    return ask(c, s, r, *names, path, true);
  });
  Alloc& a = local.GetAllocator();
  std::map<std::string, json::Value> by_id;
  if (local.IsArray())
    for (auto& e : local.GetArray())
      if (const std::string id(text(json::member(e, "id"))); !id.empty()) by_id[id].Swap(e);
  std::set<std::string> before_auxiliary;  // auxiliary sources only add entities nothing else has
  for (const bool aux : {false, true}) {
    if (aux)
      for (const auto& [id, e] : by_id) before_auxiliary.insert(id);
    for (const auto& ans : answers) {
      if (auxiliary(ans) != aux) continue;
      for (const auto& e : ans.doc.GetArray()) {
        const std::string id(text(json::member(e, "id")));
        if (id.empty() || !e.IsObject() || before_auxiliary.contains(id)) continue;
        auto it = by_id.find(id);
        if (it == by_id.end()) {  // an entity no local match has
          if (!readable(c, s, e)) continue;
          it = by_id.emplace(id, json::Value(rapidjson::kObjectType)).first;
          it->second.AddMember("id", json::Value(id.c_str(), a), a);
        }
        merge_temporal_entity(it->second, e, a, ans.keys, ld(*ans.reg).mode, t);
      }
    }
  }
  local.SetArray();  // the values moved out of it keep its allocator
  for (auto& [id, e] : by_id) local.PushBack(e, a);
  return local;
}

}  // namespace dejima::ngsild

#include "ngsild/distributed_query.h"

#include <algorithm>
#include <array>
#include <future>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "model/parse.h"
#include "ngsild/csource_registration.h"
#include "ngsild/distributed.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

// Whether a registration's entity can be one a selector asks for.
bool meets(const federation::EntityInfo& e, const query::Selector& sel) {
  if (sel.types && !e.types.empty()) {
    std::vector<std::string> asked;
    // A type expression that is not a plain alternative (A;B) is left to the source to judge.
    if (sel.types->alternatives(asked) && std::none_of(asked.begin(), asked.end(), [&](const std::string& t) {
          return std::find(e.types.begin(), e.types.end(), t) != e.types.end();
        }))
      return false;
  }
  if (!sel.ids.empty())
    return std::any_of(sel.ids.begin(), sel.ids.end(), [&](const std::string& id) { return e.matches(id, nullptr); });
  return true;
}

struct Found {
  const federation::Registration* reg = nullptr;
  std::vector<std::string> names;  // the attributes taken from it (empty: all)
  json::Document doc;              // its answer: an array of entities (read in full only for the page)
  std::vector<std::pair<std::string_view, const json::Value*>> entities;  // by id
  bool truncated = false;  // it had more than it was asked for (the limit sent)
  bool id_order = false;   // it says it lists in id order (kResultsOrder)
};

// The query as the source gets it: the request's selection (its terms read with the same Link),
// the attributes restricted to the registered ones, and `limit` entities.
std::string forwarded_query(const RequestContext& c, const std::vector<std::string>& names, bool post, size_t limit) {
  static constexpr std::array<std::string_view, 11> kKept = {
      "type", "id", "idPattern", "q", "georel", "geometry", "coordinates", "geoproperty", "csf", "scopeQ", "datasetId"};
  std::string out;
  auto add = [&](std::string_view k, std::string_view v) {
    out += (out.empty() ? "?" : "&") + std::string(k) + "=" + percent_encode(v, ":,");
  };
  if (!post)
    for (const auto& [k, v] : c.req.query)
      if (std::find(kKept.begin(), kKept.end(), k) != kKept.end()) add(k, v);
  if (!names.empty()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ",") + n;
    add("attrs", list);
  } else if (const auto* attrs = c.req.param("attrs"); attrs && !post) {
    add("attrs", *attrs);
  }
  add("limit", std::to_string(limit));
  return out;
}

Found ask(const RequestContext& c, const Services& s, const federation::Registration& r, std::vector<std::string> names,
          bool post, size_t limit) {
  Found found{&r, std::move(names), {}, {}, false, false};
  const std::string path =
      std::string(post ? "/entityOperations/query" : "/entities") + forwarded_query(c, found.names, post, limit);
  auto res = forward_read(c, s, r, path, {std::string(kResultsOrder)});
  if (!res) return found;
  for (const auto& [name, value] : res->headers)
    if (name == kResultsOrder) found.id_order = value == "id";
  json::Document& d = found.doc;
  if (res->status != 200 || !json::parse(d, res->body).empty() || !d.IsArray()) {
    spdlog::warn("registration {}: {} answered {} without a list of entities", r.id, path, res->status);
    return found;
  }
  for (const auto& v : d.GetArray())
    if (const json::Value* id = v.IsObject() ? json::member(v, "id") : nullptr; id && id->IsString())
      found.entities.emplace_back(json::view(*id), &v);
    else
      spdlog::warn("registration {}: {} answered an entity without an id", r.id, path);
  found.truncated = d.Size() >= limit;
  return found;
}

// Asks a source for the first `limit` matches. A cut list is only of use in id order (what
// Dejima's answers say with kResultsOrder); a source that does not say so is asked for everything.
Found ask_first(const RequestContext& c, const Services& s, const federation::Registration& r,
                const std::vector<std::string>& names, bool post, size_t limit) {
  Found found = ask(c, s, r, names, post, limit);
  const bool sorted = std::is_sorted(found.entities.begin(), found.entities.end(),
                                     [](const auto& x, const auto& y) { return x.first < y.first; });
  if (found.truncated && !(found.id_order && sorted) && limit < s.options.max_limit)
    return ask(c, s, r, names, post, s.options.max_limit);
  return found;
}

// One entity of the merged list: the local match or what the broker holds of it, and the sources'
// answers for it, merged only when it is on the page.
struct Slot {
  broker::EntityPtr held;
  std::vector<std::pair<const Found*, const json::Value*>> from;
};

broker::EntityPtr merged(const RequestContext& c, const std::string& id, const Slot& slot) {
  if (slot.from.empty()) return slot.held;
  auto e = slot.held ? std::make_shared<model::Entity>(*slot.held) : std::make_shared<model::Entity>();
  e->id = id;
  bool any = slot.held != nullptr;
  for (const auto& [found, value] : slot.from) {
    auto parsed = model::parse_entity(*value, *c.context, model::ParseMode::Create);
    if (!parsed || parsed->id != id) {
      spdlog::warn("registration {}: answered an entity Dejima cannot read ({})", found->reg->id, id);
      continue;
    }
    merge_source(*e, *parsed, found->names, ld(*found->reg).mode, c.now);
    any = true;
  }
  if (!any) return nullptr;
  model::extract_scalars(*e);
  return e;
}

}  // namespace

std::optional<std::vector<std::string>> covered(const LdRegistration& r, const query::Filter& f) {
  std::optional<std::vector<std::string>> out;
  for (const auto& info : r.information) {
    const bool entities =
        info.entities.empty() || f.entities.empty() ||
        std::any_of(info.entities.begin(), info.entities.end(), [&](const auto& e) {
          return std::any_of(f.entities.begin(), f.entities.end(), [&](const auto& sel) { return meets(e, sel); });
        });
    if (!entities) continue;
    if (info.properties.empty() && info.relationships.empty()) return std::vector<std::string>{};
    std::vector<std::string> names;
    for (const auto* list : {&info.properties, &info.relationships})
      for (const auto& n : *list)
        if (f.attrs.empty() || std::find(f.attrs.begin(), f.attrs.end(), n) != f.attrs.end()) names.push_back(n);
    if (names.empty()) continue;  // holds none of the attributes asked for
    if (!out) out.emplace();
    out->insert(out->end(), names.begin(), names.end());
  }
  return out;
}

std::vector<federation::RegPtr> query_sources(const RequestContext& c, const Services& s, const query::Filter& f,
                                              std::string_view operation) {
  std::vector<federation::RegPtr> out;
  if (!may_forward(c, s)) return out;
  for (auto& r : s.registrations.list(c.tenant, &ld_flavor()))
    if (r->live(c.now) && supports(ld(*r), operation) && covered(ld(*r), f)) out.push_back(std::move(r));
  return out;
}

DistributedResult query_distributed(const RequestContext& c, const Services& s, const query::Filter& f,
                                    const broker::Tenant& tenant, std::vector<broker::EntityPtr> local,
                                    const std::vector<federation::RegPtr>& sources,
                                    const std::optional<query::Page>& page) {
  const bool post = c.req.method == http::Method::Post;
  // Without a count, a page needs no more than its end and one more (is there a next page?) from
  // each source, in id order.
  const size_t max = s.options.max_limit;
  const size_t end = page ? page->offset + std::min(page->limit, max - std::min(page->offset, max)) : max;
  const bool bounded = page && !page->count && end < max;
  const size_t limit = bounded ? end + 1 : max;
  const std::vector<broker::EntityPtr> all_local = bounded ? local : std::vector<broker::EntityPtr>{};
  std::vector<std::future<Found>> asked;
  for (const auto& r : sources)
    if (auto names = covered(ld(*r), f))
      asked.push_back(std::async(kAtOnce, [&c, &s, r, post, limit, names = std::move(*names)]() mutable {
        return ask_first(c, s, *r, names, post, limit);
      }));
  std::vector<Found> answers;
  for (auto& a : asked) answers.push_back(a.get());

  // Every id first (the sources' entities are only looked at by id and type here).
  std::map<std::string, Slot, std::less<>> by_id;
  for (auto& e : local) {
    const std::string id = e->id;
    by_id[id] = Slot{std::move(e), {}};
  }
  for (const bool auxiliary : {false, true}) {  // auxiliary sources only add entities nothing else has
    std::set<std::string_view> known;
    if (auxiliary)
      for (const auto& [id, slot] : by_id) known.insert(id);
    for (const auto& a : answers) {
      if ((ld(*a.reg).mode == "auxiliary") != auxiliary) continue;
      for (const auto& [id, value] : a.entities) {
        if (auxiliary && known.contains(id)) continue;
        auto it = by_id.find(id);
        if (it == by_id.end()) {
          Slot slot;
          slot.held = tenant.get(std::string(id));
          // An entity the caller may not read here stays unread, whatever type a source gives it.
          if (slot.held ? !c.readable(*slot.held) : !readable_as_answered(c, *value)) continue;
          it = by_id.emplace(std::string(id), std::move(slot)).first;
        }
        it->second.from.emplace_back(&a, value);
      }
    }
  }
  DistributedResult out;
  out.total = by_id.size();
  out.more = std::any_of(answers.begin(), answers.end(), [](const Found& a) { return a.truncated; });
  if (bounded) {
    // A cut source may hold more ids after its last one: the merged list is complete up to the
    // smallest such last id. When fewer ids than the page's end and one more lie there (some
    // were not the caller's to read, or not entities), every source is asked for everything.
    std::optional<std::string_view> bound;
    for (const auto& a : answers)
      if (a.truncated && !a.entities.empty() && (!bound || a.entities.back().first < *bound))
        bound = a.entities.back().first;
    if (bound) {
      const auto complete = static_cast<size_t>(std::distance(by_id.begin(), by_id.upper_bound(*bound)));
      if (complete <= end) {
        query::Page whole = *page;
        whole.count = true;
        return query_distributed(c, s, f, tenant, all_local, sources, whole);
      }
      out.more = true;
    }
  }
  size_t from = 0, to = by_id.size();
  if (page) {
    from = std::min(page->offset, by_id.size());
    to = std::min(by_id.size(), from + page->limit);
  }
  size_t i = 0;
  for (const auto& [id, slot] : by_id) {
    if (i >= to) break;
    if (i++ < from) continue;
    if (auto e = merged(c, id, slot)) out.entities.push_back(std::move(e));
  }
  return out;
}

}  // namespace dejima::ngsild

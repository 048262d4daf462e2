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
  std::vector<model::ParsedEntity> entities;
};

// The query as the source gets it: the request's selection (its terms read with the same Link),
// the attributes restricted to the registered ones, and one page as large as Dejima serves.
std::string forwarded_query(const RequestContext& c, const Services& s, const std::vector<std::string>& names,
                            bool post) {
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
  add("limit", std::to_string(s.options.max_limit));
  return out;
}

Found ask(const RequestContext& c, const Services& s, const federation::Registration& r, std::vector<std::string> names,
          bool post) {
  Found found{&r, std::move(names), {}};
  const std::string path =
      std::string(post ? "/entityOperations/query" : "/entities") + forwarded_query(c, s, found.names, post);
  fetch::Exchange ex = source_request(s, r, c.req.header("Via"), post ? "POST" : "GET", path);
  if (post) {
    ex.body = std::string(c.req.body);
    ex.headers.emplace_back("Content-Type", std::string(c.req.header("Content-Type")));
  }
  if (const std::string_view link = c.req.header("Link"); !link.empty()) ex.headers.emplace_back("Link", link);
  auto res = ask_source(r, ex);
  if (!res) {
    spdlog::warn("registration {}: {} unreachable: {}", r.id, ex.url, res.error().detail);
    return found;
  }
  json::Document d;
  if (res->status != 200 || !json::parse(d, res->body).empty() || !d.IsArray()) {
    spdlog::warn("registration {}: {} answered {} without a list of entities", r.id, ex.url, res->status);
    return found;
  }
  for (const auto& v : d.GetArray()) {
    auto parsed = model::parse_entity(v, *c.context, model::ParseMode::Create);
    if (parsed && parsed->id)
      found.entities.push_back(std::move(*parsed));
    else
      spdlog::warn("registration {}: {} answered an entity Dejima cannot read", r.id, ex.url);
  }
  return found;
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

std::vector<broker::EntityPtr> query_distributed(const RequestContext& c, const Services& s, const query::Filter& f,
                                                 const broker::Tenant& tenant, std::vector<broker::EntityPtr> local,
                                                 const std::vector<federation::RegPtr>& sources) {
  const bool post = c.req.method == http::Method::Post;
  std::vector<std::future<Found>> asked;
  for (const auto& r : sources)
    if (auto names = covered(ld(*r), f))
      asked.push_back(std::async(kAtOnce, [&c, &s, r, post, names = std::move(*names)]() mutable {
        return ask(c, s, *r, std::move(names), post);
      }));
  std::vector<Found> answers;
  for (auto& a : asked) answers.push_back(a.get());

  std::map<std::string, broker::EntityPtr> by_id;
  for (auto& e : local) by_id.emplace(e->id, std::move(e));
  std::map<std::string, std::shared_ptr<model::Entity>> changed;
  // Auxiliary sources only add entities that neither the broker nor another source has.
  std::set<std::string> before_auxiliary;
  for (const bool auxiliary : {false, true}) {
    if (auxiliary)
      for (const auto& [id, e] : changed) before_auxiliary.insert(id);
    for (const auto& a : answers) {
      const std::string& mode = ld(*a.reg).mode;
      if ((mode == "auxiliary") != auxiliary) continue;
      for (const auto& pe : a.entities) {
        const std::string& id = *pe.id;
        if (auxiliary && (by_id.contains(id) || before_auxiliary.contains(id))) continue;
        auto& slot = changed[id];
        if (!slot) {
          auto it = by_id.find(id);
          broker::EntityPtr held = it != by_id.end() ? it->second : tenant.get(id);
          // An entity the caller may not read here stays unread, whatever type a source gives it.
          if (held && !c.readable(*held)) {
            changed.erase(id);
            continue;
          }
          slot = held ? std::make_shared<model::Entity>(*held) : std::make_shared<model::Entity>();
          slot->id = id;
        }
        merge_source(*slot, pe, a.names, mode, c.now);
      }
    }
  }
  for (auto& [id, e] : changed) {
    model::extract_scalars(*e);
    by_id[id] = std::move(e);
  }
  std::vector<broker::EntityPtr> out;
  out.reserve(by_id.size());
  for (auto& [id, e] : by_id)
    if (c.readable(*e)) out.push_back(std::move(e));
  return out;
}

}  // namespace dejima::ngsild

#include "ngsiv2/forwarding.h"

#include <algorithm>
#include <charconv>

#include <spdlog/spdlog.h>

#include "federation/registry.h"
#include "federation/source.h"
#include "model/mutate.h"
#include "ngsiv2/entity.h"
#include "ngsiv2/handler_util.h"
#include "ngsiv2/registration.h"

namespace dejima::ngsiv2 {
namespace {

using broker::EntityPtr;

bool listed(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Whether a registration's service path is one the read names (none, or "/#": every path).
bool in_scope(const RequestContext& c, const federation::Registration& r) {
  if (c.service_paths.empty()) return true;
  for (std::string_view p : c.service_paths) {
    if (p == "/#" || p == "#") return true;
    if (p.ends_with("/#")) {
      p.remove_suffix(2);
      if (r.scope == p || (r.scope.starts_with(p) && r.scope.size() > p.size() && r.scope[p.size()] == '/'))
        return true;
    } else if (r.scope == p) {
      return true;
    }
  }
  return false;
}

// The attributes to ask `r` for: an entity-level registration gets the read's own list; an
// attribute-level one its attributes that the local entity lacks and the read asks for.
std::vector<std::string> asked(const federation::Registration& r, const model::Entity* local,
                               const std::vector<std::string>& attrs) {
  if (r.attrs.empty()) return attrs;
  std::vector<std::string> out;
  for (const std::string& a : spec_of(r).attrs) {
    if (local && local->has_attr(expanded_name(a))) continue;  // local data wins
    if (attrs.empty() || listed(attrs, a)) out.push_back(a);
  }
  return out;
}

// The v2 type a registration gives an entity it names ("" when none).
std::string registered_type(const federation::Registration& r, std::string_view id) {
  for (const EntitySpec& e : spec_of(r).entities)
    if ((e.id == id || e.id_pattern == ".*") && !e.type.empty()) return e.type;
  return {};
}

// A POST to the provider's `path` (under its URL) with the headers Orion sends: tenant, the
// client's service path and X-Auth-Token, and the correlator of the n-th forward (`cbfwd=n`).
fetch::Exchange provider_request(const RequestContext& c, const federation::Registration& r, const std::string& path,
                                 size_t n, long timeout_ms) {
  fetch::Exchange x;
  x.url = provider_url(r.endpoint, path);
  x.timeout_ms = timeout_ms;
  x.max_bytes = size_t{64} << 20;
  x.user_agent = orion_user_agent();
  if (!c.tenant.empty()) x.headers.emplace_back("Fiware-Service", c.tenant);
  const std::string_view service_path = c.req.header("Fiware-ServicePath");
  x.headers.emplace_back("Fiware-ServicePath", service_path.empty() ? "/" : std::string(service_path));
  if (std::string_view token = c.req.header("X-Auth-Token"); !token.empty())
    x.headers.emplace_back("X-Auth-Token", std::string(token));
  x.headers.emplace_back("Accept", "application/json");
  x.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  x.headers.emplace_back("Fiware-Correlator", c.correlator + "; cbfwd=" + std::to_string(n));
  x.headers.emplace_back("Expect", "");  // no 100-continue round trip
  return x;
}

// Opens `{"entities":[{"id": id, "type": type?` — the caller adds members, then closes.
void start_entities(json::Writer& w, const std::string& id, const std::string& type) {
  w.StartObject();
  w.Key("entities");
  w.StartArray();
  w.StartObject();
  w.Key("id");
  json::write_string(w, id);
  if (!type.empty()) {
    w.Key("type");
    json::write_string(w, type);
  }
}

}  // namespace

std::string provider_url(std::string_view endpoint, std::string_view op) {
  const size_t scheme = endpoint.find("://");
  const size_t start = endpoint.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  std::string url(endpoint.substr(0, start));
  std::string path;
  if (start != std::string_view::npos) {
    for (size_t i = start; i < endpoint.size();) {
      const size_t j = std::min(endpoint.find('/', i + 1), endpoint.size());
      if (j > i + 1) path.append(endpoint.substr(i, j - i));
      i = j;
    }
  }
  url += path.empty() ? "/" : path;
  url += op;
  return url;
}

std::vector<QueryForward> plan_query(const Services& s, const RequestContext& c, const std::vector<EntityPtr>& local,
                                     const std::vector<Named>& missing, const std::vector<std::string>& attrs) {
  std::vector<QueryForward> out;
  const auto scope = [&c](const federation::Registration& r) { return in_scope(c, r); };
  const auto* flavor = &s.registration_flavor;
  for (const EntityPtr& e : local) {
    const std::string* type = e->types.empty() ? nullptr : &e->types.front().str();
    for (const auto& r : s.registrations.covering(c.tenant, e->id, type, federation::kQuery, flavor, scope, c.now)) {
      auto ask = asked(*r, e.get(), attrs);
      if (!r->attrs.empty() && ask.empty()) continue;  // nothing it provides is missing
      out.push_back({r, e->id, entity_type(*e), std::move(ask), true});
    }
  }
  for (const Named& n : missing) {
    const std::string* type = n.type ? &*n.type : nullptr;
    for (const auto& r : s.registrations.covering(c.tenant, n.id, type, federation::kQuery, flavor, scope, c.now)) {
      auto ask = asked(*r, nullptr, attrs);
      if (!r->attrs.empty() && ask.empty()) continue;
      out.push_back({r, n.id, n.type ? v2_name(*n.type) : registered_type(*r, n.id), std::move(ask), false});
    }
  }
  return out;
}

fetch::Exchange query_exchange(const RequestContext& c, const QueryForward& f, size_t n, size_t limit, size_t offset,
                               long timeout_ms) {
  fetch::Exchange x = provider_request(
      c, *f.reg, "/op/query?limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset) + "&options=count", n,
      timeout_ms);
  x.keep_headers = {"Fiware-Total-Count"};
  x.body = json::written([&](json::Writer& w) {
    start_entities(w, f.id, f.type);
    w.EndObject();
    w.EndArray();
    w.Key("attrs");
    w.StartArray();
    for (const auto& a : f.attrs) json::write_string(w, a);
    w.EndArray();
    w.EndObject();
  });
  return x;
}

void merge_answer(const RequestContext& c, const QueryForward& f, const Result<fetch::Response>& answer,
                  Forwarded& out) {
  if (!answer) return;
  json::Document d;
  if (!json::parse(d, answer->body).empty() || !d.IsArray()) return;
  size_t found = 0;
  for (const auto& item : d.GetArray()) {
    if (!item.IsObject()) continue;
    auto parsed = parse_entity(item, BodyKind::Entity, false, "/");
    if (!parsed || parsed->id != f.id) continue;  // only the entity asked about
    if (!f.attrs.empty())
      std::erase_if(parsed->attrs, [&](const model::AttrInstance& a) { return !listed(f.attrs, v2_name(a.name)); });
    auto remote = model::new_entity(std::move(*parsed), c.now);
    if (!f.type.empty() && entity_type(remote) != f.type) continue;
    if (!c.readable(remote)) continue;
    ++found;
    auto same = std::find_if(out.entities.begin(), out.entities.end(),
                             [&](const EntityPtr& e) { return e->id == remote.id && e->types == remote.types; });
    if (same == out.entities.end()) {
      model::extract_scalars(remote);
      out.entities.push_back(std::make_shared<model::Entity>(std::move(remote)));
      continue;
    }
    auto joined = std::make_shared<model::Entity>(**same);
    model::ParsedEntity extra;
    extra.attrs = std::move(remote.attrs);
    (void)model::append_attrs(*joined, std::move(extra), true, c.now);  // local data wins: only what is missing
    model::extract_scalars(*joined);
    *same = std::move(joined);
  }
  if (f.local) return;
  size_t total = found;
  for (const auto& [name, value] : answer->headers)
    if (name == "Fiware-Total-Count") (void)std::from_chars(value.data(), value.data() + value.size(), total);
  out.remote_total += total;
}

void answer_forwarded(Services& s, std::unique_ptr<RequestContext> c, std::vector<EntityPtr> local,
                      std::vector<Named> missing, std::vector<std::string> attrs, RemotePage page, Render render,
                      http::Reply reply) {
  std::vector<QueryForward> plan;
  if (s.registrations.any(c->tenant) && !has_option(*c, "skipForwarding")) {
    if (listed(attrs, "*")) attrs.clear();
    plan = plan_query(s, *c, local, missing, attrs);
  }
  Forwarded result{std::move(local), 0};
  if (plan.empty()) return render(*c, result, std::move(reply));
  std::shared_ptr<RequestContext> held(std::move(c));
  auto job = [&s, held, plan = std::move(plan), result, page, render, reply]() mutable {
    size_t n = 0;
    for (const QueryForward& f : plan) {
      if (!f.local && page.limit == 0) continue;  // the local entities filled the page
      const size_t before = result.entities.size();
      merge_answer(
          *held, f,
          federation::ask_source(*f.reg, query_exchange(*held, f, ++n, f.local ? 20 : page.limit,
                                                        f.local ? 0 : page.offset, s.options.forward_timeout_ms)),
          result);
      const size_t added = result.entities.size() - before;
      page.limit -= std::min(page.limit, added);
    }
    render(*held, result, std::move(reply));
  };
  if (!s.forwarder.submit(job)) {  // every forwarding thread busy and the queue full: the local part only
    spdlog::warn("forwarding queue full: {} answered without its providers", held->correlator);
    render(*held, result, std::move(reply));
  }
}

std::vector<UpdateForward> plan_update(const Services& s, const RequestContext& c, const model::Entity* local,
                                       const std::string& id, const std::string* type, model::ParsedEntity& parsed) {
  std::vector<UpdateForward> out;
  std::optional<std::string> expanded;
  if (local && !local->types.empty())
    expanded = local->types.front().str();
  else if (type)
    expanded = expanded_name(*type);
  const auto scope = [&c](const federation::Registration& r) { return r.scope == c.write_path(); };
  const auto regs = s.registrations.covering(c.tenant, id, expanded ? &*expanded : nullptr, federation::kUpdate,
                                             &s.registration_flavor, scope, c.now);
  if (regs.empty()) return out;
  std::erase_if(parsed.attrs, [&](model::AttrInstance& a) {
    if (local && local->find(a.name, a.dataset_id)) return false;  // local data wins
    for (const auto& r : regs) {
      if (!r->provides(a.name)) continue;
      auto f = std::find_if(out.begin(), out.end(), [&](const UpdateForward& u) { return u.reg == r; });
      if (f == out.end()) {
        std::string sent_type = expanded ? v2_name(*expanded) : registered_type(*r, id);
        f = out.insert(out.end(), UpdateForward{r, id, std::move(sent_type), {}});
      }
      f->attrs.push_back(std::move(a));
      return true;
    }
    return false;
  });
  return out;
}

fetch::Exchange update_exchange(const RequestContext& c, const UpdateForward& f, size_t n, long timeout_ms) {
  fetch::Exchange x = provider_request(c, *f.reg, "/op/update", n, timeout_ms);
  x.body = json::written([&](json::Writer& w) {
    start_entities(w, f.id, f.type);
    for (const auto& a : f.attrs) {
      const std::string name = v2_name(a.name);
      w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
      write_attribute(w, a, MetadataFilter{});
    }
    w.EndObject();
    w.EndArray();
    w.Key("actionType");
    json::write_string(w, "update");
    w.EndObject();
  });
  return x;
}

void answer_updates(Services& s, std::shared_ptr<const RequestContext> c, std::vector<UpdateForward> forwards,
                    std::optional<http::Response> local, http::Reply reply) {
  auto job = [&s, c, forwards = std::move(forwards), local, reply]() mutable {
    std::string failing;
    size_t failures = 0, n = 0;
    for (const UpdateForward& f : forwards) {
      auto answer = federation::ask_source(*f.reg, update_exchange(*c, f, ++n, s.options.forward_timeout_ms));
      if (answer && answer->status == 204) continue;  // Orion: only a 204 is a written update
      ++failures;
      if (!failing.empty()) failing += ", ";
      std::string names;
      for (const auto& a : f.attrs) names += (names.empty() ? "" : ", ") + v2_name(a.name);
      failing += f.id + "-" + f.type + " : [" + names + "]";
    }
    if (local && local->status >= 300) return reply(std::move(*local));
    if (failures == 0) return reply(empty_response(*c, 204));
    if (!local && failures == forwards.size())
      return reply(error_response(*c, not_found(std::string(kEntityNotFound))));
    reply(error_response(*c, Error{ErrorKind::ResourceNotFound, "PartialUpdate",
                                   "Some of the following attributes were not updated: { " + failing + " }"}));
  };
  if (!s.forwarder.submit(job)) {
    spdlog::warn("forwarding queue full: {} not forwarded", c->correlator);
    reply(error_response(*c, Error{ErrorKind::ServiceUnavailable, "ServiceUnavailable",
                                   "the context providers cannot be reached now: try again later"}));
  }
}

}  // namespace dejima::ngsiv2

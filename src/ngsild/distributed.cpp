#include "ngsild/distributed.h"

#include <algorithm>
#include <future>

#include <spdlog/spdlog.h>

#include "federation/source.h"
#include "model/parse.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + percent_encode(n, ":/#");
  return out;
}

struct Answer {
  const federation::Registration* reg = nullptr;
  std::vector<std::string> names;  // the attributes taken from it (empty: all)
  std::optional<model::ParsedEntity> entity;
};

// The request that asks a source for one entity: GET /entities/{id} when its registration takes
// retrieveEntity (no @context sent: names compacted with the core @context only — an IRI, or a
// bare name where the default vocabulary gives it, which is what IoT agents look up — so the
// source reads them as meant and the answer's names are IRIs or core terms); else a query by id and type (queryEntity:
// GET /entities?id=&type=, queryBatch: POST /entityOperations/query) with the type compacted and the request's Link, as
// a client would.
fetch::Exchange entity_request(const RequestContext& c, const Services& s, const federation::Registration& r,
                               const std::string& id, const std::vector<std::string>& names, bool& by_query) {
  const LdRegistration& x = ld(r);
  by_query = !supports(x, "retrieveEntity");
  if (!by_query) {
    std::string path = "/entities/" + percent_encode(id, ":");
    if (!names.empty()) {
      std::vector<std::string> terms;
      for (const auto& n : names) terms.push_back(jsonld::Context::core()->compact(n));
      path += "?attrs=" + join(terms);
    }
    return source_request(s, r, c.req.header("Via"), "GET", path);
  }
  std::string type;  // the registered type of the entity
  for (const auto& info : x.information)
    for (const auto& e : info.entities)
      if (type.empty() && !e.types.empty() && e.matches(id, nullptr)) type = c.context->compact(e.types.front());
  fetch::Exchange ex;
  if (supports(x, "queryEntity")) {
    std::string path = "/entities?id=" + percent_encode(id, ":");
    if (!type.empty()) path += "&type=" + percent_encode(type, ":");
    if (!names.empty()) path += "&attrs=" + join(names);
    ex = source_request(s, r, c.req.header("Via"), "GET", path);
  } else {
    ex = source_request(s, r, c.req.header("Via"), "POST", "/entityOperations/query");
    ex.body = json::written([&](json::Writer& w) {
      w.StartObject();
      w.Key("type");
      w.String("Query");
      w.Key("entities");
      w.StartArray();
      w.StartObject();
      w.Key("id");
      json::write_string(w, id);
      if (!type.empty()) {
        w.Key("type");
        json::write_string(w, type);
      }
      w.EndObject();
      w.EndArray();
      if (!names.empty()) {
        w.Key("attrs");
        w.StartArray();
        for (const auto& n : names) json::write_string(w, n);
        w.EndArray();
      }
      w.EndObject();
    });
    ex.headers.emplace_back("Content-Type", "application/json");
  }
  if (const std::string_view link = c.req.header("Link"); !link.empty()) ex.headers.emplace_back("Link", link);
  return ex;
}

// One source's answer for the entity, read as an entity; failures are logged.
Answer ask(const RequestContext& c, const Services& s, const federation::Registration& r, const std::string& id,
           std::vector<std::string> names) {
  Answer a{&r, std::move(names), std::nullopt};
  bool by_query = false;
  fetch::Exchange ex = entity_request(c, s, r, id, a.names, by_query);
  const std::string& url = ex.url;
  auto res = federation::ask_source(r, ex, ld(r).cooldown_ms);
  if (!res) {
    spdlog::warn("registration {}: {} unreachable: {}", r.id, url, res.error().detail);
    return a;
  }
  if (res->status == 404) return a;
  json::Document d;
  // A query answers a list; so do FIWARE's IoT agents to GET /entities/{id}.
  if (res->status != 200 || !json::parse(d, res->body).empty() || !(d.IsObject() || d.IsArray())) {
    spdlog::warn("registration {}: {} answered {} without an entity", r.id, url, res->status);
    return a;
  }
  const jsonld::Context& ctx = by_query ? *c.context : *jsonld::Context::core();
  const json::Value* found = d.IsObject() ? &d : nullptr;
  if (d.IsArray())  // a query's answer: the entity with the id, if any
    for (const auto& v : d.GetArray())
      if (const json::Value* vid = v.IsObject() ? json::member(v, "id") : nullptr;
          vid && vid->IsString() && json::view(*vid) == id)
        found = &v;
  if (!found) return a;
  auto parsed = model::parse_entity(*found, ctx, model::ParseMode::Create);
  if (!parsed || parsed->id != id) {
    spdlog::warn("registration {}: {} answered an entity Dejima cannot read{}", r.id, url,
                 parsed ? " (another id)" : ": " + parsed.error().detail);
    return a;
  }
  a.entity = std::move(*parsed);
  return a;
}

bool wanted(const std::vector<std::string>& names, const model::Name& attr) {
  return names.empty() || std::find(names.begin(), names.end(), attr.str()) != names.end();
}

}  // namespace

bool passed_here(const RequestContext& c, const Services& s) {
  const std::string_view via = c.req.header("Via");
  return !via.empty() && via.find(s.options.via) != std::string_view::npos;
}

bool may_forward(const RequestContext& c, const Services& s) {
  const auto* local_only = c.req.param("local");
  return s.registrations.any(c.tenant) && !(local_only && *local_only == "true") && !passed_here(c, s);
}

std::vector<std::string> types_of(const model::Entity* e) {
  std::vector<std::string> types;
  if (e)
    for (const auto& t : e->types) types.push_back(t.str());
  return types;
}

std::vector<federation::RegPtr> sources_for(const RequestContext& c, const Services& s, const std::string& id,
                                            const std::vector<std::string>& types, std::string_view operation) {
  std::vector<federation::RegPtr> out;
  if (!may_forward(c, s)) return out;
  // An entity is retrieved through a registration that takes only queries, by a query for its id.
  const bool retrieval = operation == "retrieveEntity";
  auto takes = [&](const LdRegistration& x) {
    return supports(x, operation) || (retrieval && (supports(x, "queryEntity") || supports(x, "queryBatch")));
  };
  for (auto& r : s.registrations.list(c.tenant, &ld_flavor()))
    if (r->live(c.now) && takes(ld(*r)) && registered(ld(*r), id, types)) out.push_back(std::move(r));
  return out;
}

std::optional<std::vector<std::string>> registered(const LdRegistration& r, const std::string& id,
                                                   const std::vector<std::string>& types) {
  std::optional<std::vector<std::string>> out;
  for (const auto& info : r.information) {
    const bool covers =
        info.entities.empty() || std::any_of(info.entities.begin(), info.entities.end(), [&](const auto& e) {
          if (types.empty()) return e.matches(id, nullptr);
          return std::any_of(types.begin(), types.end(), [&](const auto& t) { return e.matches(id, &t); });
        });
    if (!covers) continue;
    if (info.properties.empty() && info.relationships.empty()) return std::vector<std::string>{};
    if (!out) out.emplace();
    out->insert(out->end(), info.properties.begin(), info.properties.end());
    out->insert(out->end(), info.relationships.begin(), info.relationships.end());
  }
  return out;
}

fetch::Exchange source_request(const Services& s, const federation::Registration& r, std::string_view via,
                               std::string method, const std::string& path) {
  const LdRegistration& x = ld(r);
  fetch::Exchange ex;
  ex.method = std::move(method);
  std::string url = r.endpoint;
  while (!url.empty() && url.back() == '/') url.pop_back();
  ex.url = url + "/ngsi-ld/v1" + path;
  ex.timeout_ms = x.timeout_ms > 0 ? x.timeout_ms : s.options.forward_timeout_ms;
  ex.max_bytes = 16u << 20;
  ex.headers = {{"Accept", "application/json"},
                {"Via", (via.empty() ? "" : std::string(via) + ", ") + "1.1 " + s.options.via}};
  if (!x.source_tenant.empty()) ex.headers.emplace_back("NGSILD-Tenant", x.source_tenant);
  return ex;
}

Result<fetch::Response> forward_read(const RequestContext& c, const Services& s, const federation::Registration& r,
                                     const std::string& path, std::vector<std::string> keep_headers) {
  const bool post = c.req.method == http::Method::Post;
  fetch::Exchange ex = source_request(s, r, c.req.header("Via"), post ? "POST" : "GET", path);
  ex.keep_headers = std::move(keep_headers);
  if (post) {
    ex.body = std::string(c.req.body);
    ex.headers.emplace_back("Content-Type", std::string(c.req.header("Content-Type")));
  }
  if (const std::string_view link = c.req.header("Link"); !link.empty()) ex.headers.emplace_back("Link", link);
  auto res = federation::ask_source(r, ex, ld(r).cooldown_ms);
  if (!res) spdlog::warn("registration {}: {} unreachable: {}", r.id, ex.url, res.error().detail);
  return res;
}

bool readable_as_answered(const RequestContext& c, const json::Value& e) {
  if (!c.readable_types) return true;
  const json::Value* types = json::member(e, "type");
  if (!types) return false;
  auto ok = [&](const json::Value& t) { return t.IsString() && c.readable_type(c.context->expand(json::view(t))); };
  return types->IsArray() ? std::any_of(types->Begin(), types->End(), ok) : ok(*types);
}

void merge_source(model::Entity& into, const model::ParsedEntity& from, const std::vector<std::string>& names,
                  const std::string& mode, Millis now) {
  const bool replace = mode == "exclusive" || mode == "redirect";
  for (const auto& t : from.types)
    if (!into.has_type(t.str())) into.types.push_back(t);
  if (replace)  // the registered attributes are the source's alone
    for (const auto& inst : from.attrs)
      if (wanted(names, inst.name)) into.erase(inst.name.str(), "", true);
  for (auto inst : from.attrs) {
    if (!wanted(names, inst.name)) continue;
    if (!replace && into.find(inst.name.str(), inst.dataset_id.str())) continue;  // the local one stays
    inst.created_at = inst.modified_at = now;
    into.insert(std::move(inst));
  }
}

std::shared_ptr<model::Entity> retrieve_distributed(const RequestContext& c, const Services& s, const std::string& id,
                                                    const model::Entity* local,
                                                    const std::vector<federation::RegPtr>& sources,
                                                    const std::vector<std::string>& attrs) {
  // Every source at once; auxiliary ones too, their answers used only if nothing else has it.
  std::vector<std::future<Answer>> asked;
  const std::vector<std::string> types = types_of(local);
  for (const auto& r : sources) {
    auto names = registered(ld(*r), id, types);
    if (!names) continue;
    if (!attrs.empty()) {
      std::vector<std::string> both;
      for (const auto& a : attrs)
        if (names->empty() || std::find(names->begin(), names->end(), a) != names->end()) both.push_back(a);
      if (both.empty()) continue;
      *names = std::move(both);
    }
    asked.push_back(std::async(
        kAtOnce, [&c, &s, r, id, names = std::move(*names)]() mutable { return ask(c, s, *r, id, std::move(names)); }));
  }
  std::vector<Answer> answers;
  for (auto& f : asked) answers.push_back(f.get());

  auto merged = local ? std::make_shared<model::Entity>(*local) : std::make_shared<model::Entity>();
  bool found = local != nullptr;
  // Auxiliary registrations count only when no other registration covers the entity.
  const bool others =
      std::any_of(answers.begin(), answers.end(), [](const Answer& a) { return ld(*a.reg).mode != "auxiliary"; });
  for (const auto& a : answers) {
    const std::string& mode = ld(*a.reg).mode;
    if (a.entity && (mode != "auxiliary" || !others)) {
      if (!found) merged->id = id;
      found = true;
      merge_source(*merged, *a.entity, a.names, mode, c.now);
    }
  }
  if (!found) return nullptr;
  model::extract_scalars(*merged);
  return merged;
}

}  // namespace dejima::ngsild

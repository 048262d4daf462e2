#include "ngsild/linked_entities.h"

#include <charconv>
#include <optional>

#include "ngsild/render_params.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

using broker::EntityPtr;

// The Relationships and ListRelationships of an entity that `o` shows, as (expanded name,
// target id) in attribute order.
std::vector<std::pair<std::string, std::string>> linked_ids(const model::Entity& e, const model::RenderOptions& o) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& a : e.attrs) {
    const std::string type = model::attribute_type(a);
    if ((type != "Relationship" && type != "ListRelationship") || !o.shows(a.name.str())) continue;
    json::LocalDocument<2048> d;
    if (!json::parse_stored(d.doc, a.json).empty() || !d.doc.IsObject()) continue;
    if (auto obj = d.doc.FindMember("object"); obj != d.doc.MemberEnd() && obj->value.IsString())
      out.emplace_back(a.name.str(), json::view(obj->value));
    if (auto l = d.doc.FindMember("objectList"); l != d.doc.MemberEnd() && l->value.IsArray())
      for (const auto& x : l->value.GetArray()) {
        const json::Value* v = &x;
        if (x.IsObject() && x.HasMember("object")) v = &x["object"];
        if (v->IsString()) out.emplace_back(a.name.str(), json::view(*v));
      }
  }
  return out;
}

// At most this many entities are nested into one response: without a bound, a graph where
// each entity links to many others would grow as (links per entity)^joinLevel.
constexpr size_t kInlineBudget = 10000;

struct InlineWalk {
  const broker::Tenant& tenant;
  const jsonld::Context& ctx;
  const RequestContext* caller;
  json::Document::AllocatorType* alloc = nullptr;  // of the document being nested into
  std::set<std::string> path;                      // entities being nested: never nested again inside themselves
  size_t budget = kInlineBudget;

  // The linked entity `target` rendered with `o` and its own links nested, or null when it does
  // not exist, is on the path or the budget is spent.
  std::optional<json::Value> linked(const std::string& target, const model::RenderOptions& o, unsigned level) {
    if (budget == 0 || path.count(target)) return std::nullopt;
    EntityPtr e = tenant.get(target);
    if (!e || (caller && !caller->readable(*e))) return std::nullopt;
    json::Document sub(alloc);
    const std::string body = model::render_entity(*e, ctx, o);
    if (!json::parse_stored(sub, body).empty()) return std::nullopt;
    sub.RemoveMember("@context");
    --budget;
    path.insert(target);
    nest(sub, *e, o, level - 1);
    path.erase(target);
    return json::Value(sub, *alloc);
  }

  // Nests the entities that the shown Relationships of the rendered `entity` (of `e`) point to:
  // as an "entity" member of each instance (normalized, concise), or in place of the target id
  // (keyValues).
  void nest(json::Value& entity, const model::Entity& e, const model::RenderOptions& o, unsigned level) {
    if (level == 0 || !entity.IsObject()) return;
    for (auto& m : entity.GetObject()) {
      const std::string name = ctx.expand(std::string(json::view(m.name)));
      const model::AttrInstance* attr = nullptr;
      for (const auto& a : e.attrs)
        if (a.name == name) attr = &a;
      if (!attr || model::attribute_type(*attr) != "Relationship") continue;
      const model::RenderOptions lo = o.for_linked(name);
      auto nest_instance = [&](json::Value& inst) {
        if (inst.IsString()) {  // keyValues: the target id becomes the target entity
          if (auto sub = linked(std::string(json::view(inst)), lo, level)) inst = std::move(*sub);
          return;
        }
        if (!inst.IsObject()) return;
        auto obj = inst.FindMember("object");
        if (obj == inst.MemberEnd() || !obj->value.IsString()) return;
        if (auto sub = linked(std::string(json::view(obj->value)), lo, level))
          inst.AddMember("entity", std::move(*sub), *alloc);
      };
      if (m.value.IsArray())
        for (auto& inst : m.value.GetArray()) nest_instance(inst);
      else
        nest_instance(m.value);
    }
  }
};

// A join parameter: from the URL, else from the Query body of POST /entityOperations/query
// (a string, joinLevel a number, containedBy an array of URIs).
Result<std::optional<std::string>> join_parameter(const RequestContext& c, const char* name) {
  if (const auto* p = c.req.param(name)) return *p;
  if (!c.body.IsObject()) return std::nullopt;
  auto m = c.body.FindMember(name);
  if (m == c.body.MemberEnd()) return std::nullopt;
  if (m->value.IsString()) return std::string(json::view(m->value));
  if (m->value.IsUint()) return std::to_string(m->value.GetUint());
  if (m->value.IsArray()) {
    std::string list;
    for (const auto& v : m->value.GetArray()) {
      if (!v.IsString())
        return fail(ErrorKind::BadRequestData, std::string("Invalid ") + name, "members must be strings");
      list += (list.empty() ? "" : ",") + std::string(json::view(v));
    }
    return list;
  }
  return fail(ErrorKind::BadRequestData, std::string("Invalid ") + name,
              std::string(name) + " has the wrong JSON type");
}

}  // namespace

Result<JoinOptions> join_options(const RequestContext& c) {
  JoinOptions j;
  j.caller = &c;
  auto mode = join_parameter(c, "join");
  if (!mode) return std::unexpected(mode.error());
  if (*mode) {
    if (**mode == "flat")
      j.mode = JoinOptions::Mode::Flat;
    else if (**mode == "inline")
      j.mode = JoinOptions::Mode::Inline;
    else if (**mode != "@none")
      return fail(ErrorKind::BadRequestData, "Invalid join", "join must be flat, inline or @none");
  }
  auto level = join_parameter(c, "joinLevel");
  if (!level) return std::unexpected(level.error());
  if (*level) {
    const std::string& l = **level;
    auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), j.level);
    if (l.empty() || ec != std::errc() || end != l.data() + l.size() || j.level == 0 || j.level > 16)
      return fail(ErrorKind::BadRequestData, "Invalid joinLevel", "joinLevel must be an integer from 1 to 16");
  }
  auto contained = join_parameter(c, "containedBy");
  if (!contained) return std::unexpected(contained.error());
  if (*contained)
    for (auto& id : split_list(**contained)) {
      if (!is_absolute_uri(id))
        return fail(ErrorKind::BadRequestData, "Invalid containedBy", "'" + id + "' is not a URI");
      j.contained_by.insert(std::move(id));
    }
  return j;
}

size_t render_joined(json::Writer& w, const std::vector<EntityPtr>& entities, const broker::Tenant& tenant,
                     const jsonld::Context& ctx, const model::RenderOptions& opts, const JoinOptions& join) {
  if (join.mode == JoinOptions::Mode::None) {
    for (const auto& e : entities) model::render_entity_cached(w, *e, ctx, opts);
    return entities.size();
  }
  if (join.mode == JoinOptions::Mode::Inline) {
    InlineWalk walk{tenant, ctx, join.caller};
    for (const auto& e : entities) {
      json::Document d;
      const std::string body = model::render_entity(*e, ctx, opts);
      (void)json::parse_stored(d, body);
      walk.alloc = &d.GetAllocator();
      walk.path = join.contained_by;
      walk.path.insert(e->id);
      walk.nest(d, *e, opts, join.level);
      d.Accept(w);
    }
    return entities.size();
  }
  // flat: the results, then every entity reachable within joinLevel hops through the
  // Relationships shown, each once, shown as the Relationship's braces in pick/omit say.
  struct Reached {
    EntityPtr entity;
    model::RenderOptions opts;
  };
  std::set<std::string> seen = join.contained_by;
  size_t written = entities.size();
  std::vector<Reached> level;
  for (const auto& e : entities) {
    seen.insert(e->id);
    model::render_entity_cached(w, *e, ctx, opts);
    level.push_back({e, opts});
  }
  for (unsigned hop = 0; hop < join.level && !level.empty(); ++hop) {
    std::vector<Reached> next;
    for (const auto& [e, o] : level)
      for (auto& [rel, id] : linked_ids(*e, o)) {
        if (!seen.insert(id).second) continue;
        if (EntityPtr linked = tenant.get(id); linked && (!join.caller || join.caller->readable(*linked))) {
          model::RenderOptions lo = o.for_linked(rel);
          model::render_entity_cached(w, *linked, ctx, lo);
          ++written;
          next.push_back({std::move(linked), std::move(lo)});
        }
      }
    level = std::move(next);
  }
  return written;
}

}  // namespace dejima::ngsild

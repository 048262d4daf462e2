#include "ngsild/linked_entities.h"

#include <charconv>

#include "ngsild/render_params.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

using broker::EntityPtr;

// The ids the entity's Relationships and ListRelationships point to, in attribute order.
std::vector<std::string> linked_ids(const model::Entity& e) {
  std::vector<std::string> out;
  for (const auto& a : e.attrs) {
    const std::string type = model::attribute_type(a);
    if (type != "Relationship" && type != "ListRelationship") continue;
    json::LocalDocument<2048> d;
    if (!json::parse(d.doc, a.json).empty() || !d.doc.IsObject()) continue;
    if (auto o = d.doc.FindMember("object"); o != d.doc.MemberEnd() && o->value.IsString())
      out.emplace_back(json::view(o->value));
    if (auto l = d.doc.FindMember("objectList"); l != d.doc.MemberEnd() && l->value.IsArray())
      for (const auto& x : l->value.GetArray()) {
        const json::Value* v = &x;
        if (x.IsObject() && x.HasMember("object")) v = &x["object"];
        if (v->IsString()) out.emplace_back(json::view(*v));
      }
  }
  return out;
}

// At most this many entities are nested into one response: without a bound, a graph where
// each entity links to many others would grow as (links per entity)^joinLevel.
constexpr size_t kInlineBudget = 10000;

// Adds "entity" to each Relationship instance of a rendered (normalized or concise) entity
// object whose target exists and is not on `path`, while `budget` lasts.
void inline_links(json::Value& entity, json::Document::AllocatorType& alloc, const broker::Tenant& tenant,
                  const jsonld::Context& ctx, const model::RenderOptions& opts, unsigned level,
                  std::set<std::string>& path, size_t& budget) {
  if (level == 0 || !entity.IsObject()) return;
  auto nest = [&](json::Value& inst) {
    if (!inst.IsObject()) return;
    auto t = inst.FindMember("type");
    auto o = inst.FindMember("object");
    if (t == inst.MemberEnd() || o == inst.MemberEnd() || !t->value.IsString() || !o->value.IsString() ||
        json::view(t->value) != "Relationship")
      return;
    const std::string target(json::view(o->value));
    if (budget == 0 || path.count(target)) return;
    EntityPtr linked = tenant.get(target);
    if (!linked) return;
    json::Document sub(&alloc);
    const std::string body = model::render_entity(*linked, ctx, opts);
    sub.Parse(body.data(), body.size());
    if (sub.HasParseError()) return;
    sub.RemoveMember("@context");
    --budget;
    path.insert(target);
    inline_links(sub, alloc, tenant, ctx, opts, level - 1, path, budget);
    path.erase(target);
    inst.AddMember("entity", json::Value(sub, alloc), alloc);
  };
  for (auto& m : entity.GetObject()) {
    if (m.value.IsArray())
      for (auto& inst : m.value.GetArray()) nest(inst);
    else
      nest(m.value);
  }
}

}  // namespace

Result<JoinOptions> join_options(const RequestContext& c) {
  JoinOptions j;
  if (const auto* mode = c.req.param("join")) {
    if (*mode == "flat") j.mode = JoinOptions::Mode::Flat;
    else if (*mode == "inline") j.mode = JoinOptions::Mode::Inline;
    else if (*mode != "@none") return fail(ErrorKind::BadRequestData, "Invalid join", "join must be flat, inline or @none");
  }
  if (const auto* level = c.req.param("joinLevel")) {
    auto [end, ec] = std::from_chars(level->data(), level->data() + level->size(), j.level);
    if (level->empty() || ec != std::errc() || end != level->data() + level->size() || j.level == 0 || j.level > 16)
      return fail(ErrorKind::BadRequestData, "Invalid joinLevel", "joinLevel must be an integer from 1 to 16");
  }
  if (const auto* contained = c.req.param("containedBy"))
    for (auto& id : split_list(*contained)) {
      if (!is_absolute_uri(id)) return fail(ErrorKind::BadRequestData, "Invalid containedBy", "'" + id + "' is not a URI");
      j.contained_by.insert(std::move(id));
    }
  return j;
}

void render_joined(json::Writer& w, const std::vector<EntityPtr>& entities, const broker::Tenant& tenant,
                   const jsonld::Context& ctx, const model::RenderOptions& opts, const JoinOptions& join) {
  const bool inline_mode = join.mode == JoinOptions::Mode::Inline && opts.format != model::Format::KeyValues;
  if (join.mode == JoinOptions::Mode::None || (join.mode == JoinOptions::Mode::Inline && !inline_mode)) {
    for (const auto& e : entities) model::render_entity_cached(w, *e, ctx, opts);
    return;
  }
  if (inline_mode) {
    size_t budget = kInlineBudget;
    for (const auto& e : entities) {
      json::Document d;
      const std::string body = model::render_entity(*e, ctx, opts);
      d.Parse(body.data(), body.size());
      std::set<std::string> path = join.contained_by;
      path.insert(e->id);
      inline_links(d, d.GetAllocator(), tenant, ctx, opts, join.level, path, budget);
      d.Accept(w);
    }
    return;
  }
  // flat: the results, then every entity reachable within joinLevel hops, each once.
  std::set<std::string> seen = join.contained_by;
  std::vector<EntityPtr> level = entities;
  for (const auto& e : entities) {
    seen.insert(e->id);
    model::render_entity_cached(w, *e, ctx, opts);
  }
  for (unsigned hop = 0; hop < join.level && !level.empty(); ++hop) {
    std::vector<EntityPtr> next;
    for (const auto& e : level)
      for (auto& id : linked_ids(*e)) {
        if (!seen.insert(id).second) continue;
        if (EntityPtr linked = tenant.get(id)) {
          model::render_entity_cached(w, *linked, ctx, opts);
          next.push_back(std::move(linked));
        }
      }
    level = std::move(next);
  }
}

}  // namespace dejima::ngsild

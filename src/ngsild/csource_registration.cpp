#include "ngsild/csource_registration.h"

#include <algorithm>
#include <array>

#include "model/parse.h"
#include "query/q.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

constexpr std::string_view kType = "ContextSourceRegistration";
constexpr std::array<std::string_view, 4> kModes = {"inclusive", "exclusive", "redirect", "auxiliary"};
// The operations and operation groups of 1.8's table 4.3.6.3-1 (and the groups of 4.3.6.2).
constexpr std::array<std::string_view, 31> kOperations = {"createEntity",
                                                          "updateEntity",
                                                          "appendAttrs",
                                                          "updateAttrs",
                                                          "deleteAttrs",
                                                          "deleteEntity",
                                                          "createBatch",
                                                          "upsertBatch",
                                                          "updateBatch",
                                                          "deleteBatch",
                                                          "upsertTemporal",
                                                          "appendAttrsTemporal",
                                                          "deleteAttrsTemporal",
                                                          "updateAttrsTemporal",
                                                          "deleteAttrInstanceTemporal",
                                                          "deleteTemporal",
                                                          "mergeEntity",
                                                          "replaceEntity",
                                                          "replaceAttrs",
                                                          "mergeBatch",
                                                          "retrieveEntity",
                                                          "queryEntity",
                                                          "queryBatch",
                                                          "retrieveTemporal",
                                                          "queryTemporal",
                                                          "retrieveEntityTypes",
                                                          "retrieveEntityTypeDetails",
                                                          "retrieveEntityTypeInfo",
                                                          "retrieveAttrTypes",
                                                          "retrieveAttrTypeDetails",
                                                          "retrieveAttrTypeInfo"};
constexpr std::array<std::string_view, 8> kOperationGroups = {
    "federationOps",      "updateOps",          "retrieveOps",          "redirectionOps",
    "createSubscription", "updateSubscription", "retrieveSubscription", "querySubscription"};
// Members of the data type itself; every other member is a registration property (expanded).
constexpr std::array<std::string_view, 23> kMembers = {"id",
                                                       "type",
                                                       "registrationName",
                                                       "description",
                                                       "information",
                                                       "tenant",
                                                       "observationInterval",
                                                       "managementInterval",
                                                       "location",
                                                       "observationSpace",
                                                       "operationSpace",
                                                       "expiresAt",
                                                       "endpoint",
                                                       "contextSourceInfo",
                                                       "scope",
                                                       "mode",
                                                       "operations",
                                                       "refreshRate",
                                                       "management",
                                                       "createdAt",
                                                       "modifiedAt",
                                                       "deleteSubscription",
                                                       "@context"};
// Status members: Dejima writes them, a client's are ignored.
constexpr std::array<std::string_view, 6> kStatus = {"status",      "timesSent",   "timesFailed",
                                                     "lastSuccess", "lastFailure", "deleteSubscription"};
constexpr std::array<std::string_view, 3> kGeoMembers = {"location", "observationSpace", "operationSpace"};

template <size_t N>
bool among(const std::array<std::string_view, N>& a, std::string_view s) {
  return std::find(a.begin(), a.end(), s) != a.end();
}

Error bad(std::string title, std::string detail) {
  return Error{ErrorKind::BadRequestData, std::move(title), std::move(detail)};
}

Result<std::vector<std::string>> name_list(const json::Value& v, std::string_view what, const jsonld::Context& ctx) {
  if (!v.IsArray() || v.Empty())
    return std::unexpected(bad("Invalid information", std::string(what) + " must be a non-empty array of names"));
  std::vector<std::string> out;
  for (const auto& n : v.GetArray()) {
    if (!n.IsString() || !model::valid_name(json::view(n)))
      return std::unexpected(bad("Invalid information", std::string(what) + " must hold attribute names"));
    out.push_back(ctx.expand(json::view(n)));
  }
  return out;
}

Result<federation::EntityInfo> entity_info(const json::Value& v, const jsonld::Context& ctx) {
  if (!v.IsObject()) return std::unexpected(bad("Invalid information", "each entities[] item must be an object"));
  federation::EntityInfo e;
  const json::Value* type = json::member(v, "type");
  if (!type) return std::unexpected(bad("Invalid information", "each entities[] item needs a type"));
  auto add_type = [&](const json::Value& t) {
    if (!t.IsString() || !model::valid_name(json::view(t))) return false;
    e.types.push_back(ctx.expand(json::view(t)));
    return true;
  };
  bool ok = type->IsArray() ? !type->Empty() : add_type(*type);
  if (type->IsArray())
    for (const auto& t : type->GetArray()) ok = ok && add_type(t);
  if (!ok) return std::unexpected(bad("Invalid information", "an entities[] type must be a type name or names"));
  if (const json::Value* id = json::member(v, "id")) {
    if (!id->IsString() || !is_absolute_uri(json::view(*id)))
      return std::unexpected(bad("Invalid information", "an entities[] id must be a URI"));
    e.id = std::string(json::view(*id));
  }
  if (const json::Value* p = json::member(v, "idPattern")) {
    if (!p->IsString()) return std::unexpected(bad("Invalid information", "idPattern must be a string"));
    auto re = Regex::compile(json::view(*p));
    if (!re) return std::unexpected(bad("Invalid information", "idPattern: " + re.error().detail));
    e.id_pattern = std::string(json::view(*p));
    e.pattern = std::move(*re);
  }
  return e;
}

Result<RegistrationInfo> registration_info(const json::Value& v, const jsonld::Context& ctx) {
  if (!v.IsObject()) return std::unexpected(bad("Invalid information", "each information[] item must be an object"));
  RegistrationInfo info;
  if (const json::Value* es = json::member(v, "entities")) {
    if (!es->IsArray() || es->Empty())
      return std::unexpected(bad("Invalid information", "entities must be a non-empty array"));
    for (const auto& e : es->GetArray()) {
      auto one = entity_info(e, ctx);
      if (!one) return std::unexpected(one.error());
      info.entities.push_back(std::move(*one));
    }
  }
  // "properties" is propertyNames as NGSI-LD 1.3 named it, which FIWARE's IoT agents still send.
  for (auto [key, out] : {std::pair{"propertyNames", &info.properties}, std::pair{"properties", &info.properties},
                          std::pair{"relationshipNames", &info.relationships}})
    if (const json::Value* n = json::member(v, key)) {
      auto names = name_list(*n, key, ctx);
      if (!names) return std::unexpected(names.error());
      out->insert(out->end(), names->begin(), names->end());
    }
  if (info.entities.empty() && info.properties.empty() && info.relationships.empty())
    return std::unexpected(
        bad("Invalid information", "each information[] item names entities, propertyNames or relationshipNames"));
  return info;
}

Result<TimeInterval> interval(const json::Value& v, std::string_view what) {
  const std::string w(what);
  if (!v.IsObject()) return std::unexpected(bad("Invalid " + w, w + " must be an object {startAt, endAt}"));
  TimeInterval t;
  const json::Value* start = json::member(v, "startAt");
  const json::Value* end = json::member(v, "endAt");
  auto time = [&](const json::Value* m, Millis& out) {
    if (!m) return true;
    auto at = m->IsString() ? parse_iso8601(json::view(*m)) : std::nullopt;
    if (at) out = *at;
    return at.has_value();
  };
  if (!start || !time(start, t.start) || !time(end, t.end) || (end && t.end < t.start))
    return std::unexpected(bad("Invalid " + w, w + " needs startAt (and endAt after it) as DateTime"));
  return t;
}

// Checks the members of the data type that are not entity selectors or names.
Status check_members(const json::Value& doc, LdRegistration& ld, Millis now, bool check_expiry,
                     federation::Registration& r) {
  const json::Value* endpoint = json::member(doc, "endpoint");
  if (!endpoint || !endpoint->IsString() || !is_absolute_uri(json::view(*endpoint)))
    return fail(ErrorKind::BadRequestData, "Invalid endpoint", "endpoint must be a URI");
  r.endpoint = std::string(json::view(*endpoint));
  for (const char* key : {"registrationName", "description", "tenant", "refreshRate"})
    if (const json::Value* v = json::member(doc, key); v && !v->IsString())
      return fail(ErrorKind::BadRequestData, "Invalid " + std::string(key), std::string(key) + " must be a string");
  if (const json::Value* e = json::member(doc, "expiresAt")) {
    auto at = e->IsString() ? parse_iso8601(json::view(*e)) : std::nullopt;
    if (!at) return fail(ErrorKind::BadRequestData, "Invalid expiresAt", "expiresAt must be a DateTime");
    if (check_expiry && *at <= now)
      return fail(ErrorKind::BadRequestData, "Invalid expiresAt", "expiresAt must be in the future");
    r.expires = *at;
  }
  if (const json::Value* m = json::member(doc, "mode")) {
    if (!m->IsString() || !among(kModes, json::view(*m)))
      return fail(ErrorKind::BadRequestData, "Invalid mode",
                  "mode must be inclusive, exclusive, redirect or auxiliary");
    ld.mode = std::string(json::view(*m));
  }
  if (const json::Value* ops = json::member(doc, "operations")) {
    bool ok = ops->IsArray() && !ops->Empty();
    if (ok)
      for (const auto& o : ops->GetArray())
        ok = ok && o.IsString() && (among(kOperations, json::view(o)) || among(kOperationGroups, json::view(o)));
    if (!ok) return fail(ErrorKind::BadRequestData, "Invalid operations", "operations must list operation names");
    for (const auto& o : ops->GetArray()) ld.operations.emplace_back(json::view(o));
  }
  if (const json::Value* info = json::member(doc, "contextSourceInfo")) {
    bool ok = info->IsArray();
    if (ok)
      for (const auto& kv : info->GetArray())
        ok = ok && kv.IsObject() && json::member(kv, "key") && json::member(kv, "key")->IsString() &&
             json::member(kv, "value") && json::member(kv, "value")->IsString();
    if (!ok)
      return fail(ErrorKind::BadRequestData, "Invalid contextSourceInfo", "contextSourceInfo must list {key, value}");
  }
  if (const json::Value* m = json::member(doc, "management")) {
    bool ok = m->IsObject();
    if (ok)
      for (const auto& k : m->GetObject()) {
        const std::string_view key = json::view(k.name);
        ok = ok && (key == "localOnly" ? k.value.IsBool()
                                       : (key == "cacheDuration" || key == "timeout" || key == "cooldown") &&
                                             k.value.IsNumber() && k.value.GetDouble() >= 0);
      }
    if (!ok)
      return fail(ErrorKind::BadRequestData, "Invalid management",
                  "management takes localOnly (boolean), cacheDuration, timeout and cooldown (numbers)");
    if (const json::Value* t = json::member(*m, "timeout")) ld.timeout_ms = static_cast<long>(t->GetDouble());
    if (const json::Value* t = json::member(*m, "cooldown")) ld.cooldown_ms = static_cast<long>(t->GetDouble());
  }
  if (const json::Value* t = json::member(doc, "tenant")) ld.source_tenant = std::string(json::view(*t));
  if (const json::Value* s = json::member(doc, "scope")) {
    bool ok = s->IsString() || (s->IsArray() && !s->Empty());
    if (s->IsArray())
      for (const auto& one : s->GetArray()) ok = ok && one.IsString();
    if (!ok) return fail(ErrorKind::BadRequestData, "Invalid scope", "scope must be a scope or a list of them");
  }
  for (auto [key, out] :
       {std::pair{"observationInterval", &ld.observation}, std::pair{"managementInterval", &ld.management}})
    if (const json::Value* v = json::member(doc, key)) {
      auto t = interval(*v, key);
      if (!t) return std::unexpected(t.error());
      *out = *t;
    }
  return {};
}

// The registration's properties as an entity: extra members as Properties (an object with a
// "type" is taken as an attribute as written), the geo members as GeoProperties.
Status build_properties(const json::Value& doc, const jsonld::Context& ctx, LdRegistration& ld, const std::string& id) {
  json::Document e;
  auto& a = e.GetAllocator();
  e.SetObject();
  e.AddMember("id", json::Value(id.c_str(), a), a);
  e.AddMember("type", json::Value(kType.data(), a), a);
  for (const auto& m : doc.GetObject()) {
    const std::string_view key = json::view(m.name);
    const bool geo = among(kGeoMembers, key);
    if (!geo && (among(kMembers, key) || among(kStatus, key))) continue;
    json::Value attr(rapidjson::kObjectType);
    if (!geo && m.value.IsObject() && m.value.HasMember("type")) {
      attr.CopyFrom(m.value, a);
    } else {
      attr.AddMember("type", json::Value(geo ? "GeoProperty" : "Property", a), a);
      attr.AddMember("value", json::Value(m.value, a), a);
    }
    e.AddMember(json::Value(ctx.expand(key).c_str(), a), attr, a);
  }
  auto parsed = model::parse_entity(e, ctx, model::ParseMode::Create);
  if (!parsed) return std::unexpected(parsed.error());
  ld.properties.id = id;
  ld.properties.types = parsed->types;
  for (auto& inst : parsed->attrs) ld.properties.insert(std::move(inst));
  model::extract_scalars(ld.properties);
  return {};
}

// Replaces each name in the document (entity types, propertyNames, relationshipNames and the
// registration properties' keys) with f(name).
void rename(json::Value& doc, rapidjson::MemoryPoolAllocator<>& a,
            const std::function<std::string(std::string_view)>& f) {
  auto each = [&](json::Value& v) {
    if (v.IsString()) v.SetString(f(json::view(v)).c_str(), a);
  };
  if (auto* info = json::member(doc, "information"); info && info->IsArray())
    for (auto& i : info->GetArray()) {
      if (!i.IsObject()) continue;
      if (auto* es = json::member(i, "entities"); es && es->IsArray())
        for (auto& e : es->GetArray())
          if (auto* t = e.IsObject() ? json::member(e, "type") : nullptr) {
            if (t->IsArray())
              for (auto& one : t->GetArray()) each(one);
            else
              each(*t);
          }
      for (const char* key : {"propertyNames", "properties", "relationshipNames"})
        if (auto* n = json::member(i, key); n && n->IsArray())
          for (auto& one : n->GetArray()) each(one);
    }
  json::Value renamed(rapidjson::kObjectType);
  for (auto& m : doc.GetObject()) {
    const std::string_view key = json::view(m.name);
    const std::string name = among(kMembers, key) || among(kStatus, key) ? std::string(key) : f(key);
    renamed.AddMember(json::Value(name.c_str(), a), m.value, a);
  }
  doc = std::move(renamed);
}

bool in_interval(const TimeInterval& t, std::string_view rel, Millis at, Millis end_at) {
  if (rel == "before") return t.start < at;
  if (rel == "after") return t.end == 0 || t.end > at;
  return t.start < end_at && (t.end == 0 || t.end > at);  // between
}

bool selector_matches(const query::Selector& s, const federation::EntityInfo& e) {
  if (s.types && !s.types->eval([&](const std::string& t) {
        return std::find(e.types.begin(), e.types.end(), t) != e.types.end();
      }))
    return false;
  if (!s.ids.empty()) {
    if (!e.id.empty() && std::find(s.ids.begin(), s.ids.end(), e.id) == s.ids.end()) return false;
    if (e.id.empty() && e.pattern &&
        std::none_of(s.ids.begin(), s.ids.end(), [&](const std::string& id) { return e.pattern->search(id); }))
      return false;
  }
  if (s.id_pattern && !e.id.empty() && !s.id_pattern->search(e.id)) return false;
  return true;
}

bool info_matches(const RegistrationInfo& info, const std::vector<query::Selector>& selectors,
                  const std::vector<std::string>& attrs) {
  if (!selectors.empty() && !info.entities.empty() &&
      std::none_of(selectors.begin(), selectors.end(), [&](const query::Selector& s) {
        return std::any_of(info.entities.begin(), info.entities.end(),
                           [&](const federation::EntityInfo& e) { return selector_matches(s, e); });
      }))
    return false;
  if (!attrs.empty() && !(info.properties.empty() && info.relationships.empty()) &&
      std::none_of(attrs.begin(), attrs.end(), [&](const std::string& a) { return info.names(a); }))
    return false;
  return true;
}

}  // namespace

bool RegistrationInfo::names(std::string_view attr) const {
  return std::find(properties.begin(), properties.end(), attr) != properties.end() ||
         std::find(relationships.begin(), relationships.end(), attr) != relationships.end();
}

const LdFlavor& ld_flavor() {
  static const LdFlavor flavor;
  return flavor;
}

bool supports(const LdRegistration& r, std::string_view operation) {
  // The groups of clause 4.3.6.3 that hold the operations Dejima forwards so far.
  static const std::vector<std::pair<std::string_view, std::vector<std::string_view>>> kGroups = {
      {"federationOps", {"retrieveEntity", "queryEntity", "queryBatch", "retrieveTemporal", "queryTemporal"}},
      {"retrieveOps", {"retrieveEntity", "queryEntity"}},
      {"updateOps", {"updateEntity", "updateAttrs", "replaceEntity", "replaceAttrs"}},
      {"redirectionOps",
       {"createEntity", "updateEntity", "appendAttrs", "updateAttrs", "deleteAttrs", "deleteEntity", "mergeEntity",
        "replaceEntity", "replaceAttrs", "retrieveEntity", "queryEntity", "queryBatch", "retrieveTemporal",
        "queryTemporal"}},
  };
  const std::vector<std::string> fallback = {"federationOps"};
  for (const auto& op : r.operations.empty() ? fallback : r.operations) {
    if (op == operation) return true;
    for (const auto& [group, members] : kGroups)
      if (op == group && std::find(members.begin(), members.end(), operation) != members.end()) return true;
  }
  return false;
}

const LdRegistration& ld(const federation::Registration& r) { return static_cast<const LdRegistration&>(*r.ext); }

Result<std::shared_ptr<federation::Registration>> parse_csource_registration(const json::Value& doc,
                                                                             const jsonld::Context& ctx, Millis now,
                                                                             bool check_expiry) {
  if (!doc.IsObject()) return fail(ErrorKind::BadRequestData, "Invalid registration", "the body must be an object");
  const json::Value* type = json::member(doc, "type");
  if (!type || !type->IsString() || json::view(*type) != kType)
    return fail(ErrorKind::BadRequestData, "Invalid registration", "type must be \"ContextSourceRegistration\"");
  auto r = std::make_shared<federation::Registration>();
  auto ext = std::make_shared<LdRegistration>();
  r->flavor = &ld_flavor();
  if (const json::Value* id = json::member(doc, "id")) {
    if (!id->IsString() || !is_absolute_uri(json::view(*id)))
      return fail(ErrorKind::BadRequestData, "Invalid registration id", "id must be a URI");
    r->id = std::string(json::view(*id));
  } else {
    r->id = random_urn(kType);
  }
  const json::Value* info = json::member(doc, "information");
  if (!info || !info->IsArray() || info->Empty())
    return fail(ErrorKind::BadRequestData, "Invalid information", "information must be a non-empty array");
  for (const auto& i : info->GetArray()) {
    auto one = registration_info(i, ctx);
    if (!one) return std::unexpected(one.error());
    ext->information.push_back(std::move(*one));
  }
  if (auto st = check_members(doc, *ext, now, check_expiry, *r); !st) return std::unexpected(st.error());
  if (auto st = build_properties(doc, ctx, *ext, r->id); !st) return std::unexpected(st.error());
  // federation's shared view: every entity selector; every name, or all when an item names none.
  bool every_attr = false;
  for (const auto& i : ext->information) {
    r->entities.insert(r->entities.end(), i.entities.begin(), i.entities.end());
    every_attr = every_attr || (i.properties.empty() && i.relationships.empty());
    r->attrs.insert(r->attrs.end(), i.properties.begin(), i.properties.end());
    r->attrs.insert(r->attrs.end(), i.relationships.begin(), i.relationships.end());
  }
  if (every_attr) r->attrs.clear();
  if (std::any_of(ext->information.begin(), ext->information.end(), [](const auto& i) { return i.entities.empty(); }))
    r->entities.push_back(federation::EntityInfo{});  // an item without entities covers any entity
  // The document as kept: names expanded, without @context and status members.
  json::Document kept;
  kept.CopyFrom(doc, kept.GetAllocator());
  for (auto key : kStatus) kept.RemoveMember(json::Value(rapidjson::StringRef(key.data(), key.size())));
  kept.RemoveMember("@context");
  kept.RemoveMember("createdAt");
  kept.RemoveMember("modifiedAt");
  if (!kept.HasMember("id")) kept.AddMember("id", json::Value(r->id.c_str(), kept.GetAllocator()), kept.GetAllocator());
  rename(kept, kept.GetAllocator(), [&](std::string_view term) { return ctx.expand(term); });
  ext->document = json::to_string(kept);
  ext->created_at = ext->modified_at = now;
  r->ext = std::move(ext);
  return r;
}

Result<std::shared_ptr<federation::Registration>> LdFlavor::restore(const json::Value& stored) const {
  const json::Value* doc = json::member(stored, "document");
  if (!doc || !doc->IsObject()) return fail(ErrorKind::InternalError, "Unreadable registration", "no document");
  auto r = parse_csource_registration(*doc, *jsonld::Context::core(), 0, false);
  if (!r) return r;
  auto ext = std::make_shared<LdRegistration>(ld(**r));
  for (auto [key, out] : {std::pair{"createdAt", &ext->created_at}, std::pair{"modifiedAt", &ext->modified_at}})
    if (const json::Value* t = json::member(stored, key); t && t->IsInt64()) *out = t->GetInt64();
  (*r)->ext = std::move(ext);
  return r;
}

std::string LdFlavor::stored(const federation::Registration& r) const {
  const LdRegistration& x = ld(r);
  rapidjson::StringBuffer out;
  json::Writer w(out);
  w.StartObject();
  w.Key("@flavor");
  json::write_string(w, name());
  w.Key("createdAt");
  w.Int64(x.created_at);
  w.Key("modifiedAt");
  w.Int64(x.modified_at);
  w.Key("document");
  json::write_raw(w, x.document);
  w.EndObject();
  return out.GetString();
}

std::string render_csource_registration(const federation::Registration& r, const jsonld::Context& ctx,
                                        bool with_context, bool sys_attrs) {
  const LdRegistration& x = ld(r);
  json::Document d;
  (void)json::parse_stored(d, x.document);
  auto& a = d.GetAllocator();
  rename(d, a, [&](std::string_view iri) { return ctx.compact(iri); });
  // status, timesSent, ... tell how forwarding to the source went: none before it is asked.
  {
    std::lock_guard lock(r.state->mu);
    const federation::SourceState& st = *r.state;
    if (st.times_sent) {
      d.AddMember("status", json::Value(st.last_failure > st.last_success ? "failed" : "ok", a), a);
      d.AddMember("timesSent", json::Value(st.times_sent), a);
      d.AddMember("timesFailed", json::Value(st.times_failed), a);
      if (st.last_success) d.AddMember("lastSuccess", json::Value(format_iso8601(st.last_success).c_str(), a), a);
      if (st.last_failure) d.AddMember("lastFailure", json::Value(format_iso8601(st.last_failure).c_str(), a), a);
    }
  }
  if (sys_attrs) {
    d.AddMember("createdAt", json::Value(format_iso8601(x.created_at).c_str(), a), a);
    d.AddMember("modifiedAt", json::Value(format_iso8601(x.modified_at).c_str(), a), a);
  }
  if (with_context) {
    json::Document c;
    (void)json::parse_stored(c, ctx.context_json());
    d.AddMember("@context", json::Value(c, a), a);
  }
  return json::to_string(d);
}

Status check_exclusive(const federation::Registration& r, const std::vector<federation::RegPtr>& others) {
  const LdRegistration& mine = ld(r);
  auto overlaps = [](const LdRegistration& x, const LdRegistration& y) {
    for (const auto& i : x.information)
      for (const auto& j : y.information)
        for (const auto& e : i.entities)
          for (const auto& f : j.entities)
            if (!e.id.empty() && e.id == f.id &&
                (std::any_of(i.properties.begin(), i.properties.end(), [&](const auto& n) { return j.names(n); }) ||
                 std::any_of(i.relationships.begin(), i.relationships.end(),
                             [&](const auto& n) { return j.names(n); })))
              return true;
    return false;
  };
  for (const auto& other : others) {
    if (other->id == r.id) continue;
    const LdRegistration& theirs = ld(*other);
    const bool one_exclusive = mine.mode == "exclusive" || theirs.mode == "exclusive";
    const bool both_auxiliary = mine.mode == "auxiliary" || theirs.mode == "auxiliary";
    if (one_exclusive && !both_auxiliary && overlaps(mine, theirs))
      return fail(ErrorKind::AlreadyExists, "Conflicting registration",
                  "registration " + other->id + " (" + theirs.mode + ") already registers an attribute of the same " +
                      "entity that this " + mine.mode + " registration names");
  }
  return {};
}

Status set_temporal_query(DiscoveryQuery& q, const std::function<const std::string*(std::string_view)>& get) {
  auto time = [&](std::string_view name, Millis& out) {
    const auto* p = get(name);
    auto t = p ? parse_iso8601(*p) : std::nullopt;
    if (t) out = *t;
    return t.has_value();
  };
  if (const auto* rel = get("timerel")) {
    q.timerel = *rel;
    if (q.timerel != "before" && q.timerel != "after" && q.timerel != "between")
      return fail(ErrorKind::BadRequestData, "Invalid timerel", "timerel must be before, after or between");
    if (!time("timeAt", q.time_at))
      return fail(ErrorKind::BadRequestData, "Invalid temporal query", "timerel needs timeAt (a DateTime)");
    if (q.timerel == "between" && (!time("endTimeAt", q.end_time_at) || q.end_time_at <= q.time_at))
      return fail(ErrorKind::BadRequestData, "Invalid temporal query",
                  "timerel=between needs endTimeAt (a DateTime after timeAt)");
  } else if (get("timeAt") || get("endTimeAt")) {
    return fail(ErrorKind::BadRequestData, "Invalid temporal query", "timeAt needs timerel");
  }
  if (const auto* p = get("timeproperty"); p && !p->empty()) {
    if (*p != "observedAt" && *p != "createdAt" && *p != "modifiedAt")
      return fail(ErrorKind::BadRequestData, "Invalid timeproperty",
                  "timeproperty must be observedAt, createdAt or modifiedAt");
    q.timeproperty = *p;
  }
  return {};
}

bool DiscoveryQuery::matches(const federation::Registration& r, Millis now) const {
  const LdRegistration& x = ld(r);
  if (!r.live(now)) return false;
  if (std::none_of(x.information.begin(), x.information.end(),
                   [&](const RegistrationInfo& i) { return info_matches(i, entities, attrs); }))
    return false;
  if (q && !query::matches(*q, x.properties)) return false;
  if (csf && !query::matches(*csf, x.properties)) return false;
  if (geo && !geo->matches(x.properties)) return false;
  if (timerel.empty()) return !x.observation || x.observation->end == 0 || x.observation->end > now;
  const auto& t = timeproperty == "observedAt" ? x.observation : x.management;
  return t && in_interval(*t, timerel, time_at, end_time_at);
}

}  // namespace dejima::ngsild

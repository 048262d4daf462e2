#include "temporal/record.h"

#include "model/parse.h"
#include "util/json.h"

namespace dejima::temporal {

store::InstanceRecord instance_record(const model::AttrInstance& a) {
  store::InstanceRecord r;
  r.attr = a.name;
  r.dataset_id = a.dataset_id;
  r.json = a.json;
  r.created_at = a.created_at;
  r.modified_at = a.modified_at;
  if (a.json.find("\"observedAt\"") != std::string::npos) {  // most instances have none: skip the parse
    json::LocalDocument<2048> d;
    (void)json::parse_stored(d.doc, a.json);
    if (d.doc.IsObject())
      if (auto it = d.doc.FindMember("observedAt"); it != d.doc.MemberEnd() && it->value.IsString())
        if (auto t = parse_iso8601(json::view(it->value))) r.observed_at = *t;
  }
  return r;
}

store::HistoryEntity history_entity(const model::Entity& e) {
  store::HistoryEntity h;
  h.id = e.id;
  h.types.assign(e.types.begin(), e.types.end());
  h.scopes = e.scopes;
  h.created_at = e.created_at;
  h.modified_at = e.modified_at;
  return h;
}

std::optional<store::HistoryWrite> record_change(const model::Entity* before, const model::Entity* after, Millis now) {
  store::HistoryWrite w;
  if (!after) {  // deleted: the history stays, marked
    w.entity = history_entity(*before);
    w.entity.modified_at = w.entity.deleted_at = now;
    return w;
  }
  w.entity = history_entity(*after);
  w.instances.reserve(after->attrs.size());
  for (const auto& a : after->attrs) {
    const model::AttrInstance* old = before ? before->find(a.name, a.dataset_id) : nullptr;
    if (old && old->modified_at == a.modified_at && old->json == a.json) continue;
    w.instances.push_back(instance_record(a));
  }
  if (before)
    for (const auto& old : before->attrs) {
      if (after->find(old.name, old.dataset_id)) continue;
      store::InstanceRecord r;
      r.attr = old.name;
      r.dataset_id = old.dataset_id;
      const std::string type = model::attribute_type(old);
      rapidjson::StringBuffer sb;
      json::Writer jw(sb);
      jw.StartObject();
      jw.Key("type");
      json::write_string(jw, type);
      json::write_key(jw, model::value_key(type));
      json::write_string(jw, model::kNull);
      jw.EndObject();
      r.json.assign(sb.GetString(), sb.GetSize());
      r.created_at = old.created_at;
      r.modified_at = r.deleted_at = after->modified_at;
      w.instances.push_back(std::move(r));
    }
  const bool entity_changed = !before || before->types != after->types || before->scopes != after->scopes;
  if (w.instances.empty() && !entity_changed) return std::nullopt;
  return w;
}

}  // namespace dejima::temporal

#include "catalog/dataset_json.h"

#include "catalog/download.h"
#include "catalog/licenses.h"
#include "util/uri.h"

namespace dejima::catalog {
namespace {

void str(json::Writer& w, std::string_view k, std::string_view v) {
  json::write_key(w, k);
  json::write_string(w, v);
}

}  // namespace

void write_dataset(json::Writer& w, const Dataset& d, const Links& links) {
  w.StartObject();
  str(w, "name", d.name);
  str(w, "tenant", d.tenant_name);
  str(w, "type", d.short_type);
  str(w, "typeIri", d.type);
  str(w, "title", d.title());
  str(w, "titleEn", d.title_en());
  w.Key("public");
  w.Bool(d.is_public);
  w.Key("entities");
  w.Uint64(d.entities);
  if (d.created()) str(w, "createdAt", format_iso8601(d.created()));
  if (d.modified()) str(w, "modifiedAt", format_iso8601(d.modified()));
  str(w, "frequency", d.frequency());
  const License& l = license(d.meta.license);
  w.Key("license");
  w.StartObject();
  str(w, "id", l.id);
  str(w, "title", l.title);
  str(w, "url", l.url);
  w.EndObject();
  w.Key("publisher");
  w.StartObject();
  str(w, "name", d.tenant_name);
  str(w, "nameJa", d.publisher.name_ja);
  str(w, "nameEn", d.publisher.name_en);
  str(w, "code", d.publisher.code);
  w.EndObject();
  if (d.temporal_start) {
    w.Key("temporal");
    w.StartObject();
    str(w, "start", format_iso8601(d.temporal_start));
    str(w, "end", format_iso8601(d.temporal_end));
    w.EndObject();
  }
  w.Key("metadata");
  w.StartObject();
  write_metadata(w, d.meta);
  w.EndObject();
  w.Key("sources");
  w.StartArray();
  for (const auto& s : d.sources) {
    w.StartObject();
    str(w, "connector", s.connector);
    str(w, "url", s.url);
    str(w, "schedule", s.schedule);
    str(w, "frequency", s.frequency);
    w.Key("credits");
    w.StartArray();
    for (const auto& c : s.credits) json::write_string(w, c);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("distributions");
  w.StartArray();
  for (const auto& k : file_kinds()) {
    w.StartObject();
    str(w, "format", k.label);
    str(w, "mediaType", k.content_type.substr(0, k.content_type.find(';')));
    str(w, "url", links.file(d, k.file));
    w.EndObject();
  }
  w.EndArray();
  w.Key("api");
  w.StartObject();
  str(w, "ngsi-ld", links.base + "/ngsi-ld/v1/entities?type=" + percent_encode(d.short_type, ""));
  str(w, "tenant", d.tenant_name);
  w.EndObject();
  w.EndObject();
}

std::string dataset_json(const Dataset& d, const Links& links) {
  return json::written([&](json::Writer& w) { write_dataset(w, d, links); });
}

}  // namespace dejima::catalog

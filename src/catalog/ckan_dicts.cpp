#include "catalog/ckan_dicts.h"

#include "catalog/download.h"
#include "catalog/licenses.h"

namespace dejima::catalog {
namespace {

void str(json::Writer& w, std::string_view k, std::string_view v) {
  json::write_key(w, k);
  json::write_string(w, v);
}
void null(json::Writer& w, std::string_view k) {
  json::write_key(w, k);
  w.Null();
}
void extra(json::Writer& w, std::string_view k, std::string_view v) {
  w.StartObject();
  str(w, "key", k);
  str(w, "value", v);
  w.EndObject();
}

std::string notes(const Dataset& d) {
  std::string n = d.meta.description_ja;
  if (!d.meta.description_en.empty()) n += (n.empty() ? "" : "\n\n") + d.meta.description_en;
  if (n.empty())
    n = d.short_type + " の " + std::to_string(d.entities) + " 件のエンティティ（" +
        (d.publisher.name_ja.empty() ? d.tenant_name : d.publisher.name_ja) + "）。";
  return n;
}

}  // namespace

std::string ckan_time(Millis t) {
  std::string s = format_iso8601(t);  // 2026-12-07T09:00:00.000Z
  if (s.ends_with('Z')) s.pop_back();
  if (s.size() == 23) s += "000";
  return s;
}

void write_resource(json::Writer& w, const Dataset& d, size_t position, const Links& links) {
  const FileKind& k = file_kinds()[position];
  w.StartObject();
  str(w, "id", d.name + "-" + k.key);
  str(w, "package_id", d.name);
  str(w, "name", d.title() + "（" + k.title + "）");
  str(w, "description",
      k.format == FileFormat::Csv
          ? "自治体標準オープンデータセットの列構成の CSV（UTF-8, BOM 付き。?encoding=shift_jis で Shift_JIS）"
      : k.format == FileFormat::GeoJson ? "GeoJSON FeatureCollection（属性は keyValues）"
      : k.format == FileFormat::NgsiLd
          ? "NGSI-LD エンティティ（normalized）の配列"
          : "履歴（観測値の時系列）の CSV。?from=&to=（ISO 8601）で期間を指定、既定は直近 7 日間");
  str(w, "format", k.label);
  str(w, "mimetype", k.content_type.substr(0, k.content_type.find(';')));
  null(w, "mimetype_inner");
  str(w, "url", links.file(d, k.file));
  null(w, "url_type");
  str(w, "state", "active");
  w.Key("position");
  w.Uint64(position);
  str(w, "created", ckan_time(d.created()));
  str(w, "last_modified", ckan_time(d.modified()));
  w.Key("datastore_active");
  w.Bool(k.format == FileFormat::Csv);
  str(w, "hash", "");
  null(w, "size");
  if (k.format == FileFormat::History)
    str(w, "resource_type", "api");  // an endpoint with parameters, not a file (harvesters leave it)
  else
    null(w, "resource_type");
  null(w, "cache_url");
  null(w, "cache_last_updated");
  w.EndObject();
}

void write_organization(json::Writer& w, const Dataset& d, size_t packages) {
  const std::string title = d.publisher.name_ja.empty() ? d.tenant_name : d.publisher.name_ja;
  w.StartObject();
  str(w, "id", d.tenant_name);
  str(w, "name", d.tenant_name);
  str(w, "title", title);
  str(w, "display_name", title);
  str(w, "description", d.publisher.name_en);
  str(w, "type", "organization");
  w.Key("is_organization");
  w.Bool(true);
  str(w, "state", "active");
  str(w, "approval_status", "approved");
  str(w, "image_url", "");
  str(w, "image_display_url", "");
  str(w, "created", ckan_time(d.publisher.created_at ? d.publisher.created_at : d.created()));
  w.Key("package_count");
  w.Uint64(packages);
  w.Key("extras");
  w.StartArray();
  if (!d.publisher.code.empty()) extra(w, "local_government_code", d.publisher.code);
  w.EndArray();
  w.EndObject();
}

void write_group(json::Writer& w, const std::string& theme, size_t packages) {
  w.StartObject();
  str(w, "id", theme);
  str(w, "name", theme);
  str(w, "title", theme);
  str(w, "display_name", theme);
  str(w, "description", "");
  str(w, "type", "group");
  w.Key("is_organization");
  w.Bool(false);
  str(w, "state", "active");
  str(w, "approval_status", "approved");
  str(w, "image_url", "");
  str(w, "image_display_url", "");
  w.Key("package_count");
  w.Uint64(packages);
  w.EndObject();
}

void write_package(json::Writer& w, const Dataset& d, const Links& links) {
  const License& l = license(d.meta.license);
  w.StartObject();
  str(w, "id", d.name);
  str(w, "name", d.name);
  str(w, "title", d.title());
  str(w, "notes", notes(d));
  str(w, "url",
      !d.meta.source_url.empty() ? d.meta.source_url
      : d.sources.empty()        ? links.page(d)
                                 : d.sources.front().url);
  str(w, "author", d.publisher.name_ja.empty() ? d.tenant_name : d.publisher.name_ja);
  str(w, "author_email", "");
  str(w, "maintainer", d.publisher.name_ja.empty() ? d.tenant_name : d.publisher.name_ja);
  str(w, "maintainer_email", "");
  str(w, "version", "");
  str(w, "license_id", l.id);
  str(w, "license_title", l.title);
  str(w, "license_url", l.url);
  w.Key("isopen");
  w.Bool(l.open && d.is_public);
  w.Key("private");
  w.Bool(!d.is_public);
  str(w, "state", "active");
  str(w, "type", "dataset");
  str(w, "metadata_created", ckan_time(d.created()));
  str(w, "metadata_modified", ckan_time(d.modified()));
  str(w, "owner_org", d.tenant_name);
  w.Key("organization");
  write_organization(w, d, 0);
  w.Key("num_tags");
  w.Uint64(d.meta.keywords.size());
  w.Key("tags");
  w.StartArray();
  for (const auto& k : d.meta.keywords) {
    w.StartObject();
    str(w, "id", k);
    str(w, "name", k);
    str(w, "display_name", k);
    str(w, "state", "active");
    null(w, "vocabulary_id");
    w.EndObject();
  }
  w.EndArray();
  w.Key("groups");
  w.StartArray();
  for (const auto& t : d.meta.themes) write_group(w, t, 0);
  w.EndArray();
  w.Key("num_resources");
  w.Uint64(file_kinds().size());
  w.Key("resources");
  w.StartArray();
  for (size_t i = 0; i < file_kinds().size(); ++i) write_resource(w, d, i, links);
  w.EndArray();
  w.Key("extras");
  w.StartArray();
  extra(w, "entity_type", d.type);
  extra(w, "tenant", d.tenant_name);
  extra(w, "entities", std::to_string(d.entities));
  extra(w, "frequency", d.frequency());
  if (!d.publisher.code.empty()) extra(w, "spatial_coverage", d.publisher.code);
  if (d.temporal_start) {  // as ckanext-dcat names them
    extra(w, "temporal_start", format_iso8601(d.temporal_start));
    extra(w, "temporal_end", format_iso8601(d.temporal_end));
  }
  std::string credits;
  for (const auto& s : d.sources)
    for (const auto& c : s.credits) credits += (credits.empty() ? "" : "\n") + c;
  if (!credits.empty()) extra(w, "credits", credits);
  w.EndArray();
  w.Key("relationships_as_subject");
  w.StartArray();
  w.EndArray();
  w.Key("relationships_as_object");
  w.StartArray();
  w.EndArray();
  w.EndObject();
}

void write_licenses(json::Writer& w) {
  w.StartArray();
  for (const auto& l : licenses()) {
    w.StartObject();
    str(w, "id", l.id);
    str(w, "title", l.title);
    str(w, "url", l.url);
    str(w, "status", "active");
    str(w, "od_conformance", l.open ? "approved" : "not reviewed");
    str(w, "osd_conformance", "not reviewed");
    w.Key("is_okd_compliant");
    w.Bool(l.open);
    w.Key("is_osi_compliant");
    w.Bool(false);
    str(w, "is_generic", "False");
    str(w, "domain_content", "False");
    str(w, "domain_data", "False");
    str(w, "domain_software", "False");
    str(w, "family", "");
    str(w, "maintainer", "");
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace dejima::catalog

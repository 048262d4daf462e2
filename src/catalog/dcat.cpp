#include "catalog/dcat.h"

#include <algorithm>

#include "catalog/download.h"
#include "catalog/licenses.h"
#include "util/uri.h"

namespace dejima::catalog {
namespace {

const std::vector<Prefix>& prefixes() {
  static const std::vector<Prefix> all = {
      {"dcat", "http://www.w3.org/ns/dcat#"},           {"dct", "http://purl.org/dc/terms/"},
      {"foaf", "http://xmlns.com/foaf/0.1/"},           {"vcard", "http://www.w3.org/2006/vcard/ns#"},
      {"skos", "http://www.w3.org/2004/02/skos/core#"}, {"hydra", "http://www.w3.org/ns/hydra/core#"},
      {"xsd", "http://www.w3.org/2001/XMLSchema#"},
  };
  return all;
}

constexpr std::string_view kDateTime = "http://www.w3.org/2001/XMLSchema#dateTime";

std::string eu_frequency(const std::string& f) {
  static const std::vector<std::pair<std::string, std::string>> map = {
      {"continuous", "CONT"}, {"hourly", "HOURLY"},       {"daily", "DAILY"},   {"weekly", "WEEKLY"},
      {"monthly", "MONTHLY"}, {"quarterly", "QUARTERLY"}, {"annual", "ANNUAL"}, {"irregular", "IRREG"},
  };
  for (const auto& [k, v] : map)
    if (k == f) return "http://publications.europa.eu/resource/authority/frequency/" + v;
  return "http://publications.europa.eu/resource/authority/frequency/UNKNOWN";
}

std::string eu_file_type(FileFormat f) {
  const std::string base = "http://publications.europa.eu/resource/authority/file-type/";
  return base + (f == FileFormat::GeoJson ? "GEOJSON" : f == FileFormat::NgsiLd ? "JSON_LD" : "CSV");
}

std::string page_url(const Links& links, size_t page, size_t size) {
  return links.base + "/catalog?page=" + std::to_string(page) + "&pageSize=" + std::to_string(size);
}

void add_dataset(Graph& g, const Node& catalog, const Dataset& d, const Links& links) {
  const Node ds = Node::iri(links.dataset(d));
  g.add(catalog, "dcat:dataset", ds);
  g.add(ds, "a", g.iri("dcat:Dataset"));
  g.add(ds, "dct:identifier", Node::text(d.name));
  const std::string en = d.title_en();
  if (d.title() != en) g.add(ds, "dct:title", Node::text(d.title(), "ja"));
  if (!en.empty()) g.add(ds, "dct:title", Node::text(en, "en"));
  const std::string who = d.publisher.name_ja.empty() ? d.tenant_name : d.publisher.name_ja;
  g.add(ds, "dct:description",
        Node::text(d.meta.description_ja.empty()
                       ? d.short_type + " の " + std::to_string(d.entities) + " 件のエンティティ（" + who + "）。"
                       : d.meta.description_ja,
                   "ja"));
  if (!d.meta.description_en.empty()) g.add(ds, "dct:description", Node::text(d.meta.description_en, "en"));
  const Node publisher = Node::iri(links.base + "/dejima/v1/tenants/" + percent_encode(d.tenant_name, ""));
  g.add(ds, "dct:publisher", publisher);
  g.add(publisher, "a", g.iri("foaf:Agent"));
  g.add(publisher, "foaf:name", Node::text(who, "ja"));
  if (!d.publisher.name_en.empty()) g.add(publisher, "foaf:name", Node::text(d.publisher.name_en, "en"));
  if (!d.publisher.code.empty()) g.add(publisher, "dct:identifier", Node::text(d.publisher.code));
  const Node contact = g.blank();
  g.add(ds, "dcat:contactPoint", contact);
  g.add(contact, "a", g.iri("vcard:Organization"));
  g.add(contact, "vcard:fn", Node::text(who, "ja"));
  for (const auto& k : d.meta.keywords) g.add(ds, "dcat:keyword", Node::text(k, "ja"));
  for (const auto& t : d.meta.themes) {
    const Node theme = Node::iri(links.base + "/catalog/themes/" + percent_encode(t, ""));
    g.add(ds, "dcat:theme", theme);
    g.add(theme, "a", g.iri("skos:Concept"));
    g.add(theme, "skos:prefLabel", Node::text(t, "ja"));
  }
  g.add(ds, "dct:accrualPeriodicity", Node::iri(eu_frequency(d.frequency())));
  if (!d.publisher.code.empty()) {
    const Node place = g.blank();
    g.add(ds, "dct:spatial", place);
    g.add(place, "a", g.iri("dct:Location"));
    g.add(place, "dct:identifier", Node::text(d.publisher.code));
  }
  if (d.temporal_start) {
    const Node period = g.blank();
    g.add(ds, "dct:temporal", period);
    g.add(period, "a", g.iri("dct:PeriodOfTime"));
    g.add(period, "dcat:startDate", Node::typed(format_iso8601(d.temporal_start), std::string(kDateTime)));
    g.add(period, "dcat:endDate", Node::typed(format_iso8601(d.temporal_end), std::string(kDateTime)));
  }
  if (d.created()) g.add(ds, "dct:issued", Node::typed(format_iso8601(d.created()), std::string(kDateTime)));
  if (d.modified()) g.add(ds, "dct:modified", Node::typed(format_iso8601(d.modified()), std::string(kDateTime)));
  g.add(ds, "dcat:landingPage", Node::iri(links.page(d)));
  for (const auto& s : d.sources)
    if (!s.url.empty()) g.add(ds, "dct:source", Node::iri(s.url));
  const License& l = license(d.meta.license);
  for (const auto& k : file_kinds()) {
    const Node dist = Node::iri(links.file(d, k.file));
    g.add(ds, "dcat:distribution", dist);
    g.add(dist, "a", g.iri("dcat:Distribution"));
    g.add(dist, "dct:title", Node::text(d.title() + "（" + k.title + "）", "ja"));
    g.add(dist, "dcat:accessURL", Node::iri(links.dataset(d)));
    g.add(dist, "dcat:downloadURL", Node::iri(links.file(d, k.file)));
    const std::string media = k.content_type.substr(0, k.content_type.find(';'));
    g.add(dist, "dcat:mediaType", Node::iri("https://www.iana.org/assignments/media-types/" + media));
    g.add(dist, "dct:format", Node::iri(eu_file_type(k.format)));
    if (!l.url.empty()) g.add(dist, "dct:license", Node::iri(l.url));
    if (d.modified()) g.add(dist, "dct:modified", Node::typed(format_iso8601(d.modified()), std::string(kDateTime)));
  }
}

}  // namespace

Graph dcat_graph(const std::vector<Dataset>& all, const CatalogPage& page, const Links& links) {
  Graph g(prefixes());
  const Node catalog = Node::iri(links.base + "/catalog");
  g.add(catalog, "a", g.iri("dcat:Catalog"));
  g.add(catalog, "dct:title", Node::text("Dejima データカタログ", "ja"));
  g.add(catalog, "dct:title", Node::text("Dejima data catalog", "en"));
  g.add(catalog, "dct:description",
        Node::text("都市OS Dejima が仲介するデータ（NGSI-LD のエンティティ型ごとのデータセット）", "ja"));
  g.add(catalog, "dct:description", Node::text("The data Dejima brokers, a dataset per NGSI-LD entity type", "en"));
  const Node platform = Node::iri(links.base + "/");
  g.add(catalog, "dct:publisher", platform);
  g.add(platform, "a", g.iri("foaf:Agent"));
  g.add(platform, "foaf:name", Node::text("Dejima"));
  g.add(catalog, "foaf:homepage", platform);
  const size_t from = std::min(all.size(), (page.page - 1) * page.size);
  const size_t to = std::min(all.size(), from + page.size);
  for (size_t i = from; i < to; ++i) add_dataset(g, catalog, all[i], links);
  const size_t last = std::max<size_t>(1, (all.size() + page.size - 1) / page.size);
  const Node view = Node::iri(page_url(links, page.page, page.size));
  g.add(catalog, "hydra:view", view);
  g.add(view, "a", g.iri("hydra:PartialCollectionView"));
  g.add(view, "hydra:first", Node::iri(page_url(links, 1, page.size)));
  g.add(view, "hydra:last", Node::iri(page_url(links, last, page.size)));
  if (page.page > 1)
    g.add(view, "hydra:previous", Node::iri(page_url(links, std::min(page.page - 1, last), page.size)));
  if (page.page < last) g.add(view, "hydra:next", Node::iri(page_url(links, page.page + 1, page.size)));
  g.add(view, "hydra:totalItems",
        Node::typed(std::to_string(all.size()), "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"));
  return g;
}

}  // namespace dejima::catalog

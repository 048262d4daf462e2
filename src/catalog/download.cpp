#include "catalog/download.h"

#include "catalog/table.h"

#include <algorithm>
#include <memory>

#include "connect/encoding.h"
#include "jsonld/context.h"
#include "model/render.h"

namespace dejima::catalog {
namespace {

const std::string kLocation = "https://uri.etsi.org/ngsi-ld/location";

void append_csv_line(std::string& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    if (cells[i].find_first_of(",\"\r\n") == std::string::npos)
      out += cells[i];
    else
      out += csv_field(cells[i]);
  }
  out += "\r\n";
}

}  // namespace

const std::vector<FileKind>& file_kinds() {
  static const std::vector<FileKind> all = {
      {FileFormat::Csv, "csv", "data.csv", "text/csv; charset=utf-8", "CSV", "CSV"},
      {FileFormat::GeoJson, "geojson", "data.geojson", "application/geo+json", "GeoJSON", "GeoJSON"},
      {FileFormat::NgsiLd, "jsonld", "data.jsonld", "application/ld+json", "JSON-LD", "JSON-LD"},
      {FileFormat::History, "history", "history.csv", "text/csv; charset=utf-8", "CSV", "履歴 CSV"},
  };
  return all;
}

const FileKind* file_kind(std::string_view file) {
  for (const auto& k : file_kinds())
    if (file == k.file) return &k;
  return nullptr;
}

std::function<std::string()> file_chunks(broker::Tenant& tenant, const Dataset& d, FileFormat format, bool cp932,
                                         std::vector<Column> columns) {
  struct State {
    std::unique_ptr<Pages> pages;
    std::vector<Column> columns;
    bool started = false, finished = false;
  };
  auto st = std::make_shared<State>();
  st->pages = std::make_unique<Pages>(tenant, d.type);
  st->columns = std::move(columns);
  return [st, format, cp932]() -> std::string {
    if (st->finished) return {};
    std::string out;
    if (!st->started) {
      st->started = true;
      if (format == FileFormat::Csv) {
        if (!cp932) out = "\xEF\xBB\xBF";
        std::vector<std::string> headers;
        for (const auto& c : st->columns) headers.push_back(c.header);
        append_csv_line(out, headers);
      } else if (format == FileFormat::GeoJson) {
        out = R"({"type":"FeatureCollection","features":[)";
      } else {
        out = "[";
      }
    }
    auto page = st->pages->next();
    const auto core = jsonld::Context::core();
    model::RenderOptions kv;
    kv.format = model::Format::KeyValues;
    model::RenderOptions ld;
    ld.with_context = true;
    bool first = out.ends_with('[');
    for (const auto& e : page) {
      if (format == FileFormat::Csv) {
        append_csv_line(out, row_of(*e, st->columns));
        continue;
      }
      if (!first) out += ',';
      first = false;
      if (format == FileFormat::GeoJson)
        out += json::written([&](json::Writer& w) { model::render_feature(w, *e, *core, kv, kLocation); });
      else  // each entity with the core @context, as an application/ld+json body has it
        out += model::render_entity(*e, *core, ld);
    }
    if (page.size() < Pages::kSize) {  // the last page
      st->finished = true;
      if (format == FileFormat::GeoJson) out += "]}";
      if (format == FileFormat::NgsiLd) out += "]";
    }
    if (format == FileFormat::Csv && cp932) out = connect::to_cp932(out);
    return out;
  };
}

}  // namespace dejima::catalog

// A dataset's data as a file, generated from the live entities: CSV in the 自治体標準オープン
// データセット column layout (standard attributes under their Japanese headers in the standard
// order, then the others under their own names; a Point location as 緯度/経度), UTF-8 with a BOM
// so that Excel opens it (or CP932 on request), GeoJSON (a FeatureCollection of keyValues
// properties) or NGSI-LD JSON (the normalized entities). Produced a page of entities at a time,
// read in id order after a cursor, as the pieces of a chunked response: memory stays flat
// however large the type.
#pragma once
#include <functional>
#include <string>

#include "broker/tenant.h"
#include "catalog/catalog.h"

namespace dejima::catalog {

enum class FileFormat { Csv, GeoJson, NgsiLd, History };

// A dataset's files: its data in three formats, and its history (history_file.h).
struct FileKind {
  FileFormat format;
  std::string key;           // its resource id's suffix: "csv", "geojson", "jsonld", "history"
  std::string file;          // "data.csv", "data.geojson", "data.jsonld", "history.csv"
  std::string content_type;  // with charset where it applies
  std::string label;         // CKAN's format name: "CSV", "GeoJSON", "JSON-LD"
  std::string title;         // after the dataset's title in a resource's name: "CSV", "履歴 CSV"
};
const std::vector<FileKind>& file_kinds();
// The kind a file name asks for ("data.csv" …), if any.
const FileKind* file_kind(std::string_view file);

// The pieces of the file (an empty piece ends it). `cp932`: the CSV in CP932 without a BOM.
std::function<std::string()> file_chunks(broker::Tenant& tenant, const Dataset& d, FileFormat format, bool cp932,
                                         std::vector<Column> columns);

}  // namespace dejima::catalog

#include "connect/format.h"

namespace dejima::connect {

const Format& csv_format();
const Format& geojson_format();
const Format& amedas_format();
const Format& jmaxml_format();
const Format& gtfs_format();

namespace {
const Format* const kFormats[] = {&csv_format(), &geojson_format(), &amedas_format(), &jmaxml_format(), &gtfs_format()};
}

const Format* find_format(std::string_view name) {
  for (const Format* f : kFormats)
    if (f->name() == name) return f;
  return nullptr;
}

std::string cut_row(std::string_view row) {
  constexpr size_t kMax = 1000;
  if (row.size() <= kMax) return std::string(row);
  size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(row[n]) & 0xC0) == 0x80) --n;  // a whole character
  return std::string(row.substr(0, n)) + "…";
}

std::string format_names() {
  std::string out;
  for (const Format* f : kFormats) out += (out.empty() ? "" : ", ") + std::string(f->name());
  return out;
}

}  // namespace dejima::connect

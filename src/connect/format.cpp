#include "connect/format.h"

#include <algorithm>

namespace dejima::connect {

const Format& csv_format();
const Format& geojson_format();
const Format& amedas_format();
const Format& jmaxml_format();
const Format& gtfs_format();
const Format& ckan_format();

namespace {
const Format* const kFormats[] = {&csv_format(),    &geojson_format(), &amedas_format(),
                                  &jmaxml_format(), &gtfs_format(),    &ckan_format()};
}

const Format* find_format(std::string_view name) {
  for (const Format* f : kFormats)
    if (f->name() == name) return f;
  return nullptr;
}

std::vector<std::string> param_list(const Options& o, const std::string& name, std::string_view fallback) {
  const auto it = o.params.find(name);
  const std::string_view text = it == o.params.end() ? fallback : std::string_view(it->second);
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

bool starts_with_any(std::string_view s, const std::vector<std::string>& prefixes) {
  if (prefixes.empty()) return true;
  for (const auto& p : prefixes)
    if (s.starts_with(p)) return true;
  return false;
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

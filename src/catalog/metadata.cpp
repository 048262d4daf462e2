#include "catalog/metadata.h"

#include <algorithm>

#include "catalog/licenses.h"

namespace dejima::catalog {
namespace {

Error bad(std::string detail) { return {ErrorKind::BadRequestData, "Invalid dataset metadata", std::move(detail)}; }

// A text member: a string of at most `max` bytes without control characters, or null ("").
Result<std::string> text(const json::Value& v, std::string_view name, size_t max) {
  if (v.IsNull()) return std::string();
  if (!v.IsString()) return std::unexpected(bad(std::string(name) + " must be a string or null"));
  const std::string_view s = json::view(v);
  if (s.size() > max)
    return std::unexpected(bad(std::string(name) + " is longer than " + std::to_string(max) + " bytes"));
  const bool multiline = name.starts_with("description");
  for (unsigned char c : s)
    if (c < 0x20 && !(multiline && (c == '\n' || c == '\t')))
      return std::unexpected(bad(std::string(name) + " holds a control character"));
  return std::string(s);
}

// A list of short words: at most 50 strings of 1-100 bytes, no commas or control characters.
Result<std::vector<std::string>> words(const json::Value& v, std::string_view name) {
  std::vector<std::string> out;
  if (v.IsNull()) return out;
  if (!v.IsArray() || v.Size() > 50)
    return std::unexpected(bad(std::string(name) + " must be an array of at most 50 strings"));
  for (const auto& item : v.GetArray()) {
    auto t = text(item, name, 100);
    if (!t || t->empty() || t->find(',') != std::string::npos || !item.IsString())
      return std::unexpected(
          bad(std::string(name) + ": each item is a non-empty string of at most 100 bytes without commas"));
    if (std::find(out.begin(), out.end(), *t) == out.end()) out.push_back(std::move(*t));
  }
  return out;
}

Status check_url(const std::string& url) {
  if (url.empty() || url.starts_with("https://") || url.starts_with("http://")) return {};
  return std::unexpected(bad("sourceUrl must be an http(s) URL"));
}

void write_list(json::Writer& w, std::string_view key, const std::vector<std::string>& items) {
  json::write_key(w, key);
  w.StartArray();
  for (const auto& i : items) json::write_string(w, i);
  w.EndArray();
}

}  // namespace

const std::vector<std::string>& frequencies() {
  static const std::vector<std::string> all = {"continuous", "hourly",    "daily",  "weekly",
                                               "monthly",    "quarterly", "annual", "irregular"};
  return all;
}

Status apply_metadata(const json::Value& body, Metadata& m) {
  if (!body.IsObject()) return std::unexpected(bad("the body must be a JSON object"));
  Metadata next = m;
  for (const auto& member : body.GetObject()) {
    const std::string_view key = json::view(member.name);
    const json::Value& v = member.value;
    std::string* field = key == "titleJa"         ? &next.title_ja
                         : key == "titleEn"       ? &next.title_en
                         : key == "descriptionJa" ? &next.description_ja
                         : key == "descriptionEn" ? &next.description_en
                         : key == "license"       ? &next.license
                         : key == "frequency"     ? &next.frequency
                         : key == "sourceUrl"     ? &next.source_url
                                                  : nullptr;
    if (field) {
      auto t = text(v, key, key.starts_with("description") ? 20000 : 1000);
      if (!t) return std::unexpected(t.error());
      *field = std::move(*t);
      continue;
    }
    if (key == "keywords" || key == "themes") {
      auto list = words(v, key);
      if (!list) return std::unexpected(list.error());
      (key == "keywords" ? next.keywords : next.themes) = std::move(*list);
      continue;
    }
    if (key == "createdAt" || key == "modifiedAt") continue;  // kept by Dejima
    return std::unexpected(bad("unknown member " + std::string(key) +
                               " (titleJa, titleEn, descriptionJa, descriptionEn, license, keywords, themes, "
                               "frequency, sourceUrl)"));
  }
  if (!next.license.empty() &&
      std::none_of(licenses().begin(), licenses().end(), [&](const License& l) { return l.id == next.license; })) {
    std::string ids;
    for (const auto& l : licenses()) ids += (ids.empty() ? "" : ", ") + l.id;
    return std::unexpected(bad("license " + next.license + " is not one of " + ids));
  }
  if (!next.frequency.empty() &&
      std::find(frequencies().begin(), frequencies().end(), next.frequency) == frequencies().end())
    return std::unexpected(
        bad("frequency " + next.frequency +
            " is not one of continuous, hourly, daily, weekly, monthly, quarterly, annual, irregular"));
  if (auto s = check_url(next.source_url); !s) return s;
  m = std::move(next);
  return {};
}

void write_metadata(json::Writer& w, const Metadata& m) {
  auto str = [&](std::string_view k, const std::string& v) {
    json::write_key(w, k);
    json::write_string(w, v);
  };
  str("titleJa", m.title_ja);
  str("titleEn", m.title_en);
  str("descriptionJa", m.description_ja);
  str("descriptionEn", m.description_en);
  str("license", m.license);
  write_list(w, "keywords", m.keywords);
  write_list(w, "themes", m.themes);
  str("frequency", m.frequency);
  str("sourceUrl", m.source_url);
  if (m.created_at) str("createdAt", format_iso8601(m.created_at));
  if (m.modified_at) str("modifiedAt", format_iso8601(m.modified_at));
}

Result<Metadata> stored_metadata(std::string_view body) {
  json::Document doc;
  if (auto err = json::parse_stored(doc, body); !err.empty()) return std::unexpected(bad("stored metadata: " + err));
  Metadata m;
  if (auto s = apply_metadata(doc, m); !s) return std::unexpected(s.error());
  auto time = [&](std::string_view k) -> Millis {
    const json::Value* v = json::member(doc, k);
    if (!v || !v->IsString()) return 0;
    return parse_iso8601(json::view(*v)).value_or(0);
  };
  m.created_at = time("createdAt");
  m.modified_at = time("modifiedAt");
  return m;
}

}  // namespace dejima::catalog

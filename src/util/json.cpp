#include "util/json.h"

#include <rapidjson/error/en.h>

namespace dejima::json {

namespace {

// Where the text's arrays and objects first nest deeper than kMaxDepth (strings skipped), or npos.
size_t too_deep(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string parse(Document& doc, std::string_view text) {
  if (const size_t at = too_deep(text); at != std::string_view::npos) {
    doc.SetNull();
    return "arrays and objects nested deeper than " + std::to_string(kMaxDepth) + " levels (at byte " +
           std::to_string(at) + ")";
  }
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError())
    return std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " (at byte " +
           std::to_string(doc.GetErrorOffset()) + ")";
  return {};
}

}  // namespace dejima::json

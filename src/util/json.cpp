#include "util/json.h"

#include <rapidjson/error/en.h>

namespace dejima::json {

std::string parse(Document& doc, std::string_view text) {
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError())
    return std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " (at byte " +
           std::to_string(doc.GetErrorOffset()) + ")";
  return {};
}

}  // namespace dejima::json

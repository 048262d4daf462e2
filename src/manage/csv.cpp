#include "manage/csv.h"

namespace dejima::manage {

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

Result<bool> wants_csv(const http::Request& req) {
  const std::string* format = req.param("format");
  if (format && *format != "json" && *format != "csv")
    return fail(ErrorKind::BadRequestData, "Invalid format", "format is json or csv");
  return format ? *format == "csv" : req.header("Accept").starts_with("text/csv");
}

http::Response csv_body(std::string rows) {
  http::Response r;
  r.content_type = "text/csv; charset=utf-8";
  r.body = "\xEF\xBB\xBF" + std::move(rows);
  return r;
}

}  // namespace dejima::manage

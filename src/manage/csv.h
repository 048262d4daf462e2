// CSV answers of the management API (usage, cost shares): UTF-8 with a BOM, so that Excel opens
// them as UTF-8, CRLF line ends, fields quoted where they must be.
#pragma once
#include <string>

#include "http/message.h"
#include "util/error.h"

namespace dejima::manage {

// A field, quoted when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view s);
// Whether the request asks for CSV (format=csv, or Accept: text/csv without format); an error
// for a format other than json and csv.
Result<bool> wants_csv(const http::Request& req);
// A 200 text/csv answer: the BOM, then `rows`.
http::Response csv_body(std::string rows);

}  // namespace dejima::manage

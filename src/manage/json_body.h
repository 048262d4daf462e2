// What every management resource does with a request body: application/json, parsed (415 and
// 400 otherwise), and the small answers it gives.
#pragma once
#include "http/message.h"
#include "util/error.h"
#include "util/json.h"

namespace dejima::manage {

Status parse_json_body(const http::Request& req, json::Document& doc, std::string_view what);
http::Response status_only(unsigned status);
// A 201 with Location and, when given, a JSON body.
http::Response created(std::string location, std::string body = {});

}  // namespace dejima::manage

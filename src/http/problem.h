// The one way an error leaves Dejima over HTTP: an RFC 7807 / NGSI-LD ProblemDetails body.
#pragma once
#include "http/message.h"
#include "util/error.h"
#include "util/json.h"

namespace dejima::http {

unsigned status_of(ErrorKind kind);
std::string_view type_uri_of(ErrorKind kind);
Response problem(const Error& e);
// The ProblemDetails object itself, for bodies that embed problems (batch results).
void write_problem(json::Writer& w, const Error& e);

}  // namespace dejima::http

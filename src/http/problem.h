// The one way an error leaves Dejima over HTTP: an RFC 7807 / NGSI-LD ProblemDetails body.
#pragma once
#include "http/message.h"
#include "util/error.h"
#include "util/json.h"

namespace dejima::http {

unsigned status_of(ErrorKind kind);
std::string_view type_uri_of(ErrorKind kind);
Response problem(const Error& e);
// The same error in FIWARE Orion's NGSIv2 form: {"error": <name>, "description": <detail, or the
// title when there is none>} with Orion's status for it (AlreadyExists 422, TooManyResults 409),
// HTML-escaped as Orion writes them. An Error titled with one of Orion's names (BadRequest,
// ParseError, PartialUpdate, NotFound, Unprocessable, ...) keeps that name.
Response orion_error(const Error& e);
// The ProblemDetails object itself, for bodies that embed problems (batch results).
void write_problem(json::Writer& w, const Error& e);

}  // namespace dejima::http

#include "http/problem.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace dejima::http {

unsigned status_of(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest: return 400;
    case ErrorKind::BadRequestData: return 400;
    case ErrorKind::AlreadyExists: return 409;
    case ErrorKind::OperationNotSupported: return 422;
    case ErrorKind::ResourceNotFound: return 404;
    case ErrorKind::InternalError: return 500;
    case ErrorKind::TooManyResults: return 403;
    case ErrorKind::LdContextNotAvailable: return 503;
    case ErrorKind::NonexistentTenant: return 404;
    case ErrorKind::NotAcceptable: return 406;
    case ErrorKind::UnsupportedMediaType: return 415;
    case ErrorKind::PayloadTooLarge: return 413;
    case ErrorKind::MethodNotAllowed: return 405;
    case ErrorKind::ServiceUnavailable: return 503;
    case ErrorKind::Unauthorized: return 401;
    case ErrorKind::Forbidden: return 403;
    case ErrorKind::TooManyRequests: return 429;
  }
  return 500;
}

std::string_view type_uri_of(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest: return "https://uri.etsi.org/ngsi-ld/errors/InvalidRequest";
    case ErrorKind::BadRequestData: return "https://uri.etsi.org/ngsi-ld/errors/BadRequestData";
    case ErrorKind::AlreadyExists: return "https://uri.etsi.org/ngsi-ld/errors/AlreadyExists";
    case ErrorKind::OperationNotSupported: return "https://uri.etsi.org/ngsi-ld/errors/OperationNotSupported";
    case ErrorKind::ResourceNotFound: return "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound";
    case ErrorKind::InternalError: return "https://uri.etsi.org/ngsi-ld/errors/InternalError";
    case ErrorKind::TooManyResults: return "https://uri.etsi.org/ngsi-ld/errors/TooManyResults";
    case ErrorKind::LdContextNotAvailable: return "https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable";
    case ErrorKind::NonexistentTenant: return "https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant";
    // HTTP-level conditions the NGSI-LD catalogue has no name for are reported as InvalidRequest
    // with the precise HTTP status.
    case ErrorKind::NotAcceptable:
    case ErrorKind::UnsupportedMediaType:
    case ErrorKind::PayloadTooLarge:
    case ErrorKind::MethodNotAllowed: return "https://uri.etsi.org/ngsi-ld/errors/InvalidRequest";
    case ErrorKind::ServiceUnavailable: return "https://uri.etsi.org/ngsi-ld/errors/InternalError";
    // Access control has no NGSI-LD error type: Dejima's own.
    case ErrorKind::Unauthorized: return "urn:dejima:errors:Unauthorized";
    case ErrorKind::Forbidden: return "urn:dejima:errors:Forbidden";
    case ErrorKind::TooManyRequests: return "urn:dejima:errors:TooManyRequests";
  }
  return "https://uri.etsi.org/ngsi-ld/errors/InternalError";
}

void write_problem(json::Writer& w, const Error& e) {
  const unsigned status = status_of(e.kind);
  w.StartObject();
  w.Key("type");
  auto type = type_uri_of(e.kind);
  w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
  w.Key("title");
  w.String(e.title);
  w.Key("status");
  w.Uint(status);
  if (!e.detail.empty()) {
    w.Key("detail");
    w.String(e.detail);
  }
  w.EndObject();
}

Response problem(const Error& e) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  write_problem(w, e);
  Response r;
  r.status = status_of(e.kind);
  r.content_type = "application/json";
  r.body.assign(sb.GetString(), sb.GetSize());
  return r;
}

}  // namespace dejima::http

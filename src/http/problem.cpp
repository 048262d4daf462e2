#include "http/problem.h"

#include <algorithm>

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
    case ErrorKind::LoopDetected: return 508;
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
    // NGSI-LD names no type for 508 either.
    case ErrorKind::LoopDetected: return "urn:dejima:errors:LoopDetected";
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

namespace {

// Orion's status and error name for each kind.
std::pair<unsigned, std::string_view> orion_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest:
    case ErrorKind::BadRequestData:
    case ErrorKind::LdContextNotAvailable: return {400, "BadRequest"};
    case ErrorKind::AlreadyExists:
    case ErrorKind::OperationNotSupported: return {422, "Unprocessable"};
    case ErrorKind::ResourceNotFound:
    case ErrorKind::NonexistentTenant: return {404, "NotFound"};
    case ErrorKind::TooManyResults: return {409, "TooManyResults"};
    case ErrorKind::NotAcceptable: return {406, "NotAcceptable"};
    case ErrorKind::UnsupportedMediaType: return {415, "UnsupportedMediaType"};
    case ErrorKind::PayloadTooLarge: return {413, "RequestEntityTooLarge"};
    case ErrorKind::MethodNotAllowed: return {405, "MethodNotAllowed"};
    case ErrorKind::Unauthorized: return {401, "Unauthorized"};
    case ErrorKind::Forbidden: return {403, "Forbidden"};
    case ErrorKind::TooManyRequests: return {429, "TooManyRequests"};
    case ErrorKind::LoopDetected: return {508, "LoopDetected"};
    case ErrorKind::ServiceUnavailable: return {503, "ServiceUnavailable"};
    case ErrorKind::InternalError: break;
  }
  return {500, "InternalServerError"};
}

// Orion's own error names: an Error whose title is one of them carries its description as detail.
bool orion_name(std::string_view title) {
  static constexpr std::string_view kNames[] = {"BadRequest",
                                                "ParseError",
                                                "PartialUpdate",
                                                "NoResourcesAvailable",
                                                "ContentLengthRequired",
                                                "MethodNotAllowed",
                                                "NotImplemented",
                                                "Unprocessable",
                                                "NotFound",
                                                "TooManyResults"};
  return std::find(std::begin(kNames), std::end(kNames), title) != std::end(kNames);
}

// Orion writes its error texts HTML-escaped.
std::string escaped(std::string_view s) {
  std::string out;
  for (char ch : s) switch (ch) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '=': out += "&#61;"; break;
      case ';': out += "&#59;"; break;
      case '(': out += "&#40;"; break;
      case ')': out += "&#41;"; break;
      default: out += ch;
    }
  return out;
}

}  // namespace

Response orion_error(const Error& e) {
  auto [status, name] = orion_status(e.kind);
  std::string_view description = e.detail.empty() ? e.title : e.detail;
  if (orion_name(e.title)) {
    name = e.title;
    description = e.detail;
    if (name == "NotImplemented") status = 501;
    if (name == "ContentLengthRequired") status = 411;
  }
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = json::written([&](json::Writer& w) {
    w.StartObject();
    w.Key("error");
    json::write_string(w, escaped(name));
    w.Key("description");
    json::write_string(w, escaped(description));
    w.EndObject();
  });
  return r;
}

}  // namespace dejima::http

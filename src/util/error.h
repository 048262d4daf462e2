// Expected failures travel as values (Result<T>); exceptions only at the edges.
#pragma once
#include <expected>
#include <string>

namespace dejima {

// The NGSI-LD error kinds (ETSI GS CIM 009 clause 5.5.2) plus the HTTP-level ones Dejima needs.
enum class ErrorKind {
  InvalidRequest,
  BadRequestData,
  AlreadyExists,
  OperationNotSupported,
  ResourceNotFound,
  InternalError,
  TooManyResults,
  LdContextNotAvailable,
  NonexistentTenant,
  NotAcceptable,
  UnsupportedMediaType,
  PayloadTooLarge,
  MethodNotAllowed,
  ServiceUnavailable,
};

struct Error {
  ErrorKind kind;
  std::string title;
  std::string detail;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string title, std::string detail = {}) {
  return std::unexpected(Error{kind, std::move(title), std::move(detail)});
}

}  // namespace dejima

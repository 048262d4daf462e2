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
  Unauthorized,     // no valid credentials (401)
  Forbidden,        // valid credentials without the right (403)
  TooManyRequests,  // a rate limit or quota (429)
  LoopDetected,     // a forwarded request came back to this server (508)
};

struct Error {
  ErrorKind kind;
  std::string title;
  std::string detail;
};

// A value or an Error. [[nodiscard]]: a dropped Result or Status is a compile error (the
// build passes -Werror=unused-result); to ignore a failure on purpose, say why in a comment and
// write `(void)`.
template <class T>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using std::expected<T, Error>::expected;
  Result(std::expected<T, Error>&& e) : std::expected<T, Error>(std::move(e)) {}
  Result(const std::expected<T, Error>& e) : std::expected<T, Error>(e) {}
};
using Status = Result<void>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string title, std::string detail = {}) {
  return std::unexpected(Error{kind, std::move(title), std::move(detail)});
}

}  // namespace dejima

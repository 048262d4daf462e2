// Regular expressions for idPattern and the q operators ~= / !~= (PCRE2, UTF-8). Patterns come
// from clients, so matching runs under PCRE2's match and depth limits: a pathological pattern
// fails to match instead of hanging or exhausting the stack.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "util/error.h"

namespace dejima {

class Regex {
 public:
  // A compiled pattern, or BadRequestData naming the error and its offset.
  static Result<std::shared_ptr<const Regex>> compile(std::string_view pattern);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  // True when the pattern matches somewhere in `subject` (use ^...$ to anchor).
  bool search(std::string_view subject) const;

 private:
  Regex() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dejima

#include "util/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace dejima {

struct Regex::Impl {
  pcre2_code* code = nullptr;
  pcre2_match_context* limits = nullptr;
  ~Impl() {
    pcre2_match_context_free(limits);
    pcre2_code_free(code);
  }
};

Regex::~Regex() = default;

Result<std::shared_ptr<const Regex>> Regex::compile(std::string_view pattern) {
  int err = 0;
  PCRE2_SIZE offset = 0;
  auto re = std::shared_ptr<Regex>(new Regex());
  re->impl_ = std::make_unique<Impl>();
  re->impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                  PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C, &err, &offset, nullptr);
  if (!re->impl_->code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    return fail(ErrorKind::BadRequestData, "Invalid regular expression",
                std::string(reinterpret_cast<const char*>(msg)) + " at offset " + std::to_string(offset));
  }
  re->impl_->limits = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(re->impl_->limits, 100000);
  pcre2_set_depth_limit(re->impl_->limits, 1000);
  return std::shared_ptr<const Regex>(std::move(re));
}

bool Regex::search(std::string_view subject) const {
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
  const int rc =
      pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0, md, impl_->limits);
  pcre2_match_data_free(md);
  return rc >= 0;
}

}  // namespace dejima

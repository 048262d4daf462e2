#include "jsonld/fetch.h"

#include "fetch/http_get.h"

namespace dejima::jsonld {

Result<std::string> fetch_document(const std::string& url, unsigned timeout_ms, std::size_t max_bytes) {
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return fail(ErrorKind::LdContextNotAvailable, "Unsupported @context URL",
                url + " (only http and https URLs can be fetched)");
  auto r = fetch::get({.url = url,
                       .headers = {{"Accept", "application/ld+json, application/json"}},
                       .timeout_ms = static_cast<long>(timeout_ms),
                       .max_bytes = max_bytes});
  if (!r && r.error().kind == ErrorKind::PayloadTooLarge)
    return fail(ErrorKind::LdContextNotAvailable, "@context document too large",
                url + " is larger than " + std::to_string(max_bytes) + " bytes");
  if (!r) return fail(ErrorKind::LdContextNotAvailable, "@context not available", r.error().detail);
  if (r->status < 200 || r->status >= 300)
    return fail(ErrorKind::LdContextNotAvailable, "@context not available",
                url + " answered HTTP " + std::to_string(r->status));
  return std::move(r->body);
}

}  // namespace dejima::jsonld

// Fetches a remote @context document over HTTP(S) (fetch/), every failure LdContextNotAvailable.
#pragma once
#include <string>

#include "util/error.h"

namespace dejima::jsonld {

Result<std::string> fetch_document(const std::string& url, unsigned timeout_ms, std::size_t max_bytes);

}  // namespace dejima::jsonld

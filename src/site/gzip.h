// gzip (RFC 1952) with zlib, for the web app's files and map layers, compressed once at start.
#pragma once
#include <string>
#include <string_view>

namespace dejima::site {

// The gzip stream of `data` at the best compression; empty when zlib fails.
std::string gzip(std::string_view data);
// Whether an Accept-Encoding header value admits gzip (and does not refuse it with q=0).
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace dejima::site

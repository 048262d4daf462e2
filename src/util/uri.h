// URI checks and percent-decoding for identifiers that arrive in paths and headers.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace dejima {

// RFC 3986 absolute URI: scheme ":" followed by at least one character, no whitespace or
// characters that are never allowed ("<>\"{}|\\^`). Enough to reject "not a URI" ids.
bool is_absolute_uri(std::string_view s);
// Percent-decodes a path segment or query value ('+' is kept: NGSI-LD ids may contain it).
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = false);
// Percent-encodes everything but the unreserved characters (RFC 3986) and those in `keep`.
std::string percent_encode(std::string_view s, std::string_view keep);
// A fresh identifier "urn:ngsi-ld:<kind>:<32 random hex digits>".
std::string random_urn(std::string_view kind);
// A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string random_uuid();

}  // namespace dejima

// HTTP content negotiation for NGSI-LD: Accept, Content-Type and the JSON-LD Link header.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace dejima::ngsild {

enum class MediaType { Json, JsonLd, GeoJson };

std::string_view media_type_name(MediaType m);

struct Offer {
  bool json = true, ld = true, geo = false;
};

// Picks the response type from an Accept header (missing = application/json).
Result<MediaType> negotiate(std::string_view accept, Offer offer);

// Classifies a request Content-Type. merge_patch accepts application/merge-patch+json too.
Result<MediaType> content_type(std::string_view header, bool merge_patch);

// The @context URL from a Link header with rel="http://www.w3.org/ns/json-ld#context".
// Empty string when the header is absent; an error when it is malformed.
Result<std::string> context_link(std::string_view header);

std::string link_header_value(std::string_view url);

}  // namespace dejima::ngsild

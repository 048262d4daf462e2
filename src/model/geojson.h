// GeoJSON geometry validation (RFC 7946) for GeoProperty values.
#pragma once
#include <string>

#include "util/json.h"

namespace dejima::model {

// True when the object's "type" names a GeoJSON geometry.
bool is_geometry_type(std::string_view type);
// Empty when `v` is a valid geometry in WGS84 (lon -180..180, lat -90..90); else the reason.
std::string validate_geometry(const json::Value& v);

}  // namespace dejima::model

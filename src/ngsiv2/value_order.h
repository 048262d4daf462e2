// The order Orion's database gives JSON values, which Orion's update operators ($min, $max) and
// orderBy follow: null < numbers < texts < objects < arrays < booleans, and within a kind by value
// (numbers numerically, texts by their bytes, arrays element by element).
#pragma once
#include "util/json.h"

namespace dejima::ngsiv2 {

// The place of the value's kind in that order (null 0, numbers 1, ... booleans 5).
int kind_rank(const json::Value& v);

// <0, 0 or >0 as a sorts before, with or after b.
int compare_values(const json::Value& a, const json::Value& b);

}  // namespace dejima::ngsiv2

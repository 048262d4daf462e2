// /v2/entities (POST), /v2/entities/{id}, its attrs, one attribute and its value.
#pragma once
#include "http/router.h"
#include "ngsiv2/request_context.h"

namespace dejima::ngsiv2 {

void add_entity_routes(http::Router& r, Services& s);

}  // namespace dejima::ngsiv2

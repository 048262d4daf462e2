// POST /v2/op/update: append, appendStrict, update, replace and delete of many entities.
#pragma once
#include "http/router.h"
#include "ngsiv2/request_context.h"

namespace dejima::ngsiv2 {

void add_batch_routes(http::Router& r, Services& s);

}  // namespace dejima::ngsiv2

// /v2/subscriptions: create, list, retrieve, update (PATCH) and delete Orion's subscriptions,
// kept by the shared subscription::Manager under NGSIv2's flavor (notification.h).
#pragma once
#include "http/router.h"
#include "ngsiv2/request_context.h"

namespace dejima::ngsiv2 {

void add_subscription_routes(http::Router& r, Services& s);

}  // namespace dejima::ngsiv2

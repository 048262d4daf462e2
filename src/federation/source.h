// Every request to a registered provider or context source, from either API, goes through
// ask_source: it is sent with fetch::exchange and its outcome counted in the registration's
// SourceState (NGSI-LD shows it as the registration's status members, NGSIv2 as its
// forwardingInformation), and a source that failed is not asked again within its cooldown.
#pragma once
#include "federation/registration.h"
#include "fetch/http_get.h"

namespace dejima::federation {

// Sends the request and counts the outcome (unreachable or a 5xx other than 508, a loop, is a
// failure). While the source cools down after a failure (`cooldown_ms` > 0) it is not asked:
// ServiceUnavailable at once.
Result<fetch::Response> ask_source(const Registration& r, const fetch::Exchange& ex, long cooldown_ms = 0);

}  // namespace dejima::federation

// The temporal parameters of a request (clause 5.7.3-5.7.4, 6.3.x): timerel, timeAt,
// endTimeAt, timeproperty, lastN (URL or a Query's temporalQ), options / format
// (temporalValues, aggregatedValues, sysAttrs), aggrMethods, aggrPeriodDuration, attrs.
#pragma once
#include <optional>

#include "ngsild/request_context.h"
#include "temporal/read.h"

namespace dejima::ngsild {

using TemporalRequest = temporal::Request;

// From the URL. A temporalQ object (POST .../query) is read instead of the URL's time members
// when given.
Result<TemporalRequest> temporal_request(const RequestContext& c, const json::Value* temporal_q = nullptr);

}  // namespace dejima::ngsild

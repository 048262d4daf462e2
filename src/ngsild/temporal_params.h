// The temporal parameters of a request (clause 5.7.3-5.7.4, 6.3.x): timerel, timeAt,
// endTimeAt, timeproperty, lastN (URL or a Query's temporalQ), options / format
// (temporalValues, aggregatedValues, sysAttrs), aggrMethods, aggrPeriodDuration, attrs.
#pragma once
#include <optional>

#include "ngsild/request_context.h"
#include "store/store.h"
#include "temporal/render.h"

namespace dejima::ngsild {

struct TemporalRequest {
  store::TimeWindow window;
  bool bounded_from = false, bounded_to = false;  // the window has a start / an end
  std::optional<size_t> last_n;
  temporal::RenderOptions render;
  temporal::Duration period;       // aggrPeriodDuration (zero: the whole window)
  std::vector<std::string> attrs;  // expanded; empty = every attribute
};

// From the URL. A temporalQ object (POST .../query) is read instead of the URL's time members
// when given.
Result<TemporalRequest> temporal_request(const RequestContext& c, const json::Value* temporal_q = nullptr);

}  // namespace dejima::ngsild

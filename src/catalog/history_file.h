// A dataset's history as a CSV file (history.csv): one row per recorded instance of the type's
// current entities in a time window (observedAt, else the time it was recorded), in entity id,
// attribute and time order — entityId, attribute (short name), datasetId, observedAt,
// recordedAt, value. Read an entity page at a time from the history store, as the pieces of a
// chunked response; UTF-8 with a BOM, or CP932.
#pragma once
#include <functional>
#include <string>

#include "broker/tenant.h"
#include "catalog/catalog.h"

namespace dejima::catalog {

// The window of a history.csv request: `from` and `to` (ISO 8601), the last 7 days by default.
Result<store::TimeWindow> history_window(const http::Request& req, Millis now);

std::function<std::string()> history_chunks(broker::Tenant& tenant, const Dataset& d, store::TimeWindow window,
                                            bool cp932);

}  // namespace dejima::catalog

// Reading histories for the temporal API (clause 5.7.3-5.7.4): one entity's attributes as a
// request asks (instances oldest or newest first, or aggregated periods), or every entity whose
// newest instances match a query, each attribute cut at a per-response maximum with the part
// every attribute covers reported for Content-Range.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "query/filter.h"
#include "store/store.h"
#include "temporal/duration.h"
#include "temporal/render.h"

namespace dejima::temporal {

// What a temporal request asks, parsed by the API (ngsild/temporal_params.*).
struct Request {
  store::TimeWindow window;
  bool bounded_from = false, bounded_to = false;  // the window has a start / an end
  std::optional<size_t> last_n;
  RenderOptions render;
  Duration period;                 // aggrPeriodDuration (zero: the whole window)
  std::vector<std::string> attrs;  // expanded; empty = every attribute
};

// Which part of the history a response covers when an attribute had more instances than one
// response holds (Content-Range, 206).
struct Coverage {
  bool truncated = false;
  Millis start = INT64_MAX, end = INT64_MIN;
};

// The histories one response holds: entities[i] with attrs[i].
struct Histories {
  std::vector<store::HistoryEntity> entities;
  std::vector<std::vector<AttributeHistory>> attrs;
  Coverage cover;
  size_t total = 0;  // matching entities (counted to the end when the page asks for a count)
};

// One entity's history; ResourceNotFound when it has none. At most max_instances per attribute.
Result<Histories> read_entity(store::HistoryReader& h, const std::string& id, const Request& t, size_t max_instances);

// The page of entities whose history matches `f`, evaluated on the newest instance of each
// attribute (a deleted attribute does not match), in the order the store lists histories.
Result<Histories> read_matching(store::HistoryReader& h, const query::Filter& f, const query::Page& page,
                                const Request& t, size_t max_instances);

}  // namespace dejima::temporal

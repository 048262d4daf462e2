// Temporal representations of an entity (clauses 4.5.8, 4.5.9, 4.5.19): normalized (every
// instance with its instanceId), simplified (temporalValues: [value, time] pairs) and
// aggregated ([result, period start, period end] per method).
#pragma once
#include <string>
#include <vector>

#include "jsonld/context.h"
#include "store/store.h"
#include "temporal/aggregate.h"

namespace dejima::temporal {

enum class Representation { Normalized, TemporalValues, Aggregated };

// One attribute's history as read for a response.
struct AttributeHistory {
  std::string name;                              // expanded
  std::vector<store::InstanceRecord> instances;  // Normalized, TemporalValues
  std::string type = "Property";                 // Aggregated: the attribute type
  std::vector<Period> periods;                   // Aggregated
};

struct RenderOptions {
  Representation representation = Representation::Normalized;
  bool sys_attrs = false;
  bool with_context = false;
  store::TimeWindow::Property time_property = store::TimeWindow::Property::Observed;
  std::vector<Method> methods;  // Aggregated
};

// The time of a value pair, an aggregation period or a Content-Range bound: whole seconds
// without a fraction ("2020-08-01T13:05:00Z", as sources usually write observedAt), else with
// milliseconds.
std::string value_time(Millis t);

// "urn:ngsi-ld:Instance:<n>" and back (0 when the text is not one of ours).
std::string instance_id(long long n);
long long instance_number(std::string_view id);

void render_temporal_entity(json::Writer& w, const store::HistoryEntity& e, const std::vector<AttributeHistory>& attrs,
                            const jsonld::Context& ctx, const RenderOptions& o);

}  // namespace dejima::temporal

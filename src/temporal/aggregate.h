// Aggregated temporal representation (clause 4.5.19): the instances of one attribute cut into
// periods of aggrPeriodDuration, each period summarised by the requested methods.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"
#include "temporal/duration.h"
#include "util/json.h"

namespace dejima::temporal {

enum class Method { TotalCount, DistinctCount, Sum, Avg, Min, Max, Stddev, Sumsq };
std::optional<Method> parse_method(std::string_view name);
std::string_view method_name(Method m);

struct Period {
  Millis start = 0, end = 0;
  store::ValueSummary values;
  std::set<std::string> distinct;  // value texts (only for distinctCount)
};

// Fed instances in time order; keeps one Period per non-empty period. Periods start at `origin`
// (the window's start, or the first instance) and are `step` long; a zero step is one period
// up to `end` (or the last instance).
class Aggregator {
 public:
  Aggregator(std::optional<Millis> origin, std::optional<Millis> end, Duration step, bool distinct);
  void add(Millis t, std::string_view value, const double* number);
  // Adds the summary of instances all at or after t that fall in t's period (an hour of
  // history_hour, when periods are whole hours from a whole hour).
  void add(Millis t, const store::ValueSummary& s);
  // Closes the last period; the periods in time order.
  std::vector<Period> finish();

 private:
  std::optional<Millis> origin_, end_;
  Duration step_;
  bool distinct_;
  Period& period_of(Millis t);
  Millis last_t_ = 0;
  std::vector<Period> periods_;
};

// The periods of one attribute's instances in the window (from/to bounded when the request gave
// them), built from what `need` asks for (Numbers: periods with numeric instances only). Numeric
// whole-hour periods from a whole hour read the hour summaries, and instances only for a partial
// last hour; anything else (totalCount, distinctCount, calendar or sub-hour periods, createdAt or
// modifiedAt windows) reads the instances.
Result<std::vector<Period>> aggregate(store::HistoryReader& h, const std::string& id, const std::string& attr,
                                      const store::TimeWindow& w, bool bounded_from, bool bounded_to, Duration step,
                                      store::HistoryReader::ScanNeed need);

// What reading `methods` needs of the instances.
store::HistoryReader::ScanNeed scan_need(const std::vector<Method>& methods);

// The value of one method over one period: a number, or null when no instance had a number.
void write_result(json::Writer& w, Method m, const Period& p);

}  // namespace dejima::temporal

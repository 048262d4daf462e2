// ISO 8601 durations (P1Y2M3W4DT5H6M7.5S), as used by aggrPeriodDuration and the retention
// settings. Years and months are calendar steps (UTC); weeks, days and below are fixed.
#pragma once
#include <optional>
#include <string_view>

#include "util/time.h"

namespace dejima::temporal {

struct Duration {
  int months = 0;     // years x 12 + months
  Millis millis = 0;  // weeks, days, hours, minutes, seconds
  bool zero() const { return months == 0 && millis == 0; }
};

// nullopt when the text is not an ISO 8601 duration.
std::optional<Duration> parse_duration(std::string_view text);
// t + d (a calendar month from Jan 31 is the last day of February).
Millis add(Millis t, const Duration& d);

}  // namespace dejima::temporal

#include "temporal/duration.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>

namespace dejima::temporal {

std::optional<Duration> parse_duration(std::string_view s) {
  if (s.size() < 3 || s[0] != 'P') return std::nullopt;
  Duration d;
  bool in_time = false, any = false;
  char last_unit = 0;  // units must come in order
  constexpr std::string_view kDateUnits = "YMWD", kTimeUnits = "HMS";
  size_t i = 1;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      last_unit = 0;
      ++i;
      if (i == s.size()) return std::nullopt;  // "PT" alone
      continue;
    }
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == ',')) ++j;
    if (j == i || j == s.size()) return std::nullopt;
    std::string number(s.substr(i, j - i));
    for (auto& c : number)
      if (c == ',') c = '.';
    const char unit = s[j];
    const std::string_view units = in_time ? kTimeUnits : kDateUnits;
    const size_t pos = units.find(unit);
    if (pos == std::string_view::npos || (last_unit && pos <= units.find(last_unit))) return std::nullopt;
    last_unit = unit;
    char* end = nullptr;
    const double v = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size() || !std::isfinite(v) || v > 1e9) return std::nullopt;
    const bool whole = v == std::floor(v);
    if (!in_time) {
      if (unit == 'Y' || unit == 'M') {
        if (!whole) return std::nullopt;  // fractional calendar units are not steps
        d.months += static_cast<int>(v) * (unit == 'Y' ? 12 : 1);
      } else {
        d.millis += static_cast<Millis>(std::llround(v * (unit == 'W' ? 7 : 1) * 86'400'000.0));
      }
    } else {
      const double ms = unit == 'H' ? 3'600'000.0 : unit == 'M' ? 60'000.0 : 1000.0;
      d.millis += static_cast<Millis>(std::llround(v * ms));
    }
    any = true;
    i = j + 1;
  }
  if (!any) return std::nullopt;
  return d;
}

Millis add(Millis t, const Duration& d) {
  if (d.months != 0) {
    using namespace std::chrono;
    const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(t)));
    const Millis within_day = t - duration_cast<milliseconds>(day.time_since_epoch()).count();
    year_month_day ymd(day);
    year_month_day next = ymd + months(d.months);
    if (!next.ok()) next = year_month_day_last(next.year(), month_day_last(next.month()));
    t = duration_cast<milliseconds>(sys_days(next).time_since_epoch()).count() + within_day;
  }
  return t + d.millis;
}

}  // namespace dejima::temporal

// When a scheduled connector runs: every ISO 8601 duration ("PT10M", "P1D") or at the minutes a
// cron expression names ("0 6 * * *", "*/10 * * * 1-5", "@daily": minute, hour, day of month,
// month, day of week; lists, ranges, steps and jan–dec/sun–sat names; when both days are
// restricted either may match, as in cron). Cron times are in the process's time zone, which
// `dejima serve` sets from --time-zone (default Asia/Tokyo).
#pragma once
#include <bitset>
#include <string>
#include <string_view>

#include "util/error.h"
#include "util/time.h"

namespace dejima::connect {

class Schedule {
 public:
  Schedule() = default;  // none: runs only when asked
  // An ISO 8601 duration of at least one second without months or years, or a cron expression;
  // the error is a message that says which forms are accepted.
  static std::expected<Schedule, std::string> parse(std::string_view text);

  bool empty() const { return text_.empty(); }
  const std::string& text() const { return text_; }
  // The run after one that was due at `after` (an interval: `after` + the duration; cron: the
  // first matching minute later than `after`). 0 when cron never matches again.
  Millis next(Millis after) const;
  // How soon a failed run is tried again: `retry`, or the interval when that is shorter.
  Millis retry(Millis retry) const { return every_ > 0 && every_ < retry ? every_ : retry; }

 private:
  std::string text_;
  Millis every_ = 0;  // an interval; 0 for cron
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;                      // 1–31
  std::bitset<13> months_;                    // 1–12
  std::bitset<7> weekdays_;                   // 0 = Sunday
  bool any_day_ = true, any_weekday_ = true;  // the field was `*` (cron's day rule)
};

}  // namespace dejima::connect

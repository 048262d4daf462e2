#include "connect/schedule.h"

#include <charconv>
#include <ctime>
#include <vector>

#include "temporal/duration.h"

namespace dejima::connect {
namespace {

constexpr const char* kForms =
    "an ISO 8601 duration of at least one second without months or years (PT10M, PT1H, P1D) or a cron "
    "expression: minute hour day-of-month month day-of-week (\"0 6 * * *\", \"*/10 * * * *\", \"@daily\")";

constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kWeekdays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct Field {
  const char* name;
  int lo, hi;
  const char* const* names;  // 3-letter names for lo, lo+1, ... (months, weekdays) or nullptr
  int names_count;
};

std::vector<std::string_view> split(std::string_view s, char sep, bool skip_empty) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = std::min(s.find(sep, start), s.size());
    if (end > start || !skip_empty) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::optional<int> value(std::string_view s, const Field& f) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && end == s.data() + s.size()) return v;
  for (int i = 0; i < f.names_count; ++i) {
    std::string lower(s);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == f.names[i]) return f.lo + i;
  }
  return std::nullopt;
}

// One cron field ("*", "5", "1-5", "*/15", "10-50/20", "mon,wed") into the set of its values;
// `star` says whether it began with "*". The error names the field.
std::expected<std::vector<int>, std::string> field(std::string_view text, const Field& f, bool& star) {
  std::vector<int> out;
  star = text.starts_with("*");
  for (std::string_view item : split(text, ',', false)) {
    const auto bad = [&] { return std::unexpected(std::string(f.name) + " '" + std::string(item) + "' is not valid"); };
    int step = 1;
    if (const size_t slash = item.find('/'); slash != std::string_view::npos) {
      auto s = value(item.substr(slash + 1), {f.name, 1, 1000, nullptr, 0});
      if (!s || *s < 1) return bad();
      step = *s;
      item = item.substr(0, slash);
    }
    int lo = f.lo, hi = f.hi;
    if (item != "*") {
      const size_t dash = item.find('-');
      auto a = value(item.substr(0, dash), f);
      auto b = dash == std::string_view::npos ? a : value(item.substr(dash + 1), f);
      if (!a || !b) return bad();
      lo = *a;
      hi = dash == std::string_view::npos && step > 1 ? f.hi : *b;  // "5/15" runs from 5 to the end
    }
    if (lo < f.lo || hi > f.hi || lo > hi) return bad();
    for (int v = lo; v <= hi; v += step) out.push_back(v);
  }
  return out;
}

std::string_view macro(std::string_view text) {
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@hourly") return "0 * * * *";
  return text;
}

}  // namespace

std::expected<Schedule, std::string> Schedule::parse(std::string_view text) {
  Schedule s;
  s.text_ = std::string(text);
  if (text.starts_with("P")) {
    auto dur = temporal::parse_duration(text);
    if (!dur || dur->months != 0 || dur->millis < 1000)
      return std::unexpected("schedule '" + s.text_ + "' must be " + kForms);
    s.every_ = dur->millis;
    return s;
  }
  const auto parts = split(macro(text), ' ', true);
  if (parts.size() != 5) return std::unexpected("schedule '" + s.text_ + "' must be " + kForms);
  const Field fields[] = {{"minute", 0, 59, nullptr, 0},
                          {"hour", 0, 23, nullptr, 0},
                          {"day of month", 1, 31, nullptr, 0},
                          {"month", 1, 12, kMonths, 12},
                          {"day of week", 0, 7, kWeekdays, 7}};
  bool star[5] = {};
  for (int i = 0; i < 5; ++i) {
    auto values = field(parts[i], fields[i], star[i]);
    if (!values) return std::unexpected("schedule '" + s.text_ + "': " + values.error());
    for (int v : *values) {
      if (i == 0) s.minutes_.set(v);
      if (i == 1) s.hours_.set(v);
      if (i == 2) s.days_.set(v);
      if (i == 3) s.months_.set(v);
      if (i == 4) s.weekdays_.set(v % 7);  // 7 is Sunday too
    }
  }
  s.any_day_ = star[2];
  s.any_weekday_ = star[4];
  if (s.next(now_millis()) == 0) return std::unexpected("schedule '" + s.text_ + "' names no day that exists");
  return s;
}

Millis Schedule::next(Millis after) const {
  if (every_ > 0) return after + every_;
  if (text_.empty()) return 0;
  std::time_t t = static_cast<std::time_t>(after / 1000 / 60 * 60 + 60);  // the next whole minute
  std::tm tm{};
  localtime_r(&t, &tm);
  // Moves to the start of the next month, day, hour or minute until every field matches; eight
  // years of steps find any date that exists (29 February included).
  for (int steps = 0; steps < 8 * (12 + 366 + 24 + 60); ++steps) {
    const bool day_ok = any_day_ && any_weekday_ ? true
                        : any_day_               ? weekdays_.test(tm.tm_wday)
                        : any_weekday_           ? days_.test(tm.tm_mday)
                                                 : days_.test(tm.tm_mday) || weekdays_.test(tm.tm_wday);
    if (!months_.test(tm.tm_mon + 1))
      ++tm.tm_mon, tm.tm_mday = 1, tm.tm_hour = 0, tm.tm_min = 0;
    else if (!day_ok)
      ++tm.tm_mday, tm.tm_hour = 0, tm.tm_min = 0;
    else if (!hours_.test(tm.tm_hour))
      ++tm.tm_hour, tm.tm_min = 0;
    else if (!minutes_.test(tm.tm_min))
      ++tm.tm_min;
    else
      return static_cast<Millis>(t) * 1000;
    tm.tm_isdst = -1;
    t = std::mktime(&tm);  // normalises tm (and its weekday)
  }
  return 0;
}

}  // namespace dejima::connect

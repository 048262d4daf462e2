#include "temporal/aggregate.h"

#include <algorithm>
#include <cmath>

namespace dejima::temporal {

namespace {
constexpr std::pair<Method, std::string_view> kMethods[] = {
    {Method::TotalCount, "totalCount"},
    {Method::DistinctCount, "distinctCount"},
    {Method::Sum, "sum"},
    {Method::Avg, "avg"},
    {Method::Min, "min"},
    {Method::Max, "max"},
    {Method::Stddev, "stddev"},
    {Method::Sumsq, "sumsq"},
};
}  // namespace

std::optional<Method> parse_method(std::string_view name) {
  for (const auto& [m, n] : kMethods)
    if (n == name) return m;
  return std::nullopt;
}

std::string_view method_name(Method m) {
  for (const auto& [k, n] : kMethods)
    if (k == m) return n;
  return "";
}

Aggregator::Aggregator(std::optional<Millis> origin, std::optional<Millis> end, Duration step, bool distinct)
    : origin_(origin), end_(end), step_(step), distinct_(distinct) {}

Period& Aggregator::period_of(Millis t) {
  last_t_ = t;
  if (periods_.empty() || (!step_.zero() && t >= periods_.back().end)) {
    Period p;
    p.start = periods_.empty() ? origin_.value_or(t) : periods_.back().end;
    if (step_.zero()) {
      p.end = end_.value_or(INT64_MAX);
    } else {
      p.end = temporal::add(p.start, step_);
      // Skip empty periods: fixed steps jump straight to t's period; calendar steps walk.
      if (step_.months == 0 && t >= p.end) {
        const Millis skip = (t - p.start) / step_.millis;
        p.start += skip * step_.millis;
        p.end = p.start + step_.millis;
      }
      while (t >= p.end) {
        p.start = p.end;
        p.end = temporal::add(p.start, step_);
      }
    }
    periods_.push_back(std::move(p));
  }
  return periods_.back();
}

void Aggregator::add(Millis t, std::string_view value, const double* number) {
  Period& p = period_of(t);
  ++p.values.count;
  if (distinct_) p.distinct.emplace(value);
  if (number) p.values.add_number(*number);
}

void Aggregator::add(Millis t, const store::ValueSummary& s) { period_of(t).values.merge(s); }

std::vector<Period> Aggregator::finish() {
  // An open-ended single period ends at the last instance.
  if (!periods_.empty() && periods_.back().end == INT64_MAX) periods_.back().end = last_t_;
  return std::move(periods_);
}

Result<std::vector<Period>> aggregate(store::HistoryReader& h, const std::string& id, const std::string& attr,
                                      const store::TimeWindow& w, bool bounded_from, bool bounded_to, Duration step,
                                      store::HistoryReader::ScanNeed need) {
  using Need = store::HistoryReader::ScanNeed;
  Aggregator agg(bounded_from ? std::optional(w.from) : std::nullopt, bounded_to ? std::optional(w.to) : std::nullopt,
                 step, need == Need::Values);
  auto add_instances = [&](const store::TimeWindow& part) {
    return h.history_scan(id, attr, part, need,
                          [&](Millis at, std::string_view v, const double* n) { agg.add(at, v, n); });
  };
  // The hour summaries hold numeric instances only.
  const bool whole_hours = need == Need::Numbers && w.property == store::TimeWindow::Property::Observed &&
                           step.months == 0 && step.millis > 0 && step.millis % kHourMillis == 0;
  std::optional<Millis> origin;
  if (whole_hours && bounded_from) {
    origin = w.from;
  } else if (whole_hours) {  // periods start at the first instance
    auto first = h.history_instances(id, attr, w, 1, false);
    if (!first) return std::unexpected(first.error());
    if (first->empty()) return agg.finish();
    if (!first->front().deleted_at) origin = first->front().time();
  }
  if (!origin || hour_of(*origin) != *origin) {
    if (auto s = add_instances(w); !s) return std::unexpected(s.error());
    return agg.finish();
  }
  const Millis last_hour = hour_of(w.to);
  if (auto s =
          h.history_hours(id, attr, *origin, last_hour, [&](Millis t, const store::ValueSummary& v) { agg.add(t, v); });
      !s)
    return std::unexpected(s.error());
  store::TimeWindow rest = w;
  rest.from = last_hour;
  if (rest.from < rest.to)
    if (auto s = add_instances(rest); !s) return std::unexpected(s.error());
  return agg.finish();
}

store::HistoryReader::ScanNeed scan_need(const std::vector<Method>& methods) {
  using Need = store::HistoryReader::ScanNeed;
  auto asks = [&](Method m) { return std::find(methods.begin(), methods.end(), m) != methods.end(); };
  return asks(Method::DistinctCount) ? Need::Values : asks(Method::TotalCount) ? Need::Instances : Need::Numbers;
}

void write_result(json::Writer& w, Method m, const Period& period) {
  const store::ValueSummary& p = period.values;
  switch (m) {
    case Method::TotalCount: w.Int64(p.count); return;
    case Method::DistinctCount: w.Uint64(period.distinct.size()); return;
    default: break;
  }
  if (p.numbers == 0) {
    w.Null();
    return;
  }
  const double n = static_cast<double>(p.numbers);
  switch (m) {
    case Method::Sum: w.Double(p.sum); return;
    case Method::Avg: w.Double(p.sum / n); return;
    case Method::Min: w.Double(p.min); return;
    case Method::Max: w.Double(p.max); return;
    case Method::Sumsq: w.Double(p.sumsq); return;
    case Method::Stddev: {  // sample standard deviation (n - 1), 0 for one instance
      const double var = p.numbers > 1 ? std::max(0.0, (p.sumsq - p.sum * p.sum / n) / (n - 1)) : 0.0;
      w.Double(std::sqrt(var));
      return;
    }
    default: w.Null();
  }
}

}  // namespace dejima::temporal

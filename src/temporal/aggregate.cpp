#include "temporal/aggregate.h"

#include <algorithm>
#include <cmath>

namespace dejima::temporal {

namespace {
constexpr std::pair<Method, std::string_view> kMethods[] = {
    {Method::TotalCount, "totalCount"}, {Method::DistinctCount, "distinctCount"}, {Method::Sum, "sum"},
    {Method::Avg, "avg"},               {Method::Min, "min"},                     {Method::Max, "max"},
    {Method::Stddev, "stddev"},         {Method::Sumsq, "sumsq"},
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

void Aggregator::add(Millis t, std::string_view value, const double* number) {
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
  Period& p = periods_.back();
  ++p.count;
  if (distinct_) p.distinct.emplace(value);
  if (number) {
    const double x = *number;
    if (p.numbers == 0) p.min = p.max = x;
    p.min = std::min(p.min, x);
    p.max = std::max(p.max, x);
    p.sum += x;
    p.sumsq += x * x;
    ++p.numbers;
  }
}

std::vector<Period> Aggregator::finish() {
  // An open-ended single period ends at the last instance.
  if (!periods_.empty() && periods_.back().end == INT64_MAX) periods_.back().end = last_t_;
  return std::move(periods_);
}

void write_result(json::Writer& w, Method m, const Period& p) {
  switch (m) {
    case Method::TotalCount: w.Uint64(p.count); return;
    case Method::DistinctCount: w.Uint64(p.distinct.size()); return;
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

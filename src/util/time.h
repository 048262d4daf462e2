// Wall-clock time as milliseconds since the Unix epoch, and ISO 8601 conversion.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dejima {

using Millis = std::int64_t;

constexpr Millis kHourMillis = 3600000;
// The start of the UTC hour that holds t (also before 1970).
constexpr Millis hour_of(Millis t) { return t - ((t % kHourMillis) + kHourMillis) % kHourMillis; }

Millis now_millis();
// "2026-11-24T03:43:00.123Z" (always UTC, always milliseconds).
std::string format_iso8601(Millis t);
// Accepts YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm|±hhmm). Returns nullopt when invalid.
std::optional<Millis> parse_iso8601(std::string_view s);

}  // namespace dejima

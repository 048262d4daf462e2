// Wall-clock time as milliseconds since the Unix epoch, and ISO 8601 conversion.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dejima {

using Millis = std::int64_t;

Millis now_millis();
// "2026-11-24T03:43:00.123Z" (always UTC, always milliseconds).
std::string format_iso8601(Millis t);
// Accepts YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm|±hhmm). Returns nullopt when invalid.
std::optional<Millis> parse_iso8601(std::string_view s);

}  // namespace dejima

#include "federation/source.h"

#include <string>

namespace dejima::federation {

Result<fetch::Response> ask_source(const Registration& r, const fetch::Exchange& ex, long cooldown_ms) {
  SourceState& st = *r.state;
  {
    std::lock_guard lock(st.mu);
    const Millis now = now_millis();
    if (cooldown_ms > 0 && st.last_failure > st.last_success && now - st.last_failure < cooldown_ms)
      return fail(ErrorKind::ServiceUnavailable, "Cooling down",
                  "the source failed " + std::to_string(now - st.last_failure) + " ms ago (cooldown " +
                      std::to_string(cooldown_ms) + " ms)");
    ++st.times_sent;
    st.last_forwarding = now;
  }
  auto res = fetch::exchange(ex);
  const bool failed = !res || (res->status >= 500 && res->status != 508);  // 508: a loop, not a failure
  std::lock_guard lock(st.mu);
  (failed ? st.last_failure : st.last_success) = now_millis();
  if (failed) ++st.times_failed;
  return res;
}

}  // namespace dejima::federation

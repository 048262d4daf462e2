// federation::ask_source: every request to a source is counted in the registration's
// SourceState (shared by every version of it), and a source that failed is not asked again
// while it cools down.
#include <gtest/gtest.h>

#include "federation/source.h"

using namespace dejima;

namespace {

TEST(AskSource, CountsFailuresAndCoolsDown) {
  federation::Registration r;
  fetch::Exchange ex;
  ex.method = "GET";
  ex.url = "http://127.0.0.1:9/ngsi-ld/v1/entities";  // nothing listens on the discard port
  ex.timeout_ms = 2000;
  EXPECT_FALSE(federation::ask_source(r, ex));
  EXPECT_EQ(r.state->times_sent, 1u);
  EXPECT_EQ(r.state->times_failed, 1u);
  EXPECT_GT(r.state->last_failure, 0);
  EXPECT_EQ(r.state->last_success, 0);
  // Within the cooldown the source is not asked: not sent, not counted.
  auto cooling = federation::ask_source(r, ex, 60'000);
  ASSERT_FALSE(cooling);
  EXPECT_EQ(cooling.error().title, "Cooling down");
  EXPECT_EQ(r.state->times_sent, 1u);
  // Without one it is asked again.
  EXPECT_FALSE(federation::ask_source(r, ex, 0));
  EXPECT_EQ(r.state->times_sent, 2u);
  EXPECT_EQ(r.state->times_failed, 2u);
  // A new version of the registration that keeps the state (an update) keeps the counts.
  federation::Registration next;
  next.state = r.state;
  EXPECT_EQ(next.state->times_sent, 2u);
}

}  // namespace

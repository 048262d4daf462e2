// Failed logins counted per address and per name, with the clock given by the test.
#include <gtest/gtest.h>

#include "access/login_throttle.h"

using namespace dejima;

TEST(LoginThrottle, FiveFailuresHoldBackTheAddressAndTheNameForTheRestOfTheWindow) {
  access::LoginThrottle t;
  const Millis t0 = 1'000'000;
  for (int i = 0; i < 4; ++i) t.failed("10.0.0.1", "aki", t0 + i * 1000);
  EXPECT_EQ(t.wait("10.0.0.1", "aki", t0 + 4000), 0u) << "four are allowed";
  t.failed("10.0.0.1", "aki", t0 + 4000);
  EXPECT_EQ(t.wait("10.0.0.1", "aki", t0 + 5000), 15u * 60u - 5u);
  EXPECT_GT(t.wait("10.0.0.2", "aki", t0 + 5000), 0u) << "the name, from anywhere";
  EXPECT_GT(t.wait("10.0.0.1", "eri", t0 + 5000), 0u) << "the address, for any name";
  EXPECT_EQ(t.wait("10.0.0.2", "eri", t0 + 5000), 0u);
  EXPECT_EQ(t.wait("10.0.0.1", "aki", t0 + access::LoginThrottle::kWindowMs), 0u) << "the window has passed";
  for (int i = 0; i < 3; ++i) t.failed("10.0.0.3", "eri", t0);
  t.succeeded("eri");
  for (int i = 0; i < 3; ++i) t.failed("10.0.0.4", "eri", t0);
  EXPECT_EQ(t.wait("10.0.0.5", "eri", t0), 0u) << "a success starts the name's count again";
}

// The settings table: flags, switches and DEJIMA_* environment variables.
#include <gtest/gtest.h>

#include "app/settings.h"

using namespace dejima;

TEST(Settings, SwitchesFlagsAndEnvironment) {
  char env0[] = "DEJIMA_PORT=2000";
  char env1[] = "DEJIMA_DEMO=1";
  char* envp[] = {env0, env1, nullptr};
  auto s = load_settings({"--demo-data", "/d", "--port", "3000"}, envp);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->demo);
  EXPECT_EQ(s->port, 3000u);  // flags win
  EXPECT_EQ(s->demo_data, "/d");

  auto sw = load_settings({"--demo", "--port", "1"}, nullptr);  // a switch before another flag
  ASSERT_TRUE(sw);
  EXPECT_TRUE(sw->demo);
  EXPECT_EQ(sw->port, 1u);
  EXPECT_TRUE(load_settings({"--demo"}, nullptr)->demo);
  EXPECT_FALSE(load_settings({"--demo=false"}, nullptr)->demo);
  EXPECT_FALSE(load_settings({"--demo", "maybe"}, nullptr));
  EXPECT_FALSE(load_settings({"--port"}, nullptr));
  EXPECT_FALSE(load_settings({"--nope", "1"}, nullptr));
  EXPECT_FALSE(load_settings({"--port", "70000"}, nullptr));
}

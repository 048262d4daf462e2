// The MQTT publisher's refusals never show a password (they end up in a subscription's
// lastFailureReason, which its readers see).
#include "notify/mqtt.h"

#include <gtest/gtest.h>

namespace dejima::notify {
namespace {

TEST(Mqtt, AnInvalidEndpointIsNamedWithoutItsPassword) {
  Mqtt m;
  for (const char* uri : {"mqtt://city:secret@127.0.0.1:99999/t", "mqtt://city:secret@127.0.0.1:1883/"}) {
    const std::string reason = m.publish(uri, "{}", 0, false);
    EXPECT_NE(reason.find("invalid MQTT endpoint mqtt://127.0.0.1"), std::string::npos) << reason;
    EXPECT_EQ(reason.find("secret"), std::string::npos) << reason;
  }
  const std::string reason = m.publish("mqtt://127.0.0.1:1883/", "{}", 0, false, "city", "secret");
  EXPECT_EQ(reason.find("secret"), std::string::npos) << reason;
}

}  // namespace
}  // namespace dejima::notify

// Where a request to a registered provider goes: Orion's rule for the registered URL's path.
#include "ngsiv2/forwarding.h"

#include <gtest/gtest.h>

namespace dejima::ngsiv2 {
namespace {

TEST(V2Forwarding, ProviderUrlAsOrionBuildsIt) {
  // No path: Orion's minimum path "/" then the operation — the path IoT agents serve.
  EXPECT_EQ(provider_url("http://agent:4041", "/op/query"), "http://agent:4041//op/query");
  EXPECT_EQ(provider_url("http://agent:4041/", "/op/update"), "http://agent:4041//op/update");
  EXPECT_EQ(provider_url("http://cp:1026/v2", "/op/query"), "http://cp:1026/v2/op/query");
  EXPECT_EQ(provider_url("http://cp:1026/v2/", "/op/query"), "http://cp:1026/v2/op/query");
  EXPECT_EQ(provider_url("https://cp/a//b/v2", "/op/update"), "https://cp/a/b/v2/op/update");
  EXPECT_EQ(provider_url("http://cp/v2", "/op/query?limit=20"), "http://cp/v2/op/query?limit=20");
}

}  // namespace
}  // namespace dejima::ngsiv2

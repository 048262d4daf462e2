// NGSIv2's Simple Query Language into the NGSI-LD q text that query/ evaluates.
#include "ngsiv2/simple_query.h"

#include <gtest/gtest.h>

namespace dejima::ngsiv2 {
namespace {

std::string q(std::string_view text, bool metadata = false) {
  SimpleQuery out;
  auto st = translate_query(text, metadata, out);
  return st ? out.q : "error: " + st.error().detail;
}

TEST(SimpleQuery, WordsBecomeQuotedStringsAndNumbersStay) {
  EXPECT_EQ(q("temperature>40;name==Bob"), R"(temperature>40;name=="Bob")");
  EXPECT_EQ(q("name=='Bob Smith'"), R"(name=="Bob Smith")");
  EXPECT_EQ(q("code=='10'"), R"(code=="10")");  // quotes force a string
  EXPECT_EQ(q("on==true"), "on==true");
  EXPECT_EQ(q("at>2026-12-01T00:00:00Z"), "at>2026-12-01T00:00:00Z");
}

TEST(SimpleQuery, RangesListsAndPatterns) {
  EXPECT_EQ(q("speed==30..100"), "speed==30..100");
  EXPECT_EQ(q("brand!=Toyota,Honda"), R"(brand!="Toyota","Honda")");
  EXPECT_EQ(q("brand~=^Ma"), R"(brand~="^Ma")");
  EXPECT_EQ(q("a==\"x\\y\""), R"(a=="x\\y")");
  EXPECT_EQ(q("colour:brown,red"), R"(colour=="brown","red")");  // ':' is '=='
  EXPECT_EQ(q("at:2026-12-01T10:00:00Z"), "at==2026-12-01T10:00:00Z");
  EXPECT_EQ(q("a.m.f:3.14", true), "a.m[f]==3.14");
}

TEST(SimpleQuery, PathsGoIntoTheValueAndMetadataPathsToSubAttributes) {
  EXPECT_EQ(q("spec.doors<3"), "spec[doors]<3");
  EXPECT_EQ(q("a.b.c==1"), "a[b][c]==1");
  EXPECT_EQ(q("t.'b.c'.d>=20"), "t[b.c][d]>=20");  // a quoted name may hold dots
  EXPECT_EQ(q("speed.accuracy>0.5", true), "speed.accuracy>0.5");
  EXPECT_EQ(q("a.m.x==1", true), "a.m[x]==1");
}

TEST(SimpleQuery, ExistenceAndAbsence) {
  SimpleQuery out;
  ASSERT_TRUE(translate_query("speed;!spec;!spec.doors", false, out));
  EXPECT_EQ(out.q, "speed");
  EXPECT_EQ(out.absent, (std::vector<std::string>{"spec", "spec[doors]"}));
  SimpleQuery md;
  ASSERT_TRUE(translate_query("!A1.M1.i", true, md));
  EXPECT_EQ(md.absent, std::vector<std::string>{"A1.M1[i]"});
}

TEST(SimpleQuery, Refusals) {
  EXPECT_TRUE(q("a>1,2").starts_with("error"));        // a list needs == or !=
  EXPECT_TRUE(q("a;;b").starts_with("error"));         // empty statement
  EXPECT_TRUE(q("a==").starts_with("error"));          // empty value
  EXPECT_TRUE(q("speed", true).starts_with("error"));  // mq needs attribute.metadata
  EXPECT_TRUE(q("..x==1").starts_with("error"));       // empty name in the path
}

}  // namespace
}  // namespace dejima::ngsiv2

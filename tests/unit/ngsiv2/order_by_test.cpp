// Orion's orderBy tokens and the database order of values it sorts by.
#include "ngsiv2/order_by.h"

#include <gtest/gtest.h>

#include "ngsiv2/value_order.h"

namespace dejima::ngsiv2 {
namespace {

int order(std::string_view a, std::string_view b) {
  json::Document x, y;
  EXPECT_EQ(json::parse(x, a), "");
  EXPECT_EQ(json::parse(y, b), "");
  const int c = compare_values(x, y);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

TEST(ValueOrder, KindsThenValues) {
  EXPECT_EQ(order("null", "-5"), -1);
  EXPECT_EQ(order("-5", "\"a\""), -1);
  EXPECT_EQ(order("\"z\"", "{}"), -1);
  EXPECT_EQ(order("{}", "[]"), -1);
  EXPECT_EQ(order("[]", "false"), -1);
  EXPECT_EQ(order("false", "true"), -1);
  EXPECT_EQ(order("2", "10"), -1) << "numbers by value";
  EXPECT_EQ(order("2.5", "2.5"), 0);
  EXPECT_EQ(order("\"B\"", "\"a\""), -1) << "texts by bytes";
  EXPECT_EQ(order("[1, 9]", "[2]"), -1);
  EXPECT_EQ(order("[1]", "[1, 0]"), -1);
  EXPECT_EQ(order(R"({"c": [9]})", R"({"c": [10]})"), -1) << "objects member by member";
  EXPECT_EQ(order(R"({"a": 9})", R"({"b": 1})"), -1);
}

TEST(OrderBy, TokensAndDirections) {
  auto o = parse_order_by("name,!age, dateCreated");
  ASSERT_TRUE(o);
  ASSERT_EQ(o->size(), 3u);
  EXPECT_EQ((*o)[0].name, "name");
  EXPECT_FALSE((*o)[0].descending);
  EXPECT_EQ((*o)[1].name, "age");
  EXPECT_TRUE((*o)[1].descending);
  EXPECT_EQ((*o)[2].name, "dateCreated");
  for (auto text : {"age,age", "!age,!age", "age,!age", "name,!age,name"}) {
    auto bad = parse_order_by(text);
    ASSERT_FALSE(bad) << text;
    EXPECT_EQ(bad.error().detail, "duplicate orderBy token detected");
  }
}

}  // namespace
}  // namespace dejima::ngsiv2

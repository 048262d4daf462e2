// Orion's update operators: each against a stored value and against Orion's reference for a
// created attribute, and the database refusals Orion answers with a 500.
#include "ngsiv2/update_operators.h"

#include <gtest/gtest.h>

#include "ngsiv2/attribute.h"
#include "ngsiv2/entity.h"

namespace dejima::ngsiv2 {
namespace {

model::AttrInstance stored(std::string_view attribute) {
  json::Document d;
  EXPECT_EQ(json::parse(d, attribute), "");
  auto a = parse_attribute("A", d, false);
  EXPECT_TRUE(a);
  return a ? *a : model::AttrInstance{};
}

// The attribute `op` (a request's attribute) makes against `current` ("": the entity lacks it):
// {"type", "value"} as GET shows it, "none" when nothing is created, or the error text.
std::string applied(std::string_view op, std::string_view current, OpMode mode = OpMode::Update) {
  std::optional<model::AttrInstance> cur;
  if (!current.empty()) cur = stored(current);
  auto r = resolve_operator({"A", std::string(op)}, cur ? &*cur : nullptr, mode);
  if (!r) return r.error().detail;
  if (!*r) return "none";
  return json::written([&](json::Writer& w) { write_attribute(w, **r, {}); });
}

std::string value_of(std::string_view op, std::string_view current, OpMode mode = OpMode::Update) {
  std::string out = applied(op, current, mode);
  const auto at = out.find(R"("value":)");
  if (at == std::string::npos) return out;
  return out.substr(at + 8, out.rfind(R"(,"metadata")") - at - 8);
}

bool op(std::string_view value) {
  json::Document d;
  EXPECT_EQ(json::parse(d, value), "");
  return is_operator(d);
}

TEST(UpdateOperators, AnOperatorIsAnObjectWhoseFirstMemberIsOne) {
  EXPECT_TRUE(op(R"({"$inc": 1})"));
  EXPECT_TRUE(op(R"({"$set": {"a": 1}, "x": 2})"));
  EXPECT_FALSE(op(R"({"x": 1, "$inc": 1})"));
  EXPECT_FALSE(op(R"({"$incr": 1})"));
  EXPECT_FALSE(op(R"({})"));
  EXPECT_FALSE(op(R"([{"$inc": 1}])"));
  EXPECT_FALSE(op(R"("$inc")"));
}

TEST(UpdateOperators, ArithmeticOnTheStoredValue) {
  EXPECT_EQ(value_of(R"({"value": {"$inc": 2}})", R"({"value": 1})"), "3");
  EXPECT_EQ(value_of(R"({"value": {"$inc": -1.5}})", R"({"value": 1})"), "-0.5");
  EXPECT_EQ(value_of(R"({"value": {"$inc": 0.2}})", R"({"value": 0.1})"), "0.3");
  EXPECT_EQ(value_of(R"({"value": {"$mul": 3}})", R"({"value": 5})"), "15");
  EXPECT_EQ(value_of(R"({"value": {"$min": 2}})", R"({"value": 5})"), "2");
  EXPECT_EQ(value_of(R"({"value": {"$min": 9}})", R"({"value": 5})"), "5");
  EXPECT_EQ(value_of(R"({"value": {"$max": 10}})", R"({"value": 5})"), "10");
  EXPECT_EQ(value_of(R"({"value": {"$max": "a"}})", R"({"value": 5})"), R"("a")");  // texts rank above numbers
  // A missing attribute: $inc x is x, $mul 0.
  EXPECT_EQ(value_of(R"({"value": {"$inc": 3}})", ""), "3");
  EXPECT_EQ(value_of(R"({"value": {"$mul": 3}})", ""), "0");
}

TEST(UpdateOperators, TheTypeIsTheRequestsElseTheStoredOne) {
  EXPECT_EQ(applied(R"({"value": {"$inc": 1}})", R"({"type": "Counter", "value": 1})"),
            R"({"type":"Counter","value":2,"metadata":{}})");
  EXPECT_EQ(applied(R"({"type": "Number", "value": {"$inc": 1}})", R"({"type": "Counter", "value": 1})"),
            R"({"type":"Number","value":2,"metadata":{}})");
  EXPECT_EQ(applied(R"({"value": {"$inc": 1}, "metadata": {"m": {"value": 1}}})", ""),
            R"({"type":"StructuredValue","value":1,"metadata":{"m":{"type":"Number","value":1}}})");
}

TEST(UpdateOperators, ArraysPushAddToSetPull) {
  EXPECT_EQ(value_of(R"({"value": {"$push": {"y": 2}}})", R"({"value": [1]})"), R"([1,{"y":2}])");
  EXPECT_EQ(value_of(R"({"value": {"$push": ["z"]}})", R"({"value": []})"), R"([["z"]])");
  EXPECT_EQ(value_of(R"({"value": {"$push": {"$each": [7, 8], "$position": 1}}})", R"({"value": [1, 2]})"),
            "[1,7,8,2]");
  EXPECT_EQ(value_of(R"({"value": {"$push": {"$each": [7], "$position": -1}}})", R"({"value": [1, 2]})"), "[1,7,2]");
  EXPECT_EQ(value_of(R"({"value": {"$push": {"$each": [3, 0], "$sort": 1, "$slice": -2}}})", R"({"value": [2, 1]})"),
            "[2,3]");
  EXPECT_EQ(value_of(R"({"value": {"$addToSet": 1}})", R"({"value": [1, 2]})"), "[1,2]");
  EXPECT_EQ(value_of(R"({"value": {"$addToSet": {"$each": [2, 3, 3]}}})", R"({"value": [1, 2]})"), "[1,2,3]");
  EXPECT_EQ(value_of(R"({"value": {"$pull": "foo"}})", R"({"value": ["foo", 1, "foo"]})"), "[1]");
  EXPECT_EQ(value_of(R"({"value": {"$pull": {"y": 2}}})", R"({"value": [{"y": 2, "z": 1}, {"y": 3}]})"),
            R"([{"y":3}])");
  EXPECT_EQ(value_of(R"({"value": {"$pull": {"$gte": 2}}})", R"({"value": [1, 2, 3, "x"]})"), R"([1,"x"])");
  EXPECT_EQ(value_of(R"({"value": {"$pullAll": [1, {"a": 1}]}})", R"({"value": [1, 2, {"a": 1}]})"), "[2]");
  EXPECT_EQ(value_of(R"({"value": {"$push": 1}})", ""), "[1]");
  EXPECT_EQ(value_of(R"({"value": {"$pull": 1}})", ""), "null");  // an attribute without a value
}

TEST(UpdateOperators, SetAndUnsetSubKeys) {
  EXPECT_EQ(value_of(R"({"value": {"$set": {"Y": 20, "Z": 30}}})", R"({"value": {"X": 1, "Y": 2}})"),
            R"({"X":1,"Y":20,"Z":30})");
  EXPECT_EQ(value_of(R"({"value": {"$set": {"1.0.0": true}}})", R"({"value": {}})"), R"({"1.0.0":true})");
  EXPECT_EQ(value_of(R"({"value": {"$set": 5}})", R"({"value": {"X": 1}})"), "5");  // a plain replacement
  EXPECT_EQ(value_of(R"({"value": {"$unset": {"X": 1, "Q": 1}}})", R"({"value": {"X": 1, "Y": 2}})"), R"({"Y":2})");
  EXPECT_EQ(value_of(R"({"value": {"$unset": "X"}})", R"({"value": {"X": 1}})"), R"({"X":1})");  // ignored
  EXPECT_EQ(value_of(R"({"value": {"$set": {"Y": 1}, "$unset": {"X": 1}}})", R"({"value": {"X": 1}})"), R"({"Y":1})");
  EXPECT_EQ(value_of(R"({"value": {"$set": {"Y": 1}}})", ""), R"({"Y":1})");
}

TEST(UpdateOperators, CreationUsesOrionsReference) {
  const auto create = OpMode::Create;
  EXPECT_EQ(value_of(R"({"value": {"$inc": 1}})", "", create), "1");
  EXPECT_EQ(value_of(R"({"value": {"$inc": "x"}})", "", create), "0");
  EXPECT_EQ(value_of(R"({"value": {"$mul": 3}})", "", create), "0");
  EXPECT_EQ(value_of(R"({"value": {"$min": 2}})", "", create), "0");
  EXPECT_EQ(value_of(R"({"value": {"$min": -2}})", "", create), "-2");
  EXPECT_EQ(value_of(R"({"value": {"$max": 10}})", "", create), "10");
  EXPECT_EQ(value_of(R"({"value": {"$push": {"y": 2}}})", "", create), R"([{"y":2}])");
  EXPECT_EQ(value_of(R"({"value": {"$set": {"Y": 1}}})", "", create), R"({"Y":1})");
  EXPECT_EQ(value_of(R"({"value": {"$set": 1}})", "", create), "null");
  EXPECT_EQ(applied(R"({"value": {"$pull": 1}})", "", create), "none");
  EXPECT_EQ(applied(R"({"value": {"$pullAll": [1]}})", "", create), "none");
  EXPECT_EQ(applied(R"({"value": {"$unset": {"X": 1}}})", "", create), "none");
  // A replace ignores the stored value.
  EXPECT_EQ(value_of(R"({"value": {"$inc": 1}})", R"({"value": 5})", create), "1");
}

TEST(UpdateOperators, DatesCompareAsTimes) {
  const std::string t = R"({"type": "DateTime", "value": "2024-04-15T10:59:59.000Z"})";
  EXPECT_EQ(value_of(R"({"type": "DateTime", "value": {"$min": "2023-01-01T00:00:00+09:00"}})", t),
            R"("2022-12-31T15:00:00.000Z")");
  EXPECT_EQ(value_of(R"({"type": "DateTime", "value": {"$max": "2023-01-01"}})", t), R"("2024-04-15T10:59:59.000Z")");
  EXPECT_EQ(value_of(R"({"type": "DateTime", "value": {"$min": "2025-01-01"}})", "", OpMode::Create),
            R"("1970-01-01T00:00:00.000Z")");
  EXPECT_EQ(value_of(R"({"type": "DateTime", "value": {"$max": "2025-01-01"}})", "", OpMode::Create),
            R"("2025-01-01T00:00:00.000Z")");
  // Parsing refuses any other object as a DateTime's value.
  json::Document d;
  ASSERT_EQ(json::parse(d, R"({"type": "DateTime", "value": {"$max": "2025x"}})"), "");
  auto a = parse_attribute("T", d, false);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().detail, "date has invalid format in attribute value");
  ASSERT_EQ(json::parse(d, R"({"type": "DateTime", "value": {"$max": "2025-01-01", "foo": 1}})"), "");
  EXPECT_FALSE(parse_attribute("T", d, false));
}

TEST(UpdateOperators, WhatTheDatabaseRefusesIsA500) {
  const std::string prefix = "Database Error (collection: orion.entities - update(): attrs.A.value - exception: ";
  EXPECT_EQ(value_of(R"({"value": {"$inc": "foo"}})", R"({"value": 1})"),
            prefix + R"(Cannot increment with non-numeric argument: {attrs.A.value: "foo"}))");
  EXPECT_EQ(
      value_of(R"({"value": {"$inc": 1}})", R"({"value": "x"})"),
      prefix + "Cannot apply $inc to a value of non-numeric type. The field 'value' has non-numeric type string)");
  EXPECT_EQ(value_of(R"({"value": {"$set": {"Y": 20}}})", R"({"value": "foo"})"),
            prefix + R"(Cannot create field 'Y' in element {value: "foo"}))");
  EXPECT_EQ(value_of(R"({"value": {"$set": {"W": 1}, "$unset": {"W": 1}}})", R"({"value": {}})"),
            prefix + "Updating the path 'attrs.A.value.W' would create a conflict at 'attrs.A.value.W')");
  EXPECT_EQ(value_of(R"({"value": {"$push": 1}})", R"({"value": {"a": [1]}})"),
            prefix + "The field 'value' must be an array but is of type object in document {value: {a: [1]}})");
  EXPECT_EQ(value_of(R"({"value": {"$pullAll": 1}})", R"({"value": [1]})"),
            prefix + "$pullAll requires an array argument but was given a int)");
  EXPECT_EQ(value_of(R"({"value": {"$mul": 1e308}})", R"({"value": 1e308})"),
            prefix + "The result of $mul is out of range)");
  auto r = resolve_operator({"A", R"({"value": {"$inc": "x"}})"}, nullptr, OpMode::Update);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::InternalError);
}

TEST(UpdateOperators, ResolvingAnEntityReplacesOrDropsItsOperatedAttributes) {
  json::Document body;
  ASSERT_EQ(json::parse(body, R"({"id": "E", "A": {"value": {"$inc": 2}}, "B": {"value": {"$unset": {"x": 1}}},
                                  "C": {"value": 1}})"),
            "");
  AttrOps ops;
  auto p = parse_entity(body, BodyKind::Entity, false, "/", &ops);
  ASSERT_TRUE(p);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(operated_names("E", ops).front().second, expanded_name("A"));
  ASSERT_TRUE(resolve_operators(*p, ops, nullptr, OpMode::Create));
  ASSERT_EQ(p->attrs.size(), 2u);  // B is not created
  EXPECT_EQ(p->attrs[0].name, expanded_name("A"));
  EXPECT_EQ(json::written([&](json::Writer& w) { write_value(w, p->attrs[0]); }), "2");
  EXPECT_EQ(p->attrs[1].name, expanded_name("C"));
}

}  // namespace
}  // namespace dejima::ngsiv2

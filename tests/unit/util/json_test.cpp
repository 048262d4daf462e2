// json::parse for untrusted text: UTF-8 checked (raw bytes and what escapes decode to), nesting
// bounded; parse_stored, for what Dejima wrote itself, skips the UTF-8 check and reads numbers exactly; valid_utf8.
#include <gtest/gtest.h>

#include "util/json.h"

using namespace dejima;

namespace {

TEST(Json, UntrustedTextMustBeUtf8) {
  json::Document d;
  EXPECT_EQ(json::parse(d, R"({"name":"出島","emoji":"\uD83C\uDFEF"})"), "");
  EXPECT_EQ(std::string(d["emoji"].GetString()), "\xF0\x9F\x8F\xAF");
  EXPECT_NE(json::parse(d, "{\"name\":\"\xFF\"}"), "") << "a raw byte that is not UTF-8";
  EXPECT_NE(json::parse(d, "{\"name\":\"\xE5\x87\"}"), "") << "a truncated sequence";
  const std::string lone = json::parse(d, R"({"name":"\uDC00"})");
  EXPECT_NE(lone, "") << "a lone low surrogate escape decodes to bytes that are not UTF-8";
  EXPECT_NE(lone.find("Invalid encoding"), std::string::npos) << lone;
  EXPECT_NE(json::parse(d, R"({"\uDFFF":1})"), "") << "in a key too";
  EXPECT_NE(json::parse(d, R"({"name":"\uD800"})"), "") << "a lone high surrogate";
}

TEST(Json, StoredTextIsNotCheckedAgain) {
  json::Document d;
  EXPECT_EQ(json::parse_stored(d, "{\"name\":\"\xFF\"}"), "");
  EXPECT_NE(json::parse_stored(d, std::string(600, '[') + std::string(600, ']')), "") << "depth is still bounded";
}

TEST(Json, NumbersReadBackToTheDoubleTheyWereWrittenFrom) {
  // RapidJSON's default reading may be an ulp off for long mantissas, so a value written, read
  // and written again changed (found by fuzz_access on a service's rateLimit.perSecond).
  json::Document d;
  ASSERT_EQ(json::parse(d, R"({"v":13011.7777770000032870033246991717225})"), "");
  const double first = d["v"].GetDouble();
  rapidjson::StringBuffer out;
  json::Writer w(out);
  w.Double(first);
  ASSERT_EQ(json::parse_stored(d, std::string(R"({"v":)") + out.GetString() + "}"), "");
  EXPECT_EQ(d["v"].GetDouble(), first) << out.GetString();
  ASSERT_EQ(json::parse_stored(d, R"({"v":0e-300,"w":-1e-400,"i":-42,"u":18446744073709551615,"big":1e20})"), "");
  EXPECT_EQ(d["v"].GetDouble(), 0.0);
  EXPECT_EQ(d["w"].GetDouble(), 0.0) << "below the smallest double";
  EXPECT_TRUE(d["i"].IsInt());
  EXPECT_EQ(d["u"].GetUint64(), UINT64_MAX);
  EXPECT_TRUE(d["big"].IsDouble());
  ASSERT_EQ(json::parse(d, "[100000000000000000000]"), "");
  EXPECT_EQ(d[0].GetDouble(), 1e20) << "an integer beyond 64 bits is a double";
  EXPECT_NE(json::parse(d, "[9e308]").find("Number too big"), std::string::npos) << "not infinity";
  EXPECT_NE(json::parse(d, "[1e400]").find("Number too big"), std::string::npos);
}

TEST(Json, ValidUtf8) {
  EXPECT_TRUE(json::valid_utf8(""));
  EXPECT_TRUE(json::valid_utf8("urn:ngsi-ld:Shelter:長崎"));
  EXPECT_FALSE(json::valid_utf8("\xC3\x28"));
  EXPECT_FALSE(json::valid_utf8("\xED\xA0\x80")) << "an encoded surrogate";
  EXPECT_FALSE(json::valid_utf8("\xC0\xAF")) << "an overlong form";
  EXPECT_FALSE(json::valid_utf8("\xE5\x87")) << "truncated at the end";
}

}  // namespace

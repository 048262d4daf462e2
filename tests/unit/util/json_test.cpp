// json::parse for untrusted text: UTF-8 checked (raw bytes and what escapes decode to), nesting
// bounded; parse_stored skips the UTF-8 check for what Dejima wrote itself; valid_utf8.
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

TEST(Json, ValidUtf8) {
  EXPECT_TRUE(json::valid_utf8(""));
  EXPECT_TRUE(json::valid_utf8("urn:ngsi-ld:Shelter:長崎"));
  EXPECT_FALSE(json::valid_utf8("\xC3\x28"));
  EXPECT_FALSE(json::valid_utf8("\xED\xA0\x80")) << "an encoded surrogate";
  EXPECT_FALSE(json::valid_utf8("\xC0\xAF")) << "an overlong form";
  EXPECT_FALSE(json::valid_utf8("\xE5\x87")) << "truncated at the end";
}

}  // namespace

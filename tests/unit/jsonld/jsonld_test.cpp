#include <gtest/gtest.h>

#include "jsonld/context.h"

using namespace dejima::jsonld;

namespace {
std::shared_ptr<const Context> build(std::initializer_list<std::pair<const char*, const char*>> defs,
                                     const char* vocab = nullptr) {
  Context::Builder b;
  for (auto [t, iri] : defs) b.define(t, iri, false);
  if (vocab) b.set_vocab(vocab);
  Context::add_core_definitions(b);
  return std::move(b).build("https://example.jp/ctx.jsonld", "");
}
}  // namespace

TEST(JsonLd, CoreContextExpandsUnknownTermsIntoTheDefaultVocab) {
  auto core = Context::core();
  EXPECT_EQ(core->expand("temperature"), "https://uri.etsi.org/ngsi-ld/default-context/temperature");
  EXPECT_EQ(core->compact("https://uri.etsi.org/ngsi-ld/default-context/temperature"), "temperature");
  EXPECT_EQ(core->expand("location"), "https://uri.etsi.org/ngsi-ld/location");
  EXPECT_EQ(core->compact("https://uri.etsi.org/ngsi-ld/location"), "location");
  EXPECT_TRUE(core->is_core());
}

TEST(JsonLd, AbsoluteIrisStayAsTheyAre) {
  auto core = Context::core();
  EXPECT_EQ(core->expand("https://schema.org/name"), "https://schema.org/name");
  EXPECT_EQ(core->compact("https://schema.org/name"), "https://schema.org/name");
}

TEST(JsonLd, CompactIrisResolveThroughPrefixes) {
  auto ctx = build({{"schema", "https://schema.org/"}, {"name", "schema:name"}});
  EXPECT_EQ(ctx->expand("name"), "https://schema.org/name");
  EXPECT_EQ(ctx->expand("schema:address"), "https://schema.org/address");
  EXPECT_EQ(ctx->compact("https://schema.org/name"), "name");
  EXPECT_EQ(ctx->compact("https://schema.org/address"), "schema:address");
  EXPECT_FALSE(ctx->is_core());
  EXPECT_EQ(ctx->link_url(), "https://example.jp/ctx.jsonld");
}

TEST(JsonLd, TermsMayReferToOtherTermsInAnyOrder) {
  auto ctx = build({{"alias", "base:x"}, {"base", "https://example.jp/"}});
  EXPECT_EQ(ctx->expand("alias"), "https://example.jp/x");
}

TEST(JsonLd, DefinitionCyclesDoNotLoop) {
  auto ctx = build({{"a", "b"}, {"b", "a"}});
  EXPECT_FALSE(ctx->expand("a").empty());
}

TEST(JsonLd, CoreTermsCannotBeRedefined) {
  auto ctx = build({{"location", "https://example.jp/where"}});
  EXPECT_EQ(ctx->expand("location"), "https://uri.etsi.org/ngsi-ld/location");
}

TEST(JsonLd, UserVocabApplies) {
  auto ctx = build({}, "https://vocab.example.jp/");
  EXPECT_EQ(ctx->expand("speed"), "https://vocab.example.jp/speed");
  EXPECT_EQ(ctx->compact("https://vocab.example.jp/speed"), "speed");
}

TEST(JsonLd, RecognisesEveryCoreContextVersionUrl) {
  EXPECT_TRUE(is_core_context_url("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"));
  EXPECT_TRUE(is_core_context_url("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"));
  EXPECT_FALSE(is_core_context_url("https://example.jp/ngsi-ld-core-context.jsonld"));
  EXPECT_TRUE(is_core_context_url("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.1.jsonld"));
  EXPECT_FALSE(is_core_context_url("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-non-existing.jsonld"));
  EXPECT_FALSE(is_core_context_url("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v.jsonld"));
}

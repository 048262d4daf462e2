// NGSIv2 registrations (ngsiv2/registration.*): Orion's checks in its order with its texts, the
// document as Orion renders it, and the round trip through the stored document.
#include <gtest/gtest.h>

#include "ngsiv2/registration.h"

using namespace dejima;
using namespace dejima::ngsiv2;

namespace {

const std::string kProvider = R"("provider":{"http":{"url":"http://localhost:9997/v2"}})";

Result<RegSpec> parse(const std::string& body) {
  json::Document d;
  EXPECT_EQ(json::parse(d, body), "") << body;
  return parse_registration(d);
}

std::string error_of(const std::string& body) {
  auto r = parse(body);
  if (r) return "accepted";
  return r.error().title + ": " + r.error().detail;
}

}  // namespace

TEST(V2Registration, RefusedInOrionsOrderWithItsTexts) {
  const std::pair<std::string, std::string> cases[] = {
      {R"([1])", "BadRequest: not a JSON object"},
      {R"({})", "BadRequest: empty payload"},
      {R"({"description":4})", "BadRequest: invalid description"},
      {R"({"description":"<>"})", "BadRequest: forbidden characters in description"},
      {R"({"description":"D"})", "BadRequest: the field /dataProvided/ is missing in payload"},
      {R"({"dataProvided":[]})", "BadRequest: /dataProvided/ must be a JSON object"},
      {R"({"dataProvided":{}})", "BadRequest: /dataProvided/ is empty"},
      {R"({"dataProvided":{"entities":{}}})", "BadRequest: /entities/ is not an array"},
      {R"({"dataProvided":{"entities":[{"type":"T"}]}})",
       "BadRequest: /entities/ vector item does not have /id/ nor /idPattern/"},
      {R"({"dataProvided":{"entities":[{"idPattern":"E.*"}]}})", "NotImplemented: Unsupported idPattern"},
      {R"({"dataProvided":{"entities":[{"id":"E","typePattern":"T.*"}]}})",
       "NotImplemented: typePattern is not supported"},
      {R"({"dataProvided":{"attrs":[""]}})", "BadRequest: empty string found in string vector /attrs/"},
      {R"({"dataProvided":{"attrs":["A"]}})", "BadRequest: the field /provider/ is missing in payload"},
      {R"({"dataProvided":{"attrs":["A"]},"provider":{}})", "BadRequest: /provider/ empty"},
      {R"({"dataProvided":{"attrs":["A"]},"provider":{"x":1}})", "BadRequest: /provider/ must contain a field /http/"},
      {R"({"dataProvided":{"attrs":["A"]},"provider":{"http":{"url":""}}})",
       "BadRequest: /url/ field of /http/ cannot be the empty string"},
      {R"({"dataProvided":{"attrs":["A"]},"provider":{"http":{"url":"ftp://x"}}})",
       "BadRequest: /url/ field of /http/ is invalid"},
      {R"({"dataProvided":{"attrs":["A"]},"provider":{"http":{"url":"http://x"},"supportedForwardingMode":"some"}})",
       "BadRequest: invalid value of /supportedForwardingMode/"},
      {R"({"dataProvided":{"attrs":["A"]},"provider":{"http":{"url":"http://x"},"legacyForwarding":"yes"}})",
       "BadRequest: the field /legacyForwarding/ must be a boolean"},
      {R"({"dataProvided":{"attrs":["A"]},"provider":{"http":{"url":"http://x"},"legacyForwarding":true}})",
       "NotImplemented: legacyForwarding: NGSIv1 forwarding is not served by Dejima"},
      {R"({"dataProvided":{"attrs":["A"]},)" + kProvider + R"(,"expires":"tomorrow"})",
       "BadRequest: the field /expires/ has an invalid format"},
      {R"({"dataProvided":{"attrs":["A"]},)" + kProvider + R"(,"status":1})", "BadRequest: /status/ must be a string"},
      {R"({"dataProvided":{"attrs":["A"]},)" + kProvider + R"(,"status":"oneshot"})",
       "BadRequest: invalid value for /status/"},
  };
  for (const auto& [body, expected] : cases) EXPECT_EQ(error_of(body), expected) << body;
}

TEST(V2Registration, RenderedAsOrionAndRestoredFromItsStoredDocument) {
  auto spec = parse(R"({"description":"Reg1","dataProvided":{"entities":[{"id":"E","type":"T1"},{"idPattern":".*"}],
      "attrs":["A1"]},)" +
                    kProvider + R"(,"expires":"2040-01-01T00:00:00.250Z","status":"inactive"})");
  ASSERT_TRUE(spec);
  spec->service_path = "/foo";
  RegistrationFlavor flavor;
  auto r = build_registration(std::make_shared<RegSpec>(*spec), "city", "5f0000000000000000000001", flavor);
  EXPECT_FALSE(r->active);
  EXPECT_EQ(r->ops, federation::kQuery | federation::kUpdate);
  ASSERT_EQ(r->entities.size(), 2u);
  EXPECT_EQ(r->entities[0].types, std::vector<std::string>{"https://uri.etsi.org/ngsi-ld/default-context/T1"});
  const std::string t9 = "https://uri.etsi.org/ngsi-ld/default-context/T9";
  EXPECT_TRUE(r->entities[1].matches("anything", &t9));
  const std::string shown =
      R"({"id":"5f0000000000000000000001","description":"Reg1","expires":"2040-01-01T00:00:00.000Z",)"
      R"("dataProvided":{"entities":[{"id":"E","type":"T1"},{"idPattern":".*"}],"attrs":["A1"]},)"
      R"("provider":{"http":{"url":"http://localhost:9997/v2"},"supportedForwardingMode":"all",)"
      R"("legacyForwarding":false},"status":"inactive"})";
  EXPECT_EQ(render_registration(*r, false), shown);

  json::Document stored;
  ASSERT_EQ(json::parse(stored, flavor.stored(*r)), "");
  auto back = flavor.restore(stored);
  ASSERT_TRUE(back);
  (*back)->id = r->id;
  EXPECT_EQ(spec_of(**back).service_path, "/foo");
  EXPECT_EQ(render_registration(**back, false), shown);
}

TEST(V2Registration, ForwardingModeSetsTheOperations) {
  RegistrationFlavor flavor;
  auto ops = [&](const std::string& mode) {
    auto spec = parse(R"({"dataProvided":{"attrs":["A"]},"provider":{"http":{"url":"http://x"},)"
                      R"("supportedForwardingMode":")" +
                      mode + R"("}})");
    EXPECT_TRUE(spec) << mode;
    return build_registration(std::make_shared<RegSpec>(*spec), "", "id", flavor)->ops;
  };
  EXPECT_EQ(ops("query"), unsigned{federation::kQuery});
  EXPECT_EQ(ops("update"), unsigned{federation::kUpdate});
  EXPECT_EQ(ops("none"), 0u);
}

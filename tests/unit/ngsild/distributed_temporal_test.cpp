// ngsild::merge_temporal_entity: how a source's temporal entity joins the local one by the
// registration's mode — inclusive adds the instances of a datasetId and time the local attribute
// lacks (an instance without the time shown is never taken for another), in time order with the
// newest lastN kept; exclusive replaces the attribute; auxiliary adds only what the local lacks;
// temporalValues pairs merge per datasetId.
#include <gtest/gtest.h>

#include "ngsild/distributed_temporal.h"

using namespace dejima;
using namespace dejima::ngsild;

namespace {

json::Document doc(std::string_view text) {
  json::Document d;
  EXPECT_EQ(json::parse(d, text), "");
  return d;
}

std::string merged(std::string_view local, std::string_view source, const std::string& mode,
                   const TemporalRequest& t = {}, const std::vector<std::string>& keys = {}) {
  json::Document into = doc(local);
  const json::Document from = doc(source);
  merge_temporal_entity(into, from, into.GetAllocator(), keys, mode, t);
  return json::to_string(into);
}

constexpr std::string_view kLocal = R"({"id":"urn:ngsi-ld:S:1","type":"Sensor","t":[
  {"type":"Property","value":1,"observedAt":"2026-01-01T00:00:00Z"},
  {"type":"Property","value":3,"observedAt":"2026-01-01T02:00:00Z"}]})";
constexpr std::string_view kSource = R"({"id":"urn:ngsi-ld:S:1","type":["Sensor","Device"],"t":[
  {"type":"Property","value":2,"observedAt":"2026-01-01T01:00:00Z"},
  {"type":"Property","value":99,"observedAt":"2026-01-01T02:00:00Z"}],
  "h":{"type":"Property","value":50,"observedAt":"2026-01-01T00:00:00Z"}})";

TEST(MergeTemporalEntity, InclusiveAddsTheInstancesTheLocalAttributeLacksInTimeOrder) {
  EXPECT_EQ(merged(kLocal, kSource, "inclusive"),
            R"({"id":"urn:ngsi-ld:S:1","type":["Sensor","Device"],"t":[)"
            R"({"type":"Property","value":1,"observedAt":"2026-01-01T00:00:00Z"},)"
            R"({"type":"Property","value":2,"observedAt":"2026-01-01T01:00:00Z"},)"
            R"({"type":"Property","value":3,"observedAt":"2026-01-01T02:00:00Z"}],)"
            R"("h":{"type":"Property","value":50,"observedAt":"2026-01-01T00:00:00Z"}})");
  TemporalRequest last2;
  last2.last_n = 2;
  EXPECT_EQ(merged(kLocal, kSource, "inclusive", last2, {"t"}),
            R"({"id":"urn:ngsi-ld:S:1","type":["Sensor","Device"],"t":[)"
            R"({"type":"Property","value":2,"observedAt":"2026-01-01T01:00:00Z"},)"
            R"({"type":"Property","value":3,"observedAt":"2026-01-01T02:00:00Z"}]})")
      << "lastN holds across the merge; keys limit what is taken";
}

TEST(MergeTemporalEntity, ExclusiveReplacesAuxiliaryOnlyAdds) {
  const std::string exclusive = merged(kLocal, kSource, "exclusive");
  EXPECT_NE(exclusive.find(R"("t":[{"type":"Property","value":2,)"), std::string::npos) << exclusive;
  EXPECT_EQ(exclusive.find(R"("value":1,)"), std::string::npos) << exclusive;
  const std::string auxiliary = merged(kLocal, kSource, "auxiliary");
  EXPECT_EQ(auxiliary.find(R"("value":2,)"), std::string::npos) << auxiliary;
  EXPECT_NE(auxiliary.find(R"("h":{)"), std::string::npos) << auxiliary;
}

TEST(MergeTemporalEntity, InstancesWithoutTheirTimeAreNeverTakenForAnother) {
  const std::string out =
      merged(R"({"id":"urn:x:1","n":[{"type":"Property","value":"a"}]})",
             R"({"id":"urn:x:1","n":[{"type":"Property","value":"b"},{"type":"Property","value":"c"}]})", "inclusive");
  for (std::string_view v : {"\"a\"", "\"b\"", "\"c\""}) EXPECT_NE(out.find(v), std::string::npos) << out;
}

TEST(MergeTemporalEntity, TemporalValuesMergePerDatasetId) {
  TemporalRequest t;
  t.render.representation = temporal::Representation::TemporalValues;
  EXPECT_EQ(
      merged(
          R"({"id":"urn:x:1","t":{"type":"Property","values":[[1,"2026-01-01T00:00:00Z"]]}})",
          R"({"id":"urn:x:1","t":[{"type":"Property","values":[[2,"2026-01-01T01:00:00Z"],[9,"2026-01-01T00:00:00Z"]]},)"
          R"({"type":"Property","datasetId":"urn:gps","values":[[5,"2026-01-01T00:00:00Z"]]}]})",
          "inclusive", t),
      R"({"id":"urn:x:1","t":[{"type":"Property","values":[[1,"2026-01-01T00:00:00Z"],[2,"2026-01-01T01:00:00Z"]]},)"
      R"({"type":"Property","datasetId":"urn:gps","values":[[5,"2026-01-01T00:00:00Z"]]}]})");
}

}  // namespace

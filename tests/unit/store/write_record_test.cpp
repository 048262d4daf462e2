#include <gtest/gtest.h>

#include "store/write_record.h"

using namespace dejima;

namespace {

store::WriteBatch sample() {
  store::WriteBatch b;
  b.entities = {{"urn:a", std::string(R"({"id":"urn:a"})"), false},
                {"urn:b", std::string(R"({"m":2})"), true},
                {"urn:c", std::nullopt, false}};
  store::HistoryWrite h;
  h.op = store::HistoryWrite::Op::Record;
  h.entity = {"urn:a", {"https://example.org/T"}, {"/Nagasaki"}, 1, 2, 0};
  store::InstanceRecord r;
  r.attr = "https://example.org/speed";
  r.dataset_id = "urn:gps";
  r.json = R"({"type":"Property","value":3})";
  r.observed_at = 5;
  r.created_at = 1;
  r.modified_at = 2;
  h.instances = {r};
  store::HistoryWrite del;
  del.op = store::HistoryWrite::Op::DeleteInstance;
  del.entity.id = "urn:a";
  del.attr = "https://example.org/speed";
  del.instance = 42;
  del.all_datasets = true;
  b.history = {h, del};
  return b;
}

}  // namespace

TEST(WriteRecord, RoundTrips) {
  const store::WriteBatch b = sample();
  const std::string bytes = store::encode_record(b);
  auto back = store::decode_record(bytes);
  ASSERT_TRUE(back) << back.error().detail;
  ASSERT_EQ(back->entities.size(), 3u);
  EXPECT_EQ(back->entities[1].id, "urn:b");
  EXPECT_TRUE(back->entities[1].delta);
  EXPECT_EQ(*back->entities[1].doc, R"({"m":2})");
  EXPECT_FALSE(back->entities[2].doc);
  ASSERT_EQ(back->history.size(), 2u);
  EXPECT_EQ(back->history[0].entity.scopes, std::vector<std::string>{"/Nagasaki"});
  ASSERT_EQ(back->history[0].instances.size(), 1u);
  EXPECT_EQ(back->history[0].instances[0].json, b.history[0].instances[0].json);
  EXPECT_EQ(back->history[0].instances[0].observed_at, 5);
  EXPECT_EQ(back->history[1].op, store::HistoryWrite::Op::DeleteInstance);
  EXPECT_EQ(back->history[1].instance, 42);
  EXPECT_TRUE(back->history[1].all_datasets);
  EXPECT_EQ(store::encode_record(*back), bytes);
}

TEST(WriteRecord, EveryTruncationAndDamageIsRefused) {
  const std::string bytes = store::encode_record(sample());
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(store::decode_record(bytes.substr(0, n))) << n;
  EXPECT_FALSE(store::decode_record(bytes + "x"));
  std::string huge_count = bytes;
  huge_count[1] = '\xff';  // the entity count's low byte: more items than bytes
  huge_count[4] = '\x7f';
  EXPECT_FALSE(store::decode_record(huge_count));
  std::string version = bytes;
  version[0] = 9;
  EXPECT_FALSE(store::decode_record(version));
}

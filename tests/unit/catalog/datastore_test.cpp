// The catalog's table over a tenant on the fake store: the column cache follows the type's
// changes, datastore_search's page-only path (no filter, q or sort) gives the rows and numbers the
// full scan gives, filters read their own columns, and the ASCII folding of the text searches.
#include <gtest/gtest.h>

#include <future>

#include "broker/tenant.h"
#include "catalog/datastore.h"
#include "catalog/folding.h"
#include "catalog/table.h"
#include "fakes/memory_storage.h"
#include "model/mutate.h"
#include "model/parse.h"

using namespace dejima;

namespace {

const std::string kShelter = "https://uri.etsi.org/ngsi-ld/default-context/Shelter";

std::shared_ptr<model::Entity> shelter(int i, const std::string& extra = "") {
  json::Document d;
  const std::string text = R"({"id":"urn:s:)" + std::to_string(1000 + i) +
                           R"(","type":"Shelter","name":{"type":"Property","value":"避難所)" + std::to_string(i) +
                           R"("},"capacity":{"type":"Property","value":)" + std::to_string(i % 7) +
                           R"(},"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[129.8,)" +
                           std::to_string(32 + i / 1000.0) + "]}}" + extra + "}";
  EXPECT_EQ(json::parse(d, text), "");
  auto p = model::parse_entity(d, *jsonld::Context::core(), model::ParseMode::Create);
  EXPECT_TRUE(p) << p.error().detail;
  return std::make_shared<model::Entity>(model::new_entity(std::move(*p), 1000));
}

class DatastoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tenant = std::make_unique<broker::Tenant>("t", std::make_unique<test::MemoryTenantStore>());
    ASSERT_TRUE(tenant->load());
    for (int i = 0; i < 250; ++i) put(shelter(i));
    dataset.type = kShelter;
    dataset.name = "default-shelter";
    dataset.entities = 250;
  }
  void TearDown() override { tenant->close(); }

  void put(std::shared_ptr<model::Entity> e) {
    std::promise<Status> done;
    const std::string id = e->id;
    tenant->apply(
        id, [e](const broker::EntityPtr&) -> Result<std::shared_ptr<model::Entity>> { return e; },
        [&done](Status s) { done.set_value(s); });
    ASSERT_TRUE(done.get_future().get());
  }

  // datastore_search with these parameters: the result object.
  json::Document search(std::vector<std::pair<std::string, std::string>> params) {
    http::Request req;
    req.query = std::move(params);
    catalog::Input in(req);
    auto out =
        catalog::datastore_search(*tenant, dataset, cache.columns(*tenant, "", kShelter), "default-shelter-csv", in);
    json::Document d;
    EXPECT_TRUE(out) << (out ? "" : out.error().message);
    if (out) {
      EXPECT_EQ(json::parse(d, *out), "");
    } else {
      d.Parse(R"({"total":0,"records":[]})");
    }
    return d;
  }

  std::unique_ptr<broker::Tenant> tenant;
  catalog::Dataset dataset;
  catalog::ColumnCache cache;
};

TEST_F(DatastoreTest, ThePageAloneGivesWhatTheFullScanGives) {
  // Sorting by _id takes the full scan; no sort reads only the page.
  auto paged = search({{"offset", "120"}, {"limit", "10"}});
  auto scanned = search({{"offset", "120"}, {"limit", "10"}, {"sort", "_id asc"}});
  EXPECT_EQ(paged["total"].GetUint64(), 250u);
  EXPECT_EQ(scanned["total"].GetUint64(), 250u);
  EXPECT_EQ(json::to_string(paged["records"]), json::to_string(scanned["records"]));
  EXPECT_EQ(paged["records"][0]["_id"].GetUint64(), 121u);
  EXPECT_EQ(std::string(json::view(paged["records"][0]["名称"])), "避難所120");
}

TEST_F(DatastoreTest, FiltersCountEveryMatchAndKeepRowNumbers) {
  const auto cols = cache.columns(*tenant, "", kShelter);
  const auto capacity =
      std::find_if(cols.begin(), cols.end(), [](const auto& c) { return c.attr.ends_with("/capacity"); });
  ASSERT_NE(capacity, cols.end());
  auto r = search({{"filters", R"({")" + capacity->header + R"(": 3})"}, {"limit", "5"}});
  size_t expected = 0;
  for (int i = 0; i < 250; ++i) expected += i % 7 == 3;
  EXPECT_EQ(r["total"].GetUint64(), expected);
  ASSERT_EQ(r["records"].Size(), 5u);
  EXPECT_EQ(r["records"][0]["_id"].GetUint64(), 4u);  // 避難所3 is the fourth row
  EXPECT_EQ(r["records"][1]["_id"].GetUint64(), 11u);
}

TEST_F(DatastoreTest, TheColumnCacheFollowsTheTypesChanges) {
  auto before = cache.columns(*tenant, "", kShelter);
  std::vector<std::string> headers;
  for (const auto& c : before) headers.push_back(c.header);
  EXPECT_EQ(headers, (std::vector<std::string>{"名称", "緯度", "経度", "定員"}));
  put(shelter(7, R"(,"colour":{"type":"Property","value":"blue"})"));
  auto after = cache.columns(*tenant, "", kShelter);
  ASSERT_EQ(after.size(), before.size() + 1);
  EXPECT_TRUE(std::any_of(after.begin(), after.end(), [](const auto& c) { return c.header == "colour"; }));
}

TEST(Folding, IgnoresAsciiCaseOnlyAndCopiesNothing) {
  EXPECT_TRUE(catalog::contains_folded("Nagasaki 出島 Station", "station"));
  EXPECT_TRUE(catalog::contains_folded("出島ＡＢＣ", "出島"));
  EXPECT_FALSE(catalog::contains_folded("Dejima", "dejimax"));
  EXPECT_TRUE(catalog::equals_folded("CSV", "csv"));
  EXPECT_FALSE(catalog::equals_folded("CSVs", "csv"));
  EXPECT_EQ(catalog::folded("GeoJSON 避難"), "geojson 避難");
}

}  // namespace

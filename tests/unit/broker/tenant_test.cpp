// The broker's write path against a fake store (fakes/memory_storage.h) that commits when the
// test says: a change is visible in memory at once and acknowledged only after its commit; a
// failed or refused commit rolls the memory back, indexes included; the change listener hears
// committed changes only, in commit order; batches skip unchanged and failed items.
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>

#include "broker/tenant.h"
#include "fakes/memory_storage.h"
#include "model/mutate.h"
#include "model/parse.h"

using namespace dejima;
using broker::EntityPtr;
using test::MemoryTenantStore;

namespace {

const std::string kVocab = "https://uri.etsi.org/ngsi-ld/default-context/";

std::shared_ptr<model::Entity> entity(const std::string& id, int speed) {
  json::Document d;
  const std::string text =
      R"({"id":")" + id + R"(","type":"Bus","speed":{"type":"Property","value":)" + std::to_string(speed) + "}}";
  EXPECT_EQ(json::parse(d, text), "");
  auto p = model::parse_entity(d, *jsonld::Context::core(), model::ParseMode::Create);
  EXPECT_TRUE(p) << p.error().detail;
  return std::make_shared<model::Entity>(model::new_entity(std::move(*p), 1000));
}

int speed_of(const EntityPtr& e) {
  const auto* a = e ? e->find(kVocab + "speed", "") : nullptr;
  if (!a) return -1;
  json::Document d;
  EXPECT_EQ(json::parse(d, a->json), "");
  return d["value"].GetInt();
}

class TenantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto owned = std::make_unique<MemoryTenantStore>();
    store = owned.get();
    tenant = std::make_unique<broker::Tenant>("t", std::move(owned), &listener);
    ASSERT_TRUE(tenant->load());
  }
  void TearDown() override { tenant->close(); }

  // Sets `id` to speed `v` (creating it); the future holds the acknowledgement.
  std::future<Status> put(const std::string& id, int v) {
    auto done = std::make_shared<std::promise<Status>>();
    auto f = done->get_future();
    tenant->apply(
        id, [&](const EntityPtr&) -> Result<std::shared_ptr<model::Entity>> { return entity(id, v); },
        [done](Status s) { done->set_value(s); });
    return f;
  }
  size_t count_type_bus(int min_speed) {
    query::Filter f;
    query::Selector sel;
    sel.types = query::Names{.atom = kVocab + "Bus"};
    f.entities.push_back(std::move(sel));
    auto q = query::parse_q("speed>=" + std::to_string(min_speed), *jsonld::Context::core());
    EXPECT_TRUE(q);
    f.q = std::move(*q);
    return tenant->query(f, query::Page{.limit = 100, .count = true}).total;
  }
  std::vector<std::pair<std::string, std::string>> heard() {
    std::lock_guard lock(heard_mu);
    return events;
  }
  // The listener runs after the acknowledgement, on the store's thread: waits until it has heard n
  // changes (or 5 s have passed), then returns what it heard.
  std::vector<std::pair<std::string, std::string>> heard_once(size_t n) {
    std::unique_lock lock(heard_mu);
    heard_cv.wait_for(lock, std::chrono::seconds(5), [&] { return events.size() >= n; });
    return events;
  }

  std::mutex heard_mu;
  std::condition_variable heard_cv;
  std::vector<std::pair<std::string, std::string>> events;  // (id, "created" | "updated" | "deleted")
  broker::ChangeListener listener = [this](const std::string&, const std::vector<broker::ChangeEvent>& changes) {
    std::lock_guard lock(heard_mu);
    for (const auto& c : changes)
      events.emplace_back(c.after ? c.after->id : c.before->id, !c.before  ? "created"
                                                                : !c.after ? "deleted"
                                                                           : "updated");
    heard_cv.notify_all();
  };
  MemoryTenantStore* store = nullptr;
  std::unique_ptr<broker::Tenant> tenant;
};

TEST_F(TenantTest, AWriteIsVisibleAtOnceAndAcknowledgedAfterItsCommit) {
  store->hold();
  auto ack = put("urn:b:1", 10);
  store->wait_pending(1);
  EXPECT_EQ(speed_of(tenant->get("urn:b:1")), 10);
  EXPECT_EQ(ack.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout) << "not durable yet";
  EXPECT_TRUE(heard().empty()) << "listeners hear committed changes only";
  ASSERT_TRUE(store->commit());
  EXPECT_TRUE(ack.get());
  EXPECT_EQ(store->committed().docs.count("urn:b:1"), 1u);
  EXPECT_EQ(store->committed().history.size(), 1u) << "the history goes in the same transaction";
  EXPECT_EQ(heard(), (std::vector<std::pair<std::string, std::string>>{{"urn:b:1", "created"}}));
}

TEST_F(TenantTest, AFailedCommitRollsBackTheStateAndTheIndexes) {
  ASSERT_TRUE(put("urn:b:1", 10).get());
  store->hold();
  auto update = put("urn:b:1", 90);
  auto create = put("urn:b:2", 95);
  store->wait_pending(2);
  EXPECT_EQ(count_type_bus(50), 2u);
  ASSERT_TRUE(store->commit(fail(ErrorKind::InternalError, "disk full")));
  ASSERT_TRUE(store->commit(fail(ErrorKind::InternalError, "disk full")));
  EXPECT_FALSE(update.get());
  EXPECT_FALSE(create.get());
  EXPECT_EQ(speed_of(tenant->get("urn:b:1")), 10) << "the committed version is back";
  EXPECT_EQ(tenant->get("urn:b:2"), nullptr);
  EXPECT_EQ(tenant->size(), 1u);
  EXPECT_EQ(count_type_bus(50), 0u) << "the value and type indexes follow";
  EXPECT_EQ(count_type_bus(0), 1u);
  EXPECT_EQ(heard_once(1).size(), 1u) << "only the first, committed creation was heard";
}

TEST_F(TenantTest, ARollbackLeavesALaterVersionToItsOwnCommit) {
  ASSERT_TRUE(put("urn:b:1", 10).get());
  store->hold();
  auto first = put("urn:b:1", 20);
  auto second = put("urn:b:1", 30);
  store->wait_pending(2);
  ASSERT_TRUE(store->commit(fail(ErrorKind::InternalError, "io")));
  EXPECT_FALSE(first.get());
  EXPECT_EQ(speed_of(tenant->get("urn:b:1")), 30);
  ASSERT_TRUE(store->commit());
  EXPECT_TRUE(second.get());
  EXPECT_EQ(speed_of(tenant->get("urn:b:1")), 30);
}

TEST_F(TenantTest, AWriteTheStoreRefusesIsRolledBackAtOnce) {
  store->refuse_next(Error{ErrorKind::ServiceUnavailable, "Closed", ""});
  auto ack = put("urn:b:1", 10);
  ASSERT_EQ(ack.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto st = ack.get();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, ErrorKind::ServiceUnavailable);
  EXPECT_EQ(tenant->get("urn:b:1"), nullptr);
  EXPECT_EQ(tenant->size(), 0u);
}

TEST_F(TenantTest, ListenersHearChangesInCommitOrder) {
  store->hold();
  auto a = put("urn:b:a", 1);
  auto b = put("urn:b:b", 2);
  std::promise<Status> deleted;
  tenant->apply(
      "urn:b:a", [](const EntityPtr&) -> Result<std::shared_ptr<model::Entity>> { return nullptr; },
      [&](Status s) { deleted.set_value(s); });
  store->wait_pending(3);
  while (store->commit()) {
  }
  EXPECT_TRUE(a.get());
  EXPECT_TRUE(b.get());
  EXPECT_TRUE(deleted.get_future().get());
  EXPECT_EQ(heard(), (std::vector<std::pair<std::string, std::string>>{
                         {"urn:b:a", "created"}, {"urn:b:b", "created"}, {"urn:b:a", "deleted"}}));
}

TEST_F(TenantTest, ABatchWritesChangedItemsInOneTransactionAndReportsEachItem) {
  ASSERT_TRUE(put("urn:b:same", 5).get());
  const size_t before = store->committed().transactions;
  const std::vector<std::string> ids{"urn:b:new", "urn:b:bad", "urn:b:same", "urn:b:new"};
  std::promise<std::pair<std::vector<Status>, Status>> done;
  tenant->apply_batch(
      ids,
      [&](size_t i, const EntityPtr& cur) -> Result<std::shared_ptr<model::Entity>> {
        if (i == 1) return fail(ErrorKind::BadRequestData, "bad item");
        if (i == 2) return std::const_pointer_cast<model::Entity>(cur);  // unchanged: nothing to write
        if (i == 3) {
          EXPECT_EQ(speed_of(cur), 1) << "a repeated id sees the previous item's result";
          return entity(ids[i], 2);
        }
        return entity(ids[i], 1);
      },
      [&](std::vector<Status> items, Status commit) {
    done.set_value({std::move(items), commit});
      });
  auto [items, commit] = done.get_future().get();
  EXPECT_TRUE(commit);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_TRUE(items[0]);
  EXPECT_FALSE(items[1]);
  EXPECT_TRUE(items[2]);
  EXPECT_TRUE(items[3]);
  const auto c = store->committed();
  EXPECT_EQ(c.transactions, before + 1);
  EXPECT_EQ(c.history.size(), 1u + 2u) << "the first put, then the two writes of urn:b:new";
  EXPECT_EQ(speed_of(tenant->get("urn:b:new")), 2);
  EXPECT_EQ(heard_once(1u + 2u).size(), 1u + 2u);
}

TEST_F(TenantTest, ABatchWithoutHistoryWritesNoHistory) {
  std::promise<Status> done;
  tenant->apply_batch(
      {"urn:b:ref"},
      [](size_t, const EntityPtr&) -> Result<std::shared_ptr<model::Entity>> { return entity("urn:b:ref", 1); },
      [&](std::vector<Status>, Status commit) { done.set_value(commit); }, broker::Tenant::History::Skip);
  EXPECT_TRUE(done.get_future().get());
  EXPECT_EQ(store->committed().docs.count("urn:b:ref"), 1u);
  EXPECT_TRUE(store->committed().history.empty());
}

TEST_F(TenantTest, ATenantLoadsWhatItsStoreHolds) {
  ASSERT_TRUE(put("urn:b:1", 7).get());
  auto copy = std::make_unique<MemoryTenantStore>();
  for (const auto& [id, doc] : store->committed().docs) copy->preload(id, doc);
  broker::Tenant reloaded("t", std::move(copy));
  ASSERT_TRUE(reloaded.load());
  EXPECT_EQ(speed_of(reloaded.get("urn:b:1")), 7);
  reloaded.close();
}

}  // namespace

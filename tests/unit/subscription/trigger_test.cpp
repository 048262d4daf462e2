// Trigger detection (subscription/trigger.*): what a change did, and which trigger of a
// subscription it fires; then the whole path with fakes (fakes/memory_storage.h,
// fakes/fake_transfers.h): a committed write reaches the Manager, which queues exactly the
// notifications that fire, and nothing for a write whose commit failed.
#include <gtest/gtest.h>

#include <future>

#include "broker/tenant.h"
#include "fakes/fake_transfers.h"
#include "fakes/memory_storage.h"
#include "jsonld/registry.h"
#include "model/mutate.h"
#include "model/parse.h"
#include "notify/dispatcher.h"
#include "subscription/manager.h"
#include "subscription/trigger.h"

using namespace dejima;
using namespace dejima::subscription;
using broker::EntityPtr;

namespace {

const std::string kVocab = "https://uri.etsi.org/ngsi-ld/default-context/";

EntityPtr entity(const std::string& body) {
  json::Document d;
  EXPECT_EQ(json::parse(d, body), "");
  auto p = model::parse_entity(d, *jsonld::Context::core(), model::ParseMode::Create);
  EXPECT_TRUE(p) << p.error().detail;
  return std::make_shared<model::Entity>(model::new_entity(std::move(*p), 1000));
}

std::shared_ptr<Subscription> subscription(const std::string& body) {
  json::Document d;
  EXPECT_EQ(json::parse(d, body), "");
  auto s = parse_subscription(d, jsonld::Context::core(), 1000);
  EXPECT_TRUE(s) << s.error().detail;
  return *s;
}

// "name:kind" for each attribute of the diff, kind one of created/updated/deleted.
std::vector<std::string> attrs_of(const Diff& d) {
  std::vector<std::string> out;
  for (const auto& [name, kind] : d.attrs)
    out.push_back(name.str().substr(kVocab.size()) + ":" +
                  (kind == kAttributeCreated   ? "created"
                   : kind == kAttributeUpdated ? "updated"
                                               : "deleted"));
  return out;
}

constexpr const char* kBus = R"({"id":"urn:b:1","type":"Bus","speed":{"type":"Property","value":10},
                                 "driver":{"type":"Property","value":"Tanaka"}})";

TEST(Diff, CreationAndDeletionConcernEveryAttribute) {
  const auto bus = entity(kBus);
  Diff created = diff({nullptr, bus});
  EXPECT_EQ(created.entity_trigger, kEntityCreated);
  EXPECT_EQ(attrs_of(created), (std::vector<std::string>{"speed:created", "driver:created"}));
  Diff deleted = diff({bus, nullptr});
  EXPECT_EQ(deleted.entity_trigger, kEntityDeleted);
  EXPECT_EQ(attrs_of(deleted), (std::vector<std::string>{"speed:deleted", "driver:deleted"}));
}

TEST(Diff, AnUpdateNamesWhatChangedOnly) {
  const auto before = entity(kBus);
  const auto after = entity(R"({"id":"urn:b:1","type":"Bus","speed":{"type":"Property","value":11},
                                "seats":{"type":"Property","value":40}})");
  Diff d = diff({before, after});
  EXPECT_EQ(d.entity_trigger, kEntityUpdated);
  EXPECT_EQ(attrs_of(d), (std::vector<std::string>{"speed:updated", "seats:created", "driver:deleted"}));
  EXPECT_EQ(diff({before, before}).entity_trigger, 0u) << "the same version is no change";
}

TEST(Diff, ANewOrVanishedDatasetIdIsACreationOrDeletion) {
  const auto one = entity(R"({"id":"urn:b:1","type":"Bus","speed":{"type":"Property","value":10}})");
  const auto two = entity(R"({"id":"urn:b:1","type":"Bus","speed":[{"type":"Property","value":10},
                              {"type":"Property","value":12,"datasetId":"urn:gps"}]})");
  EXPECT_EQ(attrs_of(diff({one, two})), (std::vector<std::string>{"speed:created"}));
  EXPECT_EQ(attrs_of(diff({two, one})), (std::vector<std::string>{"speed:deleted"}));
}

TEST(Diff, AnAttributeWrittenWithAnOperatorCountsAsChanged) {
  const auto before = entity(kBus);
  auto after = std::make_shared<model::Entity>(*before);
  after->modified_at = 2000;
  for (auto& a : after->attrs)
    if (a.name == kVocab + "speed") a.modified_at = 2000;  // written again, the same value
  auto origin = std::make_shared<broker::Origin>();
  // driver: operated in another entity, and here named by the request but not written (refused)
  origin->operated = {{"urn:b:1", kVocab + "speed"}, {"urn:b:2", kVocab + "driver"}, {"urn:b:1", kVocab + "driver"}};
  broker::ChangeEvent c{before, after, origin};
  Diff d = diff(c);
  EXPECT_TRUE(d.value_changed.empty()) << "written again: touched, not classified as changed";
  ASSERT_EQ(d.unclassified.size(), 1u);
  mark_operated(d, c);
  EXPECT_EQ(d.entity_trigger, kEntityUpdated);
  EXPECT_EQ(attrs_of(d), (std::vector<std::string>{"speed:updated"})) << "driver was not written here";
  ASSERT_EQ(d.value_changed.size(), 1u);
  EXPECT_EQ(d.value_changed.front(), kVocab + "speed");
  EXPECT_TRUE(d.unclassified.empty());
}

TEST(Fired, WatchedAttributesAndTriggersDecide) {
  const auto before = entity(kBus);
  const auto after = entity(R"({"id":"urn:b:1","type":"Bus","speed":{"type":"Property","value":11},
                                "driver":{"type":"Property","value":"Tanaka"}})");
  const Diff d = diff({before, after});
  auto s = subscription(R"({"type":"Subscription","entities":[{"type":"Bus"}],
                            "notification":{"endpoint":{"uri":"http://r.test/n"}}})");
  EXPECT_EQ(fired(*s, d), kAttributeUpdated) << "default triggers: attributeCreated, attributeUpdated";
  s = subscription(R"({"type":"Subscription","entities":[{"type":"Bus"}],"watchedAttributes":["driver"],
                       "notification":{"endpoint":{"uri":"http://r.test/n"}}})");
  EXPECT_EQ(fired(*s, d), 0u) << "driver did not change";
  s = subscription(R"({"type":"Subscription","entities":[{"type":"Bus"}],"notificationTrigger":["entityUpdated"],
                       "watchedAttributes":["speed"],"notification":{"endpoint":{"uri":"http://r.test/n"}}})");
  EXPECT_EQ(fired(*s, d), kEntityUpdated);
  s = subscription(R"({"type":"Subscription","entities":[{"type":"Bus"}],"notificationTrigger":["entityDeleted"],
                       "notification":{"endpoint":{"uri":"http://r.test/n"}}})");
  EXPECT_EQ(fired(*s, d), 0u);
  EXPECT_EQ(fired(*s, diff({after, nullptr})), kEntityDeleted);
}

// The broker, the subscription manager and the dispatcher wired as app/ wires them, on fakes.
class ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transfers = std::make_shared<test::FakeTransfers::State>();
    transfers->set_auto_answer([](const fetch::Post&) { return std::optional<long>(204); });
    dispatcher =
        std::make_unique<notify::Dispatcher>(notify::Options{}, std::make_unique<test::FakeTransfers>(transfers));
    manager = std::make_unique<Manager>(storage, contexts, tenants, *dispatcher);
    ASSERT_TRUE(manager->load());
    tenants.set_listener(
        [this](const std::string& t, const std::vector<broker::ChangeEvent>& c) { manager->on_changes(t, c); });
    auto t = tenants.find_or_create("");
    ASSERT_TRUE(t);
    tenant = *t;
  }
  void TearDown() override {
    tenants.close_all();
    manager->stop();
    dispatcher->stop();
  }
  // Applies the entity's write; with the store held, it waits for commit().
  void apply(const std::shared_ptr<const model::Entity>& e, std::function<void(Status)> done) {
    tenant->apply(
        e->id,
        [e](const EntityPtr&) -> Result<std::shared_ptr<model::Entity>> {
          return std::const_pointer_cast<model::Entity>(e);
        },
        std::move(done));
  }
  Status write(const char* body) {
    std::promise<Status> done;
    apply(entity(body), [&](Status s) { done.set_value(s); });
    return done.get_future().get();
  }

  test::MemoryStorage storage;
  jsonld::Registry contexts{storage, 1000, 1 << 20};
  broker::Tenants tenants{storage, [](const std::string&) { return store::Retention{}; }};
  std::shared_ptr<test::FakeTransfers::State> transfers;
  std::unique_ptr<notify::Dispatcher> dispatcher;
  std::unique_ptr<Manager> manager;
  broker::Tenant* tenant = nullptr;
};

TEST_F(ManagerTest, ACommittedChangeNotifiesTheSubscriptionsItFires) {
  auto fast = subscription(R"({"id":"urn:s:fast","type":"Subscription","entities":[{"type":"Bus"}],"q":"speed>50",
                               "notification":{"endpoint":{"uri":"http://r.test/fast"}}})");
  auto drivers = subscription(R"({"id":"urn:s:driver","type":"Subscription","entities":[{"type":"Bus"}],
                                  "watchedAttributes":["driver"],"notification":{"endpoint":{"uri":"http://r.test/driver"}}})");
  ASSERT_TRUE(manager->create(fast));
  ASSERT_TRUE(manager->create(drivers));
  EXPECT_EQ(storage.subscriptions().size(), 2u) << "subscriptions are kept in the Storage";

  ASSERT_TRUE(write(R"({"id":"urn:b:1","type":"Bus","speed":{"type":"Property","value":80}})"));
  ASSERT_TRUE(transfers->wait_started(1));
  ASSERT_TRUE(write(R"({"id":"urn:b:1","type":"Bus","speed":{"type":"Property","value":20},
                        "driver":{"type":"Property","value":"Sato"}})"));
  ASSERT_TRUE(transfers->wait_started(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto posts = transfers->posts();
  ASSERT_EQ(posts.size(), 2u) << "speed 20 does not match q; the first write did not touch driver";
  EXPECT_EQ(posts[0].url, "http://r.test/fast");
  EXPECT_NE(posts[0].body.find(R"("value":80)"), std::string::npos) << posts[0].body;
  EXPECT_NE(posts[0].body.find("urn:s:fast"), std::string::npos);
  EXPECT_EQ(posts[1].url, "http://r.test/driver");
  EXPECT_NE(posts[1].body.find("Sato"), std::string::npos) << posts[1].body;
}

TEST_F(ManagerTest, AChangeWhoseCommitFailedNotifiesNothing) {
  ASSERT_TRUE(manager->create(subscription(R"({"id":"urn:s:all","type":"Subscription","entities":[{"type":"Bus"}],
                                               "notification":{"endpoint":{"uri":"http://r.test/all"}}})")));
  storage.tenant("")->hold();
  std::promise<Status> done;
  apply(entity(kBus), [&](Status s) { done.set_value(s); });
  storage.tenant("")->wait_pending(1);
  ASSERT_TRUE(storage.tenant("")->commit(fail(ErrorKind::InternalError, "io")));
  EXPECT_FALSE(done.get_future().get());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(transfers->started_count(), 0u);
}

// A change published before a subscription was created is not the subscription's, however late
// its commit is reported (the listener runs after the writer's reply, when the writer may already
// have created the subscription); the next change is.
TEST_F(ManagerTest, AChangePublishedBeforeTheSubscriptionIsNotItsToNotify) {
  storage.tenant("")->hold();
  std::promise<Status> done;
  apply(entity(kBus), [&](Status s) { done.set_value(s); });
  storage.tenant("")->wait_pending(1);
  ASSERT_TRUE(manager->create(subscription(R"({"id":"urn:s:late","type":"Subscription","entities":[{"type":"Bus"}],
                                               "notification":{"endpoint":{"uri":"http://r.test/late"}}})")));
  ASSERT_TRUE(storage.tenant("")->commit({}));
  EXPECT_TRUE(done.get_future().get());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(transfers->started_count(), 0u) << "the creation happened before the subscription";
  apply(entity(R"({"id":"urn:b:1","type":"Bus","speed":{"type":"Property","value":7}})"), [](Status) {});
  storage.tenant("")->wait_pending(1);
  ASSERT_TRUE(storage.tenant("")->commit({}));
  ASSERT_TRUE(transfers->wait_started(1));
}

}  // namespace

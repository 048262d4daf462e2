// federation::Registry with the in-memory Storage (fakes/memory_storage.h): a registration is
// stored when created and read back by load() through its flavor, each flavor sees only its own,
// and covering() picks the live registrations of an entity for an operation.
#include <gtest/gtest.h>

#include "fakes/memory_storage.h"
#include "federation/registry.h"

using namespace dejima;
using namespace dejima::federation;

namespace {

// A flavor whose stored document is the endpoint alone.
class TestFlavor final : public Flavor {
 public:
  explicit TestFlavor(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  Result<std::shared_ptr<Registration>> restore(const json::Value& stored) const override {
    const auto* url = json::member(stored, "url");
    if (!url || !url->IsString()) return fail(ErrorKind::BadRequestData, "stored registration", "no url");
    auto r = std::make_shared<Registration>();
    r->endpoint = std::string(json::view(*url));
    r->entities.push_back({.id = "E", .id_pattern = "", .types = {"T"}});
    return r;
  }
  std::string stored(const Registration& r) const override {
    return R"({"@flavor":")" + name_ + R"(","url":")" + r.endpoint + R"("})";
  }

 private:
  std::string name_;
};

std::shared_ptr<Registration> reg(const Flavor& f, std::string tenant, std::string id, std::vector<EntityInfo> entities,
                                  unsigned ops = kQuery | kUpdate) {
  auto r = std::make_shared<Registration>();
  r->tenant = std::move(tenant);
  r->id = std::move(id);
  r->flavor = &f;
  r->entities = std::move(entities);
  r->endpoint = "http://provider.example/" + r->id;
  r->ops = ops;
  return r;
}

std::vector<std::string> ids(const std::vector<RegPtr>& regs) {
  std::vector<std::string> out;
  for (const auto& r : regs) out.push_back(r->id);
  return out;
}

const Registry::ScopeTest kAnyScope = [](const Registration&) { return true; };

}  // namespace

TEST(FederationRegistry, StoredWhenCreatedAndLoadedBackThroughItsFlavor) {
  test::MemoryStorage storage;
  TestFlavor v2("v2"), other("other");
  {
    Registry registry(storage);
    ASSERT_TRUE(registry.create(reg(v2, "", "r1", {})));
    ASSERT_TRUE(registry.create(reg(v2, "city", "r2", {})));
    ASSERT_TRUE(registry.create(reg(other, "city", "r3", {})));
    EXPECT_EQ(registry.create(reg(v2, "", "r1", {})).error().kind, ErrorKind::AlreadyExists);
  }
  Registry reloaded(storage);
  reloaded.add_flavor(v2);  // "other" is not registered: its record is skipped
  ASSERT_TRUE(reloaded.load());
  RegPtr r2 = reloaded.find("city", "r2", &v2);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->tenant, "city");
  EXPECT_EQ(r2->endpoint, "http://provider.example/r2");
  EXPECT_EQ(r2->flavor, &v2);
  EXPECT_EQ(ids(reloaded.list("", &v2)), std::vector<std::string>{"r1"});
  EXPECT_FALSE(reloaded.find("city", "r3", &other));
  EXPECT_TRUE(reloaded.any("city"));
  EXPECT_FALSE(reloaded.any("elsewhere"));
}

TEST(FederationRegistry, EachFlavorSeesAndRemovesOnlyItsOwn) {
  test::MemoryStorage storage;
  TestFlavor v2("v2"), ld("ld");
  Registry registry(storage);
  ASSERT_TRUE(registry.create(reg(v2, "", "a", {})));
  ASSERT_TRUE(registry.create(reg(ld, "", "b", {})));
  EXPECT_EQ(ids(registry.list("", &v2)), std::vector<std::string>{"a"});
  EXPECT_FALSE(registry.find("", "b", &v2));
  EXPECT_EQ(registry.remove("", "b", &v2).error().kind, ErrorKind::ResourceNotFound);
  ASSERT_TRUE(registry.remove("", "b", &ld));
  EXPECT_EQ(storage.load_records("registration")->size(), 1u);
  EXPECT_EQ(registry.remove("", "b", &ld).error().kind, ErrorKind::ResourceNotFound);
}

TEST(FederationRegistry, CoveringMatchesIdTypeOperationExpiryAndScope) {
  test::MemoryStorage storage;
  TestFlavor v2("v2");
  Registry registry(storage);
  ASSERT_TRUE(registry.create(reg(v2, "", "1-exact", {{.id = "E", .id_pattern = "", .types = {"T"}}})));
  ASSERT_TRUE(registry.create(reg(v2, "", "2-any-type", {{.id = "E", .id_pattern = "", .types = {}}})));
  ASSERT_TRUE(registry.create(reg(v2, "", "3-any-id", {{.id = "", .id_pattern = ".*", .types = {"T"}}})));
  ASSERT_TRUE(registry.create(reg(v2, "", "4-updates", {{.id = "E", .id_pattern = "", .types = {}}}, kUpdate)));
  auto expired = reg(v2, "", "5-expired", {{.id = "E", .id_pattern = "", .types = {}}});
  expired->expires = 1000;
  ASSERT_TRUE(registry.create(expired));
  auto inactive = reg(v2, "", "6-inactive", {{.id = "E", .id_pattern = "", .types = {}}});
  inactive->active = false;
  ASSERT_TRUE(registry.create(inactive));
  ASSERT_TRUE(registry.create(reg(v2, "other", "7-tenant", {{.id = "E", .id_pattern = "", .types = {}}})));

  const std::string T = "T", U = "U";
  EXPECT_EQ(ids(registry.covering("", "E", nullptr, kQuery, &v2, kAnyScope, 2000)),
            (std::vector<std::string>{"1-exact", "2-any-type", "3-any-id"}));
  EXPECT_EQ(ids(registry.covering("", "E", &T, kQuery, &v2, kAnyScope, 2000)),
            (std::vector<std::string>{"1-exact", "2-any-type", "3-any-id"}));
  EXPECT_EQ(ids(registry.covering("", "E", &U, kQuery, &v2, kAnyScope, 2000)), std::vector<std::string>{"2-any-type"});
  EXPECT_EQ(ids(registry.covering("", "F", &T, kUpdate, &v2, kAnyScope, 2000)), std::vector<std::string>{"3-any-id"});
  EXPECT_EQ(ids(registry.covering("", "E", &U, kUpdate, &v2, kAnyScope, 500)),
            (std::vector<std::string>{"2-any-type", "4-updates", "5-expired"}));
  const Registry::ScopeTest only_exact = [](const Registration& r) { return r.id == "1-exact"; };
  EXPECT_EQ(ids(registry.covering("", "E", &T, kQuery, &v2, only_exact, 2000)), std::vector<std::string>{"1-exact"});
}

TEST(FederationRegistry, AnAttributeLevelRegistrationProvidesOnlyItsAttributes) {
  Registration r;
  EXPECT_TRUE(r.provides("anything"));
  r.attrs = {"A", "B"};
  EXPECT_TRUE(r.provides("B"));
  EXPECT_FALSE(r.provides("C"));
}

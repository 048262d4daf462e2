#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <set>

#include <sqlite3.h>

#include "store/sqlite/sqlite_storage.h"

using namespace dejima;

namespace {

std::string temp_dir() {
  auto dir = std::filesystem::temp_directory_path() / ("dejima-store-test-" + std::to_string(::getpid()) + "-" +
                                                       std::to_string(now_millis()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

Status write_sync(store::TenantStore& t, std::vector<store::EntityWrite> w) {
  std::promise<Status> p;
  auto queued = t.write(std::move(w), [&](Status s) { p.set_value(s); });
  if (!queued) return queued;
  return p.get_future().get();
}

}  // namespace

TEST(SqliteStore, WritesAreDurableAndReloaded) {
  const auto dir = temp_dir();
  {
    auto storage = store::open_sqlite_storage(dir, true);
    ASSERT_TRUE(storage);
    auto t = (*storage)->open_tenant("nagasaki", true);
    ASSERT_TRUE(t);
    ASSERT_TRUE(write_sync(**t, {{"urn:a", "{\"v\":1}"}, {"urn:b", "{\"v\":2}"}}));
    ASSERT_TRUE(write_sync(**t, {{"urn:a", "{\"v\":3}"}, {"urn:b", std::nullopt}}));
    (*t)->close();
  }
  auto storage = store::open_sqlite_storage(dir, true);
  auto tenants = (*storage)->list_tenants();
  ASSERT_TRUE(tenants);
  EXPECT_EQ(*tenants, std::vector<std::string>{"nagasaki"});
  auto t = (*storage)->open_tenant("nagasaki", false);
  ASSERT_TRUE(t);
  auto docs = (*t)->load_entities();
  ASSERT_TRUE(docs);
  EXPECT_EQ(*docs, std::vector<std::string>{"{\"v\":3}"});
  std::filesystem::remove_all(dir);
}

TEST(SqliteStore, MissingTenantIsNonexistent) {
  const auto dir = temp_dir();
  auto storage = store::open_sqlite_storage(dir, false);
  auto t = (*storage)->open_tenant("goto", false);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, ErrorKind::NonexistentTenant);
  std::filesystem::remove_all(dir);
}

TEST(SqliteStore, ConcurrentWritersAllCommit) {
  const auto dir = temp_dir();
  auto storage = store::open_sqlite_storage(dir, false);
  auto t = (*storage)->open_tenant("", true);
  ASSERT_TRUE(t);
  std::vector<std::future<Status>> results;
  for (int i = 0; i < 8; ++i)
    results.push_back(std::async(std::launch::async, [&, i] {
      for (int k = 0; k < 100; ++k)
        if (auto s = write_sync(**t, {{"urn:" + std::to_string(i) + ":" + std::to_string(k), "{}"}}); !s) return s;
      return Status{};
    }));
  for (auto& r : results) EXPECT_TRUE(r.get());
  EXPECT_EQ((*t)->load_entities()->size(), 800u);
  (*t)->close();
  std::filesystem::remove_all(dir);
}

TEST(SqliteStore, ContextsPersist) {
  const auto dir = temp_dir();
  {
    auto storage = store::open_sqlite_storage(dir, true);
    ASSERT_TRUE((*storage)->save_context({"id1", "http://x/ctx", "Cached", "{\"@context\":{}}", 5}));
  }
  auto storage = store::open_sqlite_storage(dir, true);
  auto ctxs = (*storage)->load_contexts();
  ASSERT_TRUE(ctxs);
  ASSERT_EQ(ctxs->size(), 1u);
  EXPECT_EQ((*ctxs)[0].url, "http://x/ctx");
  ASSERT_TRUE((*storage)->delete_context("id1"));
  EXPECT_TRUE((*storage)->load_contexts()->empty());
  std::filesystem::remove_all(dir);
}

// The log is cleaned as it grows: many updates of few entities keep it small, and the newest
// document of every entity (including ones the cleaner moved) is what a restart loads.
TEST(SqliteStore, LogIsCleanedAndKeepsTheNewestDocuments) {
  const auto dir = temp_dir();
  constexpr int kEntities = 50, kRounds = 400;
  {
    auto storage = store::open_sqlite_storage(dir, false);
    auto t = (*storage)->open_tenant("", true);
    ASSERT_TRUE(t);
    for (int r = 0; r < kRounds; ++r) {
      std::vector<store::EntityWrite> writes;
      for (int e = 0; e < kEntities; ++e)
        if (e % 7 != 0 || r == 0)  // every 7th entity is written once and must survive cleaning
          writes.push_back({"urn:" + std::to_string(e), "{\"r\":" + std::to_string(r) + "}"});
      if (r == kRounds - 1) writes.push_back({"urn:1", std::nullopt});
      ASSERT_TRUE(write_sync(**t, std::move(writes)));
    }
    (*t)->close();
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((std::filesystem::path(dir) / "tenants" / "_default.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM entity_log", -1, &q, nullptr);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_LT(sqlite3_column_int(q, 0), 3 * kEntities + 4096 * 3);  // not the ~17,000 rows written
  sqlite3_finalize(q);
  sqlite3_close(db);

  auto storage = store::open_sqlite_storage(dir, false);
  auto t = (*storage)->open_tenant("", false);
  auto docs = (*t)->load_entities();
  ASSERT_TRUE(docs);
  std::multiset<std::string> got(docs->begin(), docs->end()), want;
  for (int e = 0; e < kEntities; ++e)
    if (e != 1) want.insert(e % 7 == 0 ? "{\"r\":0}" : "{\"r\":" + std::to_string(kRounds - 1) + "}");
  EXPECT_EQ(got, want);
  std::filesystem::remove_all(dir);
}

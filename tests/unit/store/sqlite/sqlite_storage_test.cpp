#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <sqlite3.h>

#include "store/sqlite/sqlite_storage.h"
#include "store/write_record.h"

using namespace dejima;

namespace {

std::string temp_dir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("dejima-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(now_millis()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

Status write_batch_sync(store::TenantStore& t, store::WriteBatch w) {
  std::promise<Status> p;
  auto queued = t.write(std::move(w), [&](Status s) { p.set_value(s); });
  if (!queued) return queued;
  return p.get_future().get();
}

Status write_sync(store::TenantStore& t, std::vector<store::EntityWrite> w) {
  return write_batch_sync(t, store::WriteBatch{std::move(w), {}});
}

Status write_history_sync(store::TenantStore& t, std::vector<store::HistoryWrite> h) {
  return write_batch_sync(t, store::WriteBatch{{}, std::move(h)});
}

// A data directory of its own with one tenant open (`t`), closed and removed at the end.
struct TempTenant {
  explicit TempTenant(const std::string& tenant) { reopen(tenant, true); }
  ~TempTenant() {
    shut();
    std::filesystem::remove_all(dir);
  }
  // Closes everything and opens the storage and the tenant again.
  void reopen(const std::string& tenant, bool create) {
    shut();
    storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = false});
    if (storage) t = (*storage)->open_tenant(tenant, create);
  }
  void shut() {
    if (t && *t) (*t)->close();
    if (t) t->reset();
    if (storage) storage->reset();
  }
  const std::string dir = temp_dir();
  Result<std::unique_ptr<store::Storage>> storage = std::unexpected(Error{});
  Result<std::unique_ptr<store::TenantStore>> t = std::unexpected(Error{});
};

}  // namespace

TEST(SqliteStore, WritesAreDurableAndReloaded) {
  const auto dir = temp_dir();
  {
    auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = true});
    ASSERT_TRUE(storage);
    auto t = (*storage)->open_tenant("nagasaki", true);
    ASSERT_TRUE(t);
    ASSERT_TRUE(write_sync(**t, {{"urn:a", "{\"v\":1}"}, {"urn:b", "{\"v\":2}"}}));
    ASSERT_TRUE(write_sync(**t, {{"urn:a", "{\"v\":3}"}, {"urn:b", std::nullopt}}));
    (*t)->close();
  }
  auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = true});
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
  auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = false});
  auto t = (*storage)->open_tenant("goto", false);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, ErrorKind::NonexistentTenant);
  std::filesystem::remove_all(dir);
}

TEST(SqliteStore, ConcurrentWritersAllCommit) {
  const auto dir = temp_dir();
  auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = false});
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
    auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = true});
    ASSERT_TRUE((*storage)->save_context({"id1", "http://x/ctx", "Cached", "{\"@context\":{}}", 5}));
  }
  auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = true});
  auto ctxs = (*storage)->load_contexts();
  ASSERT_TRUE(ctxs);
  ASSERT_EQ(ctxs->size(), 1u);
  EXPECT_EQ((*ctxs)[0].url, "http://x/ctx");
  ASSERT_TRUE((*storage)->delete_context("id1"));
  EXPECT_TRUE((*storage)->load_contexts()->empty());
  std::filesystem::remove_all(dir);
}

TEST(SqliteStore, JournalsAreAppendedAndReadByTimeAndTenant) {
  const auto dir = temp_dir();
  {
    auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = true});
    ASSERT_TRUE((*storage)->append_journal("audit", {{30, "a", "{\"n\":3}"}, {10, "", "{\"n\":1}"}}));
    ASSERT_TRUE((*storage)->append_journal("audit", {{20, "a", "{\"n\":2}"}}));
    ASSERT_TRUE((*storage)->append_journal("usage", {{20, "a", "{}"}}));
  }
  auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = true});
  auto bodies = [&](const store::JournalQuery& q) {
    std::vector<std::string> out;
    auto entries = (*storage)->read_journal("audit", q);
    EXPECT_TRUE(entries);
    for (const auto& e : *entries) out.push_back(e.body);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(bodies({}), (V{"{\"n\":1}", "{\"n\":2}", "{\"n\":3}"}));
  EXPECT_EQ(bodies({.from = 11, .to = 30}), V{"{\"n\":2}"});
  EXPECT_EQ(bodies({.tenant = "a", .limit = 1, .newest_first = true}), V{"{\"n\":3}"});
  EXPECT_EQ(bodies({.tenant = ""}), V{"{\"n\":1}"});
  EXPECT_EQ((*storage)->read_journal("usage", {})->size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(SqliteStore, RecordsAreSavedTogetherAndReadByKeyRange) {
  const auto dir = temp_dir();
  {
    auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = true});
    ASSERT_TRUE(
        (*storage)->save_records("usage", {{"2026-12-05|a", "1"}, {"2026-12-06|a", "2"}, {"2026-12-06|b", "3"}}));
    ASSERT_TRUE((*storage)->save_records("usage", {{"2026-12-06|a", "4"}}));
  }
  auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = true});
  auto day = (*storage)->load_record_range("usage", "2026-12-06", "2026-12-06~");
  ASSERT_TRUE(day);
  ASSERT_EQ(day->size(), 2u);
  EXPECT_EQ((*day)[0].body, "4");
  EXPECT_EQ((*day)[1].key, "2026-12-06|b");
  EXPECT_EQ((*storage)->load_records("usage")->size(), 3u);
  std::filesystem::remove_all(dir);
}

TEST(SqliteStore, SubscriptionStatesFollowTheirSubscriptions) {
  const auto dir = temp_dir();
  {
    auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = true});
    ASSERT_TRUE((*storage)->save_subscription({"", "urn:s:1", "{}", ""}));
    ASSERT_TRUE((*storage)->save_subscription({"t", "urn:s:2", "{}", ""}));
    // The state of a subscription that is not stored is not kept.
    ASSERT_TRUE(
        (*storage)->save_subscription_states({{"", "urn:s:1", "", "{\"timesSent\":3}"}, {"", "urn:s:9", "", "{}"}}));
  }
  auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = true});
  auto subs = (*storage)->load_subscriptions();
  ASSERT_TRUE(subs);
  ASSERT_EQ(subs->size(), 2u);
  EXPECT_EQ((*subs)[0].state, "{\"timesSent\":3}");
  EXPECT_EQ((*subs)[1].state, "");
  ASSERT_TRUE((*storage)->delete_subscription("", "urn:s:1"));
  ASSERT_TRUE((*storage)->save_subscription({"", "urn:s:1", "{}", ""}));  // the same id again starts afresh
  EXPECT_EQ((*storage)->load_subscriptions()->at(0).state, "");
  std::filesystem::remove_all(dir);
}

// The log is cleaned as it grows: many updates of few entities keep it small, and the newest
// document of every entity (including ones the cleaner moved) is what a restart loads.
TEST(SqliteStore, LogIsCleanedAndKeepsTheNewestDocuments) {
  const auto dir = temp_dir();
  constexpr int kEntities = 50, kRounds = 400;
  {
    auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = false});
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

  auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = false});
  auto t = (*storage)->open_tenant("", false);
  auto docs = (*t)->load_entities();
  ASSERT_TRUE(docs);
  std::multiset<std::string> got(docs->begin(), docs->end()), want;
  for (int e = 0; e < kEntities; ++e)
    if (e != 1) want.insert(e % 7 == 0 ? "{\"r\":0}" : "{\"r\":" + std::to_string(kRounds - 1) + "}");
  EXPECT_EQ(got, want);
  std::filesystem::remove_all(dir);
}

namespace {

store::HistoryWrite record(const std::string& id, std::vector<std::pair<Millis, double>> values) {
  store::HistoryWrite w;
  w.entity.id = id;
  w.entity.types = {"https://example.org/Sensor"};
  for (auto [t, v] : values) {
    store::InstanceRecord r;
    r.attr = "https://example.org/temperature";
    r.json = "{\"type\":\"Property\",\"value\":" + std::to_string(v) + "}";
    r.observed_at = t;
    r.created_at = r.modified_at = 1;
    w.instances.push_back(std::move(r));
  }
  return w;
}

// The hour summaries agree with summaries computed here from every numeric instance.
void expect_hours_match_instances(store::TenantStore& s, const std::string& id, const std::string& attr) {
  std::map<Millis, store::ValueSummary> expected, got;
  ASSERT_TRUE(s.history_scan(id, attr, store::TimeWindow{}, store::HistoryReader::ScanNeed::Instances,
                             [&](Millis t, std::string_view, const double* x) {
    if (!x) return;
    store::ValueSummary& v = expected[hour_of(t)];
    ++v.count;
    v.add_number(*x);
  }));
  ASSERT_TRUE(s.history_hours(id, attr, INT64_MIN, INT64_MAX,
                              [&](Millis h, const store::ValueSummary& v) { got.emplace(h, v); }));
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [h, e] : expected) {
    ASSERT_TRUE(got.contains(h)) << h;
    const auto& g = got[h];
    EXPECT_EQ(g.count, e.count) << h;
    EXPECT_EQ(g.numbers, e.numbers) << h;
    EXPECT_DOUBLE_EQ(g.sum, e.sum) << h;
    EXPECT_DOUBLE_EQ(g.sumsq, e.sumsq) << h;
    if (e.numbers) {
      EXPECT_EQ(g.min, e.min) << h;
      EXPECT_EQ(g.max, e.max) << h;
    }
  }
}

}  // namespace

TEST(SqliteStore, HistoryHourSummariesFollowEveryChange) {
  TempTenant tmp("hours");
  ASSERT_TRUE(tmp.t);
  auto& t = tmp.t;
  store::TenantStore& s = **t;
  const std::string attr = "https://example.org/temperature";
  const Millis ten_minutes = 600'000;
  std::vector<std::pair<Millis, double>> values;
  for (int i = 0; i < 30; ++i) values.emplace_back(-3 * kHourMillis + ten_minutes * i, (i * 7) % 11);
  auto first = record("urn:h1", values);
  store::InstanceRecord text;  // not a number: no summary; scanned for counts, not for numbers
  text.attr = attr;
  text.json = R"({"type":"Property","value":"sunny"})";
  text.observed_at = 5 * ten_minutes;
  text.created_at = text.modified_at = 1;
  first.instances.push_back(text);
  ASSERT_TRUE(write_history_sync(s, std::vector<store::HistoryWrite>{first}));
  expect_hours_match_instances(s, "urn:h1", attr);
  using Need = store::HistoryReader::ScanNeed;
  std::map<Need, int> seen;
  std::string texts;
  for (Need need : {Need::Numbers, Need::Instances, Need::Values}) {
    ASSERT_TRUE(s.history_scan("urn:h1", attr, store::TimeWindow{}, need,
                               [&](Millis, std::string_view v, const double* x) {
      ++seen[need];
      if (need == Need::Numbers) {
        EXPECT_NE(x, nullptr);
      }
      if (need == Need::Values && !x) texts += v;
    }));
  }
  EXPECT_EQ(seen[Need::Numbers], 30);
  EXPECT_EQ(seen[Need::Instances], 31);
  EXPECT_EQ(seen[Need::Values], 31);
  EXPECT_EQ(texts, "\"sunny\"");
  // Two writes in one transaction: more instances in the same hours, then a removal.
  auto page = s.history_instances("urn:h1", attr, store::TimeWindow{}, 1000, false);
  ASSERT_TRUE(page);
  store::HistoryWrite del;
  del.op = store::HistoryWrite::Op::DeleteInstance;
  del.entity.id = "urn:h1";
  del.attr = attr;
  del.instance = (*page)[3].instance;  // the minimum of its hour
  ASSERT_TRUE(write_history_sync(s, {record("urn:h1", {{-3 * kHourMillis + 1, -5}, {7, 100}}), del}));
  expect_hours_match_instances(s, "urn:h1", attr);
  store::HistoryWrite replace = del;
  replace.op = store::HistoryWrite::Op::ReplaceInstance;
  replace.instance = (*page)[10].instance;
  replace.instances = record("urn:h1", {{(*page)[10].observed_at + kHourMillis, 55}}).instances;
  ASSERT_TRUE(write_history_sync(s, {replace}));
  expect_hours_match_instances(s, "urn:h1", attr);
  s.set_retention(store::Retention{.max_age = 0, .max_count = 12, .interval = std::chrono::milliseconds(20)});
  for (int i = 0; i < 200; ++i) {
    if (s.history_instances("urn:h1", attr, store::TimeWindow{}, 1000, false)->size() == 12) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(s.history_instances("urn:h1", attr, store::TimeWindow{}, 1000, false)->size(), 12u);
  expect_hours_match_instances(s, "urn:h1", attr);
  store::HistoryWrite drop = del;
  drop.op = store::HistoryWrite::Op::DeleteAttribute;
  drop.all_datasets = true;
  ASSERT_TRUE(write_history_sync(s, {drop}));
  expect_hours_match_instances(s, "urn:h1", attr);
}

// A database whose summaries counted every instance (and had the wide index) is brought to
// numeric-only summaries when it is opened.
TEST(SqliteStore, HistoryHourSummariesOfAnOlderDatabaseAreRebuilt) {
  TempTenant tmp("");
  ASSERT_TRUE(tmp.t);
  auto& t = tmp.t;
  const std::string attr = "https://example.org/temperature";
  auto w = record("urn:old", {{1000, 4}, {2000, 6}});
  store::InstanceRecord text;
  text.attr = attr;
  text.json = R"({"type":"Property","value":"sunny"})";
  text.observed_at = 2 * kHourMillis;
  text.created_at = text.modified_at = 1;
  w.instances.push_back(text);
  ASSERT_TRUE(write_history_sync(**t, {w}));
  tmp.shut();
  const std::string path = (std::filesystem::path(tmp.dir) / "tenants" / "_default.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db,
                   "DROP INDEX history_numbers; CREATE INDEX history_values ON history(eno, ano, t, deleted, num);"
                   "INSERT INTO history_hour VALUES(1, 1, 7200000, 1, 0, 0, 0, NULL, NULL);"
                   "UPDATE history_meta SET value = 1 WHERE key = 'hours';",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  tmp.reopen("", false);
  ASSERT_TRUE(t);
  expect_hours_match_instances(**t, "urn:old", attr);
  int hours = 0;
  ASSERT_TRUE((*t)->history_hours("urn:old", attr, INT64_MIN, INT64_MAX, [&](Millis, const store::ValueSummary& v) {
    ++hours;
    EXPECT_EQ(v.count, 2);
    EXPECT_DOUBLE_EQ(v.sum, 10);
  }));
  EXPECT_EQ(hours, 1);
  tmp.shut();
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "SELECT group_concat(name) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'history'",
                     -1, &q, nullptr);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)), "history_numbers");
  sqlite3_finalize(q);
  sqlite3_close(db);
}

// The entity row follows types, scopes, deletion and the newest modification time, whether a
// write changes only the time or more.
TEST(SqliteStore, HistoryEntityRowFollowsEveryWrite) {
  TempTenant tmp("");
  ASSERT_TRUE(tmp.t);
  auto& t = tmp.t;
  auto write = [&](std::vector<std::string> types, Millis modified, Millis deleted) {
    store::HistoryWrite w = record("urn:e", {{modified, 1}});
    w.entity.types = std::move(types);
    w.entity.created_at = 5;
    w.entity.modified_at = modified;
    w.entity.deleted_at = deleted;
    ASSERT_TRUE(write_history_sync(**t, {w}));
  };
  auto row = [&] { return *(*t)->history_entity("urn:e").value(); };
  write({"https://example.org/A"}, 10, 0);
  write({"https://example.org/A"}, 20, 0);
  EXPECT_EQ(row().modified_at, 20);
  write({"https://example.org/A"}, 15, 0);  // older: the newest time stays
  EXPECT_EQ(row().modified_at, 20);
  write({"https://example.org/B"}, 30, 0);
  EXPECT_EQ(row().types, std::vector<std::string>{"https://example.org/B"});
  EXPECT_EQ(row().modified_at, 30);
  write({"https://example.org/B"}, 40, 40);
  EXPECT_EQ(row().deleted_at, 40);
  write({"https://example.org/B"}, 50, 0);  // created again
  EXPECT_EQ(row().deleted_at, 0);
  EXPECT_EQ(row().modified_at, 50);
  EXPECT_EQ(row().created_at, 5);
  // Reopened: the committer's knowledge of the row is read back from the table.
  tmp.reopen("", false);
  ASSERT_TRUE(t);
  write({"https://example.org/B"}, 60, 0);
  EXPECT_EQ(row().modified_at, 60);
}

// Numbers are read off the instance whatever its layout: after the type, later, or not at all.
TEST(SqliteStore, HistoryNumbersOfEveryLayout) {
  TempTenant tmp("");
  ASSERT_TRUE(tmp.t);
  auto& t = tmp.t;
  const std::string attr = "https://example.org/temperature";
  store::HistoryWrite w;
  w.entity.id = "urn:n";
  w.entity.types = {"https://example.org/T"};
  Millis at = 0;
  for (const char* json : {R"({"type":"Property","value":5})", R"({"type":"Property","value":-2.5e1,"unitCode":"CEL"})",
                           R"({"type":"Property","value":"5"})", R"({"type":"Property","observedAt":"x","value":7})",
                           R"({"type":"Relationship","object":"urn:x"})", R"({"type":"Property","value":[1]})",
                           R"({"type":"Property","value":{"n":1}})", R"({"type":"Property","value":true})"}) {
    store::InstanceRecord r;
    r.attr = attr;
    r.json = json;
    r.observed_at = ++at;
    r.created_at = r.modified_at = 1;
    w.instances.push_back(std::move(r));
  }
  ASSERT_TRUE(write_history_sync(**t, {w}));
  std::vector<double> numbers;
  int instances = 0;
  ASSERT_TRUE((*t)->history_scan("urn:n", attr, store::TimeWindow{}, store::HistoryReader::ScanNeed::Numbers,
                                 [&](Millis, std::string_view, const double* x) { numbers.push_back(*x); }));
  ASSERT_TRUE((*t)->history_scan("urn:n", attr, store::TimeWindow{}, store::HistoryReader::ScanNeed::Instances,
                                 [&](Millis, std::string_view, const double*) { ++instances; }));
  EXPECT_EQ(numbers, (std::vector<double>{5, -25, 7}));
  EXPECT_EQ(instances, 8);
}

TEST(SqliteStore, HistoryRangesLastNAndScans) {
  TempTenant tmp("h");
  ASSERT_TRUE(tmp.t);
  auto& t = tmp.t;
  store::TenantStore& s = **t;
  std::vector<std::pair<Millis, double>> values;
  for (int i = 0; i < 100; ++i) values.emplace_back(1000 * i, i);
  std::vector<store::HistoryWrite> batch;
  batch.push_back(record("urn:s1", values));
  batch.push_back(record("urn:s2", {{5, 42}}));
  ASSERT_TRUE(write_history_sync(s, std::move(batch)));

  const std::string attr = "https://example.org/temperature";
  store::TimeWindow w;
  w.from = 10'000;
  w.to = 20'000;
  auto page = s.history_instances("urn:s1", attr, w, 1000, false);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 10u);  // [10 s, 20 s)
  EXPECT_EQ(page->front().observed_at, 10'000);
  EXPECT_EQ(page->back().observed_at, 19'000);
  auto last = s.history_instances("urn:s1", attr, store::TimeWindow{}, 3, true);
  ASSERT_TRUE(last);
  ASSERT_EQ(last->size(), 3u);
  EXPECT_EQ(last->front().observed_at, 97'000);  // the newest three, oldest first
  EXPECT_EQ(last->back().observed_at, 99'000);

  double sum = 0;
  int n = 0;
  ASSERT_TRUE(s.history_scan("urn:s1", attr, store::TimeWindow{}, store::HistoryReader::ScanNeed::Numbers,
                             [&](Millis, std::string_view, const double* x) {
    ASSERT_NE(x, nullptr);
    sum += *x;
    ++n;
  }));
  EXPECT_EQ(n, 100);
  EXPECT_DOUBLE_EQ(sum, 4950);

  // Deleting one instance; a missing one is ResourceNotFound and does not stop the rest.
  store::HistoryWrite del;
  del.op = store::HistoryWrite::Op::DeleteInstance;
  del.entity.id = "urn:s1";
  del.attr = attr;
  del.instance = page->front().instance;
  ASSERT_TRUE(write_history_sync(s, std::vector<store::HistoryWrite>{del}));
  auto again = write_history_sync(s, std::vector<store::HistoryWrite>{del});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::ResourceNotFound);
  EXPECT_EQ(s.history_instances("urn:s1", attr, w, 1000, false)->size(), 9u);

  auto attrs = s.history_attributes("urn:s1");
  ASSERT_TRUE(attrs);
  EXPECT_EQ(*attrs, std::vector<std::string>{attr});
  auto all = s.history_entities();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);
}

TEST(SqliteStore, HistoryRetentionKeepsTheNewest) {
  TempTenant tmp("r");
  ASSERT_TRUE(tmp.t);
  auto& t = tmp.t;
  store::TenantStore& s = **t;
  std::vector<std::pair<Millis, double>> values;
  const Millis now = now_millis();
  for (int i = 0; i < 50; ++i) values.emplace_back(now - 1000 * (50 - i), i);  // one per second, up to now
  ASSERT_TRUE(write_history_sync(s, std::vector<store::HistoryWrite>{record("urn:r1", values)}));
  s.set_retention(store::Retention{.max_age = 0, .max_count = 10, .interval = std::chrono::milliseconds(20)});
  const std::string attr = "https://example.org/temperature";
  for (int i = 0; i < 200; ++i) {
    if (s.history_instances("urn:r1", attr, store::TimeWindow{}, 1000, false)->size() == 10) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto kept = s.history_instances("urn:r1", attr, store::TimeWindow{}, 1000, false);
  ASSERT_EQ(kept->size(), 10u);
  EXPECT_EQ(kept->front().observed_at, now - 10'000);
  s.set_retention(store::Retention{.max_age = 5'500, .max_count = 0, .interval = std::chrono::milliseconds(20)});
  for (int i = 0; i < 200; ++i) {
    if (s.history_instances("urn:r1", attr, store::TimeWindow{}, 1000, false)->size() <= 5) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LE(s.history_instances("urn:r1", attr, store::TimeWindow{}, 1000, false)->size(), 6u);
}

namespace {

// A merge that shows what was folded, in which order (documents are opaque to the store).
Result<std::string> concat_merge(std::string_view doc, std::string_view delta) {
  return std::string(doc) + "|" + std::string(delta);
}

store::HistoryWrite recorded(const std::string& id, const std::string& attr, int value, Millis t) {
  store::HistoryWrite h;
  h.entity = {id, {"https://example.org/T"}, {}, t, t, 0};
  store::InstanceRecord r;
  r.attr = attr;
  r.json = R"({"type":"Property","value":)" + std::to_string(value) + "}";
  r.created_at = r.modified_at = t;
  h.instances = {r};
  return h;
}

long long query_int(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
  const long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

}  // namespace

// A crash after a record was committed and before it was derived: the next open derives it
// (documents with their deltas folded in order, and the history), exactly once.
TEST(SqliteStore, RecordsLeftUnderivedAreDerivedAtOpen) {
  const auto dir = temp_dir();
  const store::StorageOptions options{.full_sync = false, .merge = concat_merge};
  {
    auto storage = store::open_sqlite_storage(dir, options);
    auto t = (*storage)->open_tenant("goto", true);
    ASSERT_TRUE(t);
    ASSERT_TRUE(write_sync(**t, {{"urn:a", "A"}}));
    ASSERT_TRUE(write_sync(**t, {{"urn:a", "d1", true}}));
    (*t)->close();
  }
  const std::string db = dir + "/tenants/goto.db", records = dir + "/tenants/goto.records";
  const long long applied = query_int(db, "SELECT value FROM derive_state WHERE key = 'applied'");
  ASSERT_EQ(applied, 2);
  {  // records written as the committer writes them, never derived
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(records.c_str(), &h), SQLITE_OK);
    const std::vector<store::WriteBatch> batches = {
        {{{"urn:a", "d2", true}, {"urn:b", "B"}}, {recorded("urn:b", "https://example.org/v", 1, 5000)}},
        {{{"urn:a", "d3", true}, {"urn:b", "b1", true}}, {recorded("urn:b", "https://example.org/v", 2, 6000)}}};
    for (size_t i = 0; i < batches.size(); ++i) {
      const std::string body = store::encode_record(batches[i]);
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(h, "INSERT INTO records(seq, body) VALUES(?1, ?2)", -1, &st, nullptr);
      sqlite3_bind_int64(st, 1, applied + 1 + static_cast<long long>(i));
      sqlite3_bind_blob(st, 2, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
      ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
      sqlite3_finalize(st);
    }
    sqlite3_close(h);
  }
  for (int round = 0; round < 2; ++round) {  // the second open finds nothing left to derive
    auto storage = store::open_sqlite_storage(dir, options);
    auto t = (*storage)->open_tenant("goto", false);
    ASSERT_TRUE(t);
    auto docs = (*t)->load_entities();
    ASSERT_TRUE(docs);
    std::multiset<std::string> got(docs->begin(), docs->end()), want{"A|d1|d2|d3", "B|b1"};
    if (round == 1) want.insert("C");
    EXPECT_EQ(got, want);
    auto inst = (*t)->history_instances("urn:b", "https://example.org/v", {}, 100, false);
    ASSERT_TRUE(inst);
    EXPECT_EQ(inst->size(), 2u);  // once each
    EXPECT_EQ((*t)->lag().records, 0);
    ASSERT_TRUE(write_sync(**t, {{"urn:c", "C"}}));  // numbered after the recovered records
    (*t)->close();
    EXPECT_EQ(query_int(db, "SELECT value FROM derive_state WHERE key = 'applied'"), applied + 3 + round);
  }
  std::filesystem::remove_all(dir);
}

// A slow deriver: writers are held back once it is max_lag_bytes behind, a history read right
// after a write sees it, and everything is derived in the end.
TEST(SqliteStore, SlowDerivationHoldsWritersBackAndCatchesUp) {
  const auto dir = temp_dir();
  constexpr long long kMaxLag = 8 * 1024;
  auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = false,
                                                                       .merge = concat_merge,
                                                                       .max_lag_bytes = kMaxLag,
                                                                       .derive_delay = std::chrono::milliseconds(20)});
  auto t = (*storage)->open_tenant("", true);
  ASSERT_TRUE(t);
  const std::string doc(400, 'x');
  constexpr int kWriters = 8, kWrites = 40;
  std::vector<std::future<Status>> results;
  for (int i = 0; i < kWriters; ++i)
    results.push_back(std::async(std::launch::async, [&, i]() -> Status {
      for (int k = 0; k < kWrites; ++k) {
        const std::string id = "urn:" + std::to_string(i) + ":" + std::to_string(k);
        if (auto s = write_batch_sync(**t, {{{id, doc}}, {recorded(id, "https://example.org/v", k, 1000 + k)}}); !s)
          return s;
        // Read your writes: the history has the instance as soon as the write is acknowledged.
        auto h = (*t)->history_instances(id, "https://example.org/v", {}, 10, false);
        if (!h) return std::unexpected(h.error());
        if (h->size() != 1) return fail(ErrorKind::InternalError, "not read back", id);
      }
      return Status{};
    }));
  for (auto& r : results) EXPECT_TRUE(r.get());
  // Beyond the bound only by the writes of one group (at most one per writer).
  const long long most = (*t)->lag().most_bytes;
  EXPECT_GT(most, 0);
  EXPECT_LE(most, kMaxLag + kWriters * 1024);
  EXPECT_EQ((*t)->load_entities()->size(), static_cast<size_t>(kWriters * kWrites));
  const store::Lag lag = (*t)->lag();
  EXPECT_EQ(lag.records, 0);
  EXPECT_EQ(lag.bytes, 0);
  EXPECT_EQ(lag.derived, kWriters * kWrites);
  (*t)->close();
  std::filesystem::remove_all(dir);
}

// A derivation that fails (here: its table is gone under it) stops the tenant's writes and
// history reads with 503; the acknowledged records are derived at the next start.
TEST(SqliteStore, FailedDerivationRefusesWritesAndIsDerivedAtTheNextStart) {
  const auto dir = temp_dir();
  {
    auto storage = store::open_sqlite_storage(
        dir, store::StorageOptions{
                 .full_sync = false, .merge = concat_merge, .derive_delay = std::chrono::milliseconds(300)});
    auto t = (*storage)->open_tenant("iki", true);
    ASSERT_TRUE(t);
    {  // while the deriver waits before its first batch
      sqlite3* h = nullptr;
      ASSERT_EQ(sqlite3_open((dir + "/tenants/iki.db").c_str(), &h), SQLITE_OK);
      ASSERT_EQ(sqlite3_exec(h, "DROP TABLE entity_log", nullptr, nullptr, nullptr), SQLITE_OK);
      sqlite3_close(h);
    }
    ASSERT_TRUE(write_batch_sync(**t, {{{"urn:a", "A"}}, {recorded("urn:a", "https://example.org/v", 1, 1000)}}));
    auto read = (*t)->history_instances("urn:a", "https://example.org/v", {}, 10, false);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().kind, ErrorKind::ServiceUnavailable);
    auto refused = write_sync(**t, {{"urn:b", "B"}});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::ServiceUnavailable);
    (*t)->close();
  }
  auto storage = store::open_sqlite_storage(dir, store::StorageOptions{.full_sync = false, .merge = concat_merge});
  auto t = (*storage)->open_tenant("iki", false);
  ASSERT_TRUE(t);
  EXPECT_EQ(*(*t)->load_entities(), std::vector<std::string>{"A"});
  auto inst = (*t)->history_instances("urn:a", "https://example.org/v", {}, 10, false);
  ASSERT_TRUE(inst);
  EXPECT_EQ(inst->size(), 1u);
  (*t)->close();
  std::filesystem::remove_all(dir);
}

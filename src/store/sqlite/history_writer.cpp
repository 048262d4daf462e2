// HistoryWriter: the history written on the committer's connection, inside its transactions
// (insertions, hour summaries, deletions, retention).
#include "store/sqlite/history_tables.h"

#include <cstdlib>
#include <optional>

#include "store/sqlite/history_internal.h"

namespace dejima::store::sqlite {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS history_entity(eno INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
    "types TEXT NOT NULL, scopes TEXT NOT NULL, created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL, "
    "deleted_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS history_attr(ano INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE IF NOT EXISTS history(eno INTEGER NOT NULL, ano INTEGER NOT NULL, t INTEGER NOT NULL, "
    "seq INTEGER NOT NULL, dataset TEXT NOT NULL, observed INTEGER NOT NULL, created INTEGER NOT NULL, "
    "modified INTEGER NOT NULL, deleted INTEGER NOT NULL, num REAL, doc TEXT NOT NULL, "
    "PRIMARY KEY(eno, ano, t, seq)) WITHOUT ROWID;"
    // A narrow copy of what a numeric aggregation reads: a scan of 100,000 instances reads ~2 MB
    // of index rather than ~15 MB of table rows (34 -> 18 ms, bench/RESULTS.md). Only numeric
    // instances: the others would cost every write an index row that no summary reads.
    "DROP INDEX IF EXISTS history_values;"
    "CREATE INDEX IF NOT EXISTS history_numbers ON history(eno, ano, t, num) WHERE num IS NOT NULL;"
    "CREATE TABLE IF NOT EXISTS history_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    // Per-hour summaries of the non-deleted numeric instances (hour of t), for aggregations:
    // 100,000 instances are 1,667 rows (bench/RESULTS.md). A write of a text, geometry or
    // relationship adds none.
    "CREATE TABLE IF NOT EXISTS history_hour(eno INTEGER NOT NULL, ano INTEGER NOT NULL, hour INTEGER NOT NULL, "
    "count INTEGER NOT NULL, numbers INTEGER NOT NULL, sum REAL NOT NULL, sumsq REAL NOT NULL, min REAL, max REAL, "
    "PRIMARY KEY(eno, ano, hour)) WITHOUT ROWID;";

// The summaries of the hours of numeric `history` rows matching the condition that follows.
constexpr const char* kSummarise =
    "INSERT OR REPLACE INTO history_hour SELECT eno, ano, t - ((t % 3600000) + 3600000) % 3600000 AS h, count(*), "
    "count(*), total(num), total(num * num), min(num), max(num) FROM history WHERE num IS NOT NULL AND ";
// history_meta 'hours': 2 once history_hour holds numeric instances only (1: every instance).
constexpr int kHoursVersion = 2;

std::string to_json_array(const std::vector<std::string>& items) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartArray();
  for (const auto& s : items) json::write_string(w, s);
  w.EndArray();
  return {sb.GetString(), sb.GetSize()};
}

// The main value when it is a number. The internal form the parser writes starts with the type
// and then the main value ({"type":"Property","value":5,...}): read it there, and parse the
// document only when it is laid out otherwise.
std::optional<double> number_of(const std::string& doc) {
  constexpr std::string_view kType = R"({"type":")";
  const std::string_view d = doc;
  if (d.starts_with(kType)) {
    const size_t type_end = d.find('"', kType.size());
    const std::string_view rest = type_end == std::string_view::npos ? std::string_view{} : d.substr(type_end + 1);
    for (std::string_view key : {R"(,"value":)", R"(,"object":)", R"(,"languageMap":)", R"(,"vocab":)", R"(,"json":)",
                                 R"(,"valueList":)", R"(,"objectList":)"}) {
      if (!rest.starts_with(key) || rest.size() == key.size()) continue;
      const char* first = rest.data() + key.size();
      if (*first != '-' && (*first < '0' || *first > '9')) return std::nullopt;  // text, object, array, literal
      char* end = nullptr;
      const double x = std::strtod(first, &end);  // doc is NUL-terminated
      if (end != first && (*end == ',' || *end == '}')) return x;
      break;
    }
  }
  const MainValue v = main_value(doc);
  return v.is_number ? std::optional(v.number) : std::nullopt;
}

}  // namespace

Status HistoryWriter::open(Database& db) {
  db_ = &db;
  if (auto s = db.exec(kSchema); !s) return s;
  // A database written before the hour summaries existed, or with summaries of every instance,
  // gets them (again) once.
  const std::string stale =
      "NOT EXISTS (SELECT 1 FROM history_meta WHERE key = 'hours' AND value >= " + std::to_string(kHoursVersion) + ")";
  if (auto s = db.exec("SAVEPOINT hours; DELETE FROM history_hour WHERE " + stale + "; " + kSummarise +
                       "deleted = 0 AND " + stale +
                       " GROUP BY eno, ano, h; INSERT OR REPLACE INTO history_meta "
                       "VALUES('hours', " +
                       std::to_string(kHoursVersion) + "); RELEASE hours;");
      !s)
    return s;
  sqlite3* h = db.handle();
  upsert_entity_ = Statement(h,
                             "INSERT INTO history_entity(id, types, scopes, created_at, modified_at, deleted_at) "
                             "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET types = ?2, scopes = ?3, "
                             "modified_at = max(modified_at, ?5), deleted_at = ?6 RETURNING eno, modified_at");
  insert_attr_ = Statement(h, "INSERT INTO history_attr(name) VALUES(?1) RETURNING ano");
  insert_ = Statement(h,
                      "INSERT INTO history(eno, ano, t, seq, dataset, observed, created, modified, deleted, num, doc) "
                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  find_instance_ = Statement(h, "SELECT t FROM history WHERE eno = ?1 AND ano = ?2 AND seq = ?3");
  delete_instance_ = Statement(h, "DELETE FROM history WHERE eno = ?1 AND ano = ?2 AND t = ?3 AND seq = ?4");
  delete_attr_ = Statement(h, "DELETE FROM history WHERE eno = ?1 AND ano = ?2");
  delete_attr_dataset_ = Statement(h, "DELETE FROM history WHERE eno = ?1 AND ano = ?2 AND dataset = ?3");
  delete_entity_rows_ = Statement(h, "DELETE FROM history WHERE eno = ?1");
  delete_entity_ = Statement(h, "DELETE FROM history_entity WHERE eno = ?1");
  save_seq_ = Statement(h, "INSERT OR REPLACE INTO history_meta(key, value) VALUES('next_seq', ?1)");
  next_ano_ = Statement(h, "SELECT ano FROM history WHERE eno = ?1 AND ano > ?2 ORDER BY ano LIMIT 1");
  trim_age_ = Statement(h, "DELETE FROM history WHERE eno = ?1 AND ano = ?2 AND t < ?3");
  nth_newest_ = Statement(
      h, "SELECT t, seq FROM history WHERE eno = ?1 AND ano = ?2 ORDER BY t DESC, seq DESC LIMIT 1 OFFSET ?3");
  trim_count_ = Statement(h, "DELETE FROM history WHERE eno = ?1 AND ano = ?2 AND (t < ?3 OR (t = ?3 AND seq <= ?4))");
  merge_hour_ =
      Statement(h,
                "INSERT INTO history_hour VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO UPDATE SET "
                "count = count + ?4, numbers = numbers + ?5, sum = sum + ?6, sumsq = sumsq + ?7, "
                "min = CASE WHEN ?5 = 0 THEN min WHEN numbers = 0 THEN ?8 ELSE min(min, ?8) END, "
                "max = CASE WHEN ?5 = 0 THEN max WHEN numbers = 0 THEN ?9 ELSE max(max, ?9) END");
  drop_hours_ = Statement(h, "DELETE FROM history_hour WHERE eno = ?1 AND ano = ?2 AND hour >= ?3 AND hour < ?4");
  summarise_ =
      Statement(h, std::string(kSummarise) + "eno = ?1 AND ano = ?2 AND t >= ?3 AND t < ?4 AND deleted = 0 GROUP BY h");
  drop_entity_hours_ = Statement(h, "DELETE FROM history_hour WHERE eno = ?1");
  touch_entity_ = Statement(h, "UPDATE history_entity SET modified_at = ?2 WHERE eno = ?1");
  for (Statement* s :
       {&upsert_entity_, &insert_attr_, &insert_, &find_instance_, &delete_instance_, &delete_attr_,
        &delete_attr_dataset_, &delete_entity_rows_, &delete_entity_, &save_seq_, &next_ano_, &trim_age_, &nth_newest_,
        &trim_count_, &merge_hour_, &drop_hours_, &summarise_, &drop_entity_hours_, &touch_entity_})
    if (!s->ok()) return std::unexpected(db.error("prepare history"));
  return reload();
}

Status HistoryWriter::reload() {
  entities_.clear();
  attrs_.clear();
  pending_hours_.clear();
  Statement e(db_->handle(), "SELECT id, eno, types, scopes, deleted_at, modified_at FROM history_entity");
  while (e.step() == SQLITE_ROW)
    entities_.emplace(
        std::string(e.column_text(0)),
        EntityRow{e.column_int(1),
                  shape_of(from_json_array(e.column_text(2)), from_json_array(e.column_text(3)), e.column_int(4)),
                  e.column_int(5)});
  Statement a(db_->handle(), "SELECT name, ano FROM history_attr");
  while (a.step() == SQLITE_ROW) attrs_.emplace(std::string(a.column_text(0)), a.column_int(1));
  Statement m(db_->handle(), "SELECT value FROM history_meta WHERE key = 'next_seq'");
  next_seq_ = m.step() == SQLITE_ROW ? m.column_int(0) : 1;
  saved_seq_ = next_seq_;
  return {};
}

Status HistoryWriter::step_done(Statement& s) {
  const int rc = s.step();
  s.reset();
  if (rc != SQLITE_DONE) return std::unexpected(db_->error("history"));
  return {};
}

std::size_t HistoryWriter::shape_of(const std::vector<std::string>& types, const std::vector<std::string>& scopes,
                                    Millis deleted_at) {
  std::size_t h = std::hash<Millis>{}(deleted_at);
  auto mix = [&](std::string_view s) { h = h * 1099511628211ULL ^ std::hash<std::string_view>{}(s); };
  for (const auto& t : types) mix(t);
  mix("\x01");  // types | scopes
  for (const auto& s : scopes) mix(s);
  return h;
}

Result<long long> HistoryWriter::upsert_entity(const HistoryEntity& e) {
  const std::size_t shape = shape_of(e.types, e.scopes, e.deleted_at);
  if (auto it = entities_.find(e.id); it != entities_.end() && it->second.shape == shape) {
    EntityRow& row = it->second;
    if (e.modified_at > row.modified_at) {
      touch_entity_.bind(1, row.eno);
      touch_entity_.bind(2, static_cast<long long>(e.modified_at));
      if (auto s = step_done(touch_entity_); !s) return std::unexpected(s.error());
      row.modified_at = e.modified_at;
    }
    return row.eno;
  }
  upsert_entity_.bind(1, e.id);
  const std::string types = to_json_array(e.types), scopes = to_json_array(e.scopes);
  upsert_entity_.bind(2, types);
  upsert_entity_.bind(3, scopes);
  upsert_entity_.bind(4, static_cast<long long>(e.created_at));
  upsert_entity_.bind(5, static_cast<long long>(e.modified_at));
  upsert_entity_.bind(6, static_cast<long long>(e.deleted_at));
  const int rc = upsert_entity_.step();
  const EntityRow row{rc == SQLITE_ROW ? upsert_entity_.column_int(0) : 0, shape,
                      rc == SQLITE_ROW ? upsert_entity_.column_int(1) : 0};
  upsert_entity_.reset();
  if (rc != SQLITE_ROW) return std::unexpected(db_->error("history entity"));
  entities_[e.id] = row;
  return row.eno;
}

Result<long long> HistoryWriter::attr_no(const std::string& name, bool create) {
  if (auto it = attrs_.find(name); it != attrs_.end()) return it->second;
  if (!create) return 0;
  insert_attr_.bind(1, name);
  const int rc = insert_attr_.step();
  const long long ano = rc == SQLITE_ROW ? insert_attr_.column_int(0) : 0;
  insert_attr_.reset();
  if (rc != SQLITE_ROW) return std::unexpected(db_->error("history attribute"));
  attrs_[name] = ano;
  return ano;
}

Status HistoryWriter::insert(long long eno, long long ano, InstanceRecord& r) {
  if (!r.instance) r.instance = next_seq_++;
  const std::optional<double> number = r.deleted_at ? std::nullopt : number_of(r.json);
  insert_.bind(1, eno);
  insert_.bind(2, ano);
  insert_.bind(3, static_cast<long long>(r.time()));
  insert_.bind(4, r.instance);
  insert_.bind(5, r.dataset_id);
  insert_.bind(6, static_cast<long long>(r.observed_at));
  insert_.bind(7, static_cast<long long>(r.created_at));
  insert_.bind(8, static_cast<long long>(r.modified_at));
  insert_.bind(9, static_cast<long long>(r.deleted_at));
  if (number) insert_.bind(10, *number);
  insert_.bind(11, r.json);
  if (number) {
    ValueSummary& sum = pending_hours_[{eno, ano, hour_of(r.time())}];
    ++sum.count;
    sum.add_number(*number);
  }
  return step_done(insert_);
}

Status HistoryWriter::flush_hours() {
  for (const auto& [key, sum] : pending_hours_) {
    const auto& [eno, ano, hour] = key;
    merge_hour_.bind(1, eno);
    merge_hour_.bind(2, ano);
    merge_hour_.bind(3, static_cast<long long>(hour));
    merge_hour_.bind(4, sum.count);
    merge_hour_.bind(5, sum.numbers);
    merge_hour_.bind(6, sum.sum);
    merge_hour_.bind(7, sum.sumsq);
    merge_hour_.bind(8, sum.min);
    merge_hour_.bind(9, sum.max);
    if (auto s = step_done(merge_hour_); !s) return s;
  }
  pending_hours_.clear();
  return {};
}

Status HistoryWriter::resummarise(long long eno, long long ano, Millis from, Millis to) {
  for (Statement* s : {&drop_hours_, &summarise_}) {
    s->bind(1, eno);
    s->bind(2, ano);
    s->bind(3, static_cast<long long>(from));
    s->bind(4, static_cast<long long>(to));
    if (auto st = step_done(*s); !st) return st;
  }
  return {};
}

Status HistoryWriter::apply(HistoryWrite& w, Status& own) {
  using Op = HistoryWrite::Op;
  auto not_found = [&](std::string what) {
    own = fail(ErrorKind::ResourceNotFound, "Not found", std::move(what));
    return Status{};
  };
  if (w.op == Op::Record) {
    auto eno = upsert_entity(w.entity);
    if (!eno) return std::unexpected(eno.error());
    for (auto& r : w.instances) {
      auto ano = attr_no(r.attr, true);
      if (!ano) return std::unexpected(ano.error());
      if (auto s = insert(*eno, *ano, r); !s) return s;
    }
    return {};
  }
  // Removals re-summarise the hours they touch from the rows, so earlier insertions of this
  // transaction must be in the summaries first.
  if (auto s = flush_hours(); !s) return s;
  auto eno_it = entities_.find(w.entity.id);
  if (eno_it == entities_.end()) return not_found("no history for entity " + w.entity.id);
  const long long eno = eno_it->second.eno;
  if (w.op == Op::DeleteEntity) {
    delete_entity_rows_.bind(1, eno);
    if (auto s = step_done(delete_entity_rows_); !s) return s;
    delete_entity_.bind(1, eno);
    if (auto s = step_done(delete_entity_); !s) return s;
    drop_entity_hours_.bind(1, eno);
    if (auto s = step_done(drop_entity_hours_); !s) return s;
    entities_.erase(eno_it);
    return {};
  }
  auto ano = attr_no(w.attr, false);
  if (!ano) return std::unexpected(ano.error());
  if (*ano == 0) return not_found("no history for attribute " + w.attr);
  if (w.op == Op::DeleteAttribute) {
    Statement& d = w.all_datasets ? delete_attr_ : delete_attr_dataset_;
    d.bind(1, eno);
    d.bind(2, *ano);
    if (!w.all_datasets) d.bind(3, w.dataset_id);
    if (auto s = step_done(d); !s) return s;
    if (sqlite3_changes(db_->handle()) == 0) return not_found("no instances of attribute " + w.attr);
    return resummarise(eno, *ano, INT64_MIN, INT64_MAX);
  }
  // DeleteInstance, ReplaceInstance: find the instance's time (a scan of the attribute's rows).
  find_instance_.bind(1, eno);
  find_instance_.bind(2, *ano);
  find_instance_.bind(3, w.instance);
  const int rc = find_instance_.step();
  const long long t = rc == SQLITE_ROW ? find_instance_.column_int(0) : 0;
  find_instance_.reset();
  if (rc == SQLITE_DONE) return not_found("no instance " + std::to_string(w.instance) + " of attribute " + w.attr);
  if (rc != SQLITE_ROW) return std::unexpected(db_->error("history"));
  delete_instance_.bind(1, eno);
  delete_instance_.bind(2, *ano);
  delete_instance_.bind(3, t);
  delete_instance_.bind(4, w.instance);
  if (auto s = step_done(delete_instance_); !s) return s;
  if (auto s = resummarise(eno, *ano, hour_of(t), hour_of(t) + kHourMillis); !s) return s;
  if (w.op == Op::ReplaceInstance && !w.instances.empty()) {
    w.instances[0].instance = w.instance;
    return insert(eno, *ano, w.instances[0]);
  }
  return {};
}

Status HistoryWriter::finish() {
  if (auto s = flush_hours(); !s) return s;
  if (next_seq_ == saved_seq_) return {};
  save_seq_.bind(1, next_seq_);
  if (auto s = step_done(save_seq_); !s) return s;
  saved_seq_ = next_seq_;
  return {};
}

Result<bool> HistoryWriter::retain(const Retention& r, Millis now, size_t max_entities) {
  std::vector<long long> enos;
  {
    Statement q(db_->handle(), "SELECT eno FROM history_entity WHERE eno > ?1 ORDER BY eno LIMIT ?2");
    q.bind(1, retain_cursor_);
    q.bind(2, static_cast<long long>(max_entities));
    while (q.step() == SQLITE_ROW) enos.push_back(q.column_int(0));
  }
  for (long long eno : enos) {
    for (long long ano = 0;;) {  // each attribute with instances (a skip scan of the key)
      next_ano_.bind(1, eno);
      next_ano_.bind(2, ano);
      const int rc = next_ano_.step();
      ano = rc == SQLITE_ROW ? next_ano_.column_int(0) : 0;
      next_ano_.reset();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return std::unexpected(db_->error("retention"));
      if (r.max_age > 0) {
        trim_age_.bind(1, eno);
        trim_age_.bind(2, ano);
        const Millis cutoff = now - r.max_age;
        trim_age_.bind(3, static_cast<long long>(cutoff));
        if (auto s = step_done(trim_age_); !s) return std::unexpected(s.error());
        if (sqlite3_changes(db_->handle()) > 0)
          if (auto s = resummarise(eno, ano, INT64_MIN, hour_of(cutoff) + kHourMillis); !s)
            return std::unexpected(s.error());
      }
      if (r.max_count > 0) {
        nth_newest_.bind(1, eno);
        nth_newest_.bind(2, ano);
        nth_newest_.bind(3, r.max_count);  // the newest instance beyond the count
        const int found = nth_newest_.step();
        const long long t = found == SQLITE_ROW ? nth_newest_.column_int(0) : 0;
        const long long seq = found == SQLITE_ROW ? nth_newest_.column_int(1) : 0;
        nth_newest_.reset();
        if (found == SQLITE_ROW) {
          trim_count_.bind(1, eno);
          trim_count_.bind(2, ano);
          trim_count_.bind(3, t);
          trim_count_.bind(4, seq);
          if (auto s = step_done(trim_count_); !s) return std::unexpected(s.error());
          if (auto s = resummarise(eno, ano, INT64_MIN, hour_of(t) + kHourMillis); !s)
            return std::unexpected(s.error());
        }
      }
    }
    retain_cursor_ = eno;
  }
  if (enos.size() < max_entities) {
    retain_cursor_ = 0;
    return true;
  }
  return false;
}

}  // namespace dejima::store::sqlite

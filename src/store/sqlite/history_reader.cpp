// HistoryReads: the history's read-only queries, on a pool of connections (WAL: readers never
// wait for the committer).
#include "store/sqlite/history_tables.h"

#include <algorithm>
#include <map>
#include <optional>

#include "store/sqlite/history_internal.h"

namespace dejima::store::sqlite {
namespace {

constexpr const char* kEntityColumns = "id, types, scopes, created_at, modified_at, deleted_at";
// The entity and attribute numbers of ?1 (id) and ?2 (attribute name).
constexpr const char* kKeyMatch =
    "eno = (SELECT eno FROM history_entity WHERE id = ?1) AND ano = (SELECT ano FROM history_attr WHERE name = ?2)";

const char* time_column(TimeWindow::Property p) {
  switch (p) {
    case TimeWindow::Property::Created: return "created";
    case TimeWindow::Property::Modified: return "modified";
    default: return "t";
  }
}

HistoryEntity read_entity(Statement& q, int first) {
  HistoryEntity e;
  e.id = std::string(q.column_text(first));
  e.types = from_json_array(q.column_text(first + 1));
  e.scopes = from_json_array(q.column_text(first + 2));
  e.created_at = q.column_int(first + 3);
  e.modified_at = q.column_int(first + 4);
  e.deleted_at = q.column_int(first + 5);
  return e;
}

}  // namespace

struct HistoryReads::Connection {
  Database db;
  std::map<std::string, Statement, std::less<>> statements;

  Statement* prepare(const std::string& sql) {
    auto it = statements.find(sql);
    if (it == statements.end()) {
      Statement s(db.handle(), sql);
      if (!s.ok()) return nullptr;
      it = statements.emplace(sql, std::move(s)).first;
    }
    return &it->second;
  }
};

class HistoryReads::Lease {
 public:
  Lease(HistoryReads* owner, std::unique_ptr<Connection> c) : owner_(owner), c_(std::move(c)) {}
  Lease(Lease&& o) noexcept = default;
  ~Lease() {
    if (!c_) return;
    for (Statement* s : used_) s->reset();
    owner_->give_back(std::move(c_));
  }
  // A prepared statement of this connection, reset when the lease ends.
  Result<Statement*> prepare(const std::string& sql) {
    Statement* s = c_->prepare(sql);
    if (!s) return std::unexpected(c_->db.error("prepare"));
    s->reset();
    used_.push_back(s);
    return s;
  }
  Error error() const { return c_->db.error("history read"); }

 private:
  HistoryReads* owner_;
  std::unique_ptr<Connection> c_;
  std::vector<Statement*> used_;
};

HistoryReads::HistoryReads(std::string path) : path_(std::move(path)) {}
HistoryReads::~HistoryReads() = default;

Result<HistoryReads::Lease> HistoryReads::lease() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
  }
  auto c = std::make_unique<Connection>();
  if (auto s = c->db.open(path_, false, false, false); !s) return std::unexpected(s.error());  // one lessee at a time
  // Scans read many pages: map the file rather than copy each page through read(), and keep a
  // larger page cache per reader.
  if (auto s = c->db.exec("PRAGMA mmap_size=1073741824; PRAGMA cache_size=-32768"); !s)
    return std::unexpected(s.error());
  return Lease(this, std::move(c));
}

void HistoryReads::give_back(std::unique_ptr<Connection> c) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(c));
}

Result<std::vector<HistoryEntity>> HistoryReads::history_entities() {
  auto l = lease();
  if (!l) return std::unexpected(l.error());
  auto q = l->prepare(std::string("SELECT ") + kEntityColumns + " FROM history_entity ORDER BY id");
  if (!q) return std::unexpected(q.error());
  std::vector<HistoryEntity> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) out.push_back(read_entity(**q, 0));
  if (rc != SQLITE_DONE) return std::unexpected(l->error());
  return out;
}

Result<std::optional<HistoryEntity>> HistoryReads::history_entity(const std::string& id) {
  auto l = lease();
  if (!l) return std::unexpected(l.error());
  auto q = l->prepare(std::string("SELECT ") + kEntityColumns + " FROM history_entity WHERE id = ?1");
  if (!q) return std::unexpected(q.error());
  (*q)->bind(1, id);
  const int rc = (*q)->step();
  if (rc == SQLITE_ROW) return std::optional(read_entity(**q, 0));
  if (rc != SQLITE_DONE) return std::unexpected(l->error());
  return std::nullopt;
}

Result<std::vector<std::string>> HistoryReads::history_attributes(const std::string& id) {
  auto l = lease();
  if (!l) return std::unexpected(l.error());
  // A skip scan of the key: one seek per attribute, whatever the number of instances.
  auto next = l->prepare(
      "SELECT h.ano, a.name FROM history h JOIN history_attr a ON a.ano = h.ano "
      "WHERE h.eno = (SELECT eno FROM history_entity WHERE id = ?1) AND h.ano > ?2 ORDER BY h.ano LIMIT 1");
  if (!next) return std::unexpected(next.error());
  std::vector<std::string> out;
  for (long long ano = 0;;) {
    (*next)->reset();
    (*next)->bind(1, id);
    (*next)->bind(2, ano);
    const int rc = (*next)->step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return std::unexpected(l->error());
    ano = (*next)->column_int(0);
    out.emplace_back((*next)->column_text(1));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<InstanceRecord>> HistoryReads::history_instances(const std::string& id, const std::string& attr,
                                                                    const TimeWindow& w, size_t limit, bool newest) {
  auto l = lease();
  if (!l) return std::unexpected(l.error());
  const std::string col = time_column(w.property);
  const std::string order = newest ? " DESC" : "";
  auto q = l->prepare("SELECT seq, dataset, observed, created, modified, deleted, doc FROM history WHERE " +
                      std::string(kKeyMatch) + " AND " + col + " >= ?3 AND " + col + " < ?4 ORDER BY " + col + order +
                      ", seq" + order + " LIMIT ?5");
  if (!q) return std::unexpected(q.error());
  (*q)->bind(1, id);
  (*q)->bind(2, attr);
  (*q)->bind(3, static_cast<long long>(w.from));
  (*q)->bind(4, static_cast<long long>(w.to));
  (*q)->bind(5, static_cast<long long>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<InstanceRecord> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) {
    InstanceRecord r;
    r.attr = attr;
    r.instance = (*q)->column_int(0);
    r.dataset_id = std::string((*q)->column_text(1));
    r.observed_at = (*q)->column_int(2);
    r.created_at = (*q)->column_int(3);
    r.modified_at = (*q)->column_int(4);
    r.deleted_at = (*q)->column_int(5);
    r.json = std::string((*q)->column_text(6));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return std::unexpected(l->error());
  if (newest) std::reverse(out.begin(), out.end());
  return out;
}

Status HistoryReads::history_scan(const std::string& id, const std::string& attr, const TimeWindow& w, ScanNeed need,
                                  const ValueVisitor& visit) {
  auto l = lease();
  if (!l) return std::unexpected(l.error());
  const std::string col = time_column(w.property);
  const bool with_values = need == ScanNeed::Values;
  // Numbers in an observedAt window: the narrow index of numeric instances answers alone.
  const bool narrow = need == ScanNeed::Numbers && w.property == TimeWindow::Property::Observed;
  auto q =
      l->prepare("SELECT " + col + ", num" + (with_values ? ", doc" : "") + " FROM history" +
                 (narrow ? " INDEXED BY history_numbers" : "") + " WHERE " + std::string(kKeyMatch) + " AND " + col +
                 " >= ?3 AND " + col + " < ?4 AND " + (need == ScanNeed::Numbers ? "num IS NOT NULL" : "deleted = 0") +
                 " ORDER BY " + col);  // ties in any order: aggregation does not care
  if (!q) return std::unexpected(q.error());
  Statement& s = **q;
  s.bind(1, id);
  s.bind(2, attr);
  s.bind(3, static_cast<long long>(w.from));
  s.bind(4, static_cast<long long>(w.to));
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    const bool is_number = !s.column_null(1);
    const double number = is_number ? s.column_double(1) : 0;
    visit(s.column_int(0), with_values ? main_value(s.column_text(2)).text : std::string_view{},
          is_number ? &number : nullptr);
  }
  if (rc != SQLITE_DONE) return std::unexpected(l->error());
  return {};
}

Status HistoryReads::history_hours(const std::string& id, const std::string& attr, Millis from, Millis to,
                                   const HourVisitor& visit) {
  auto l = lease();
  if (!l) return std::unexpected(l.error());
  auto q = l->prepare("SELECT hour, count, numbers, sum, sumsq, min, max FROM history_hour WHERE " +
                      std::string(kKeyMatch) + " AND hour >= ?3 AND hour < ?4 ORDER BY hour");
  if (!q) return std::unexpected(q.error());
  Statement& s = **q;
  s.bind(1, id);
  s.bind(2, attr);
  s.bind(3, static_cast<long long>(from));
  s.bind(4, static_cast<long long>(to));
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    ValueSummary v;
    v.count = s.column_int(1);
    v.numbers = s.column_int(2);
    v.sum = s.column_double(3);
    v.sumsq = s.column_double(4);
    v.min = s.column_double(5);
    v.max = s.column_double(6);
    visit(s.column_int(0), v);
  }
  if (rc != SQLITE_DONE) return std::unexpected(l->error());
  return {};
}

}  // namespace dejima::store::sqlite

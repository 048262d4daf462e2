// A tenant's entity history in its SQLite database, beside entity_log:
//
//   history_entity(eno, id, types, scopes, created_at, modified_at, deleted_at)
//   history_attr(ano, name)                  attribute names, numbered
//   history(eno, ano, t, seq, ...)           WITHOUT ROWID, keyed (eno, ano, t, seq)
//   history_meta(key, value)                 the next instance number
//   history_hour(eno, ano, hour, ...)        per-hour count/numbers/sum/sumsq/min/max of numeric instances
//
// The instances of one attribute of one entity lie together in time order (t = observedAt, or
// the time recorded when there is none), so a time-range read or an aggregation touches only
// the pages it returns. `num` holds the value when it is a number, so an aggregation reads no
// JSON. HistoryWriter runs on the committer's connection inside its transactions
// (history_writer.cpp); HistoryReads answers readers from a pool of read-only connections
// (history_reader.cpp; WAL: readers never wait for the writer).
#pragma once
#include <boost/unordered/unordered_flat_map.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "store/sqlite/db.h"
#include "store/store.h"

namespace dejima::store::sqlite {

class HistoryWriter {
 public:
  // Creates the tables and prepares the statements on the committer's connection.
  Status open(Database& db);
  // Applies one operation in the open transaction. A SQL failure is returned; an operation that
  // finds nothing to act on sets `own` to ResourceNotFound.
  Status apply(HistoryWrite& w, Status& own);
  // Saves the instance counter (call before COMMIT when anything was applied).
  Status finish();
  // Re-reads the in-memory maps after a rolled-back transaction.
  Status reload();
  // Applies the retention to up to `max_entities` entities from the cursor on; returns true
  // when it went round every entity.
  Result<bool> retain(const Retention& r, Millis now, size_t max_entities);

 private:
  // Creates or updates the entity row (types, scopes, times); returns its number.
  Result<long long> upsert_entity(const HistoryEntity& e);
  // What the committer knows of an entity row, so that a write that changes only its
  // modification time updates that column by row number.
  struct EntityRow {
    long long eno = 0;
    std::size_t shape = 0;  // hash of types, scopes, deleted_at
    Millis modified_at = 0;
  };
  static std::size_t shape_of(const std::vector<std::string>& types, const std::vector<std::string>& scopes,
                              Millis deleted_at);
  Result<long long> attr_no(const std::string& name, bool create);
  Status insert(long long eno, long long ano, InstanceRecord& r);
  // Adds the summaries of this transaction's insertions to history_hour.
  Status flush_hours();
  // Rebuilds the summaries of the hours starting in [from, to) from the rows (after removals).
  Status resummarise(long long eno, long long ano, Millis from, Millis to);
  Status step_done(Statement& s);

  Database* db_ = nullptr;
  Statement upsert_entity_, insert_attr_, insert_, find_instance_, delete_instance_, delete_attr_, delete_attr_dataset_,
      delete_entity_rows_, delete_entity_, save_seq_, next_ano_, trim_age_, nth_newest_, trim_count_, merge_hour_,
      drop_hours_, summarise_, drop_entity_hours_, touch_entity_;
  std::map<std::tuple<long long, long long, Millis>, ValueSummary> pending_hours_;  // (eno, ano, hour)
  boost::unordered_flat_map<std::string, EntityRow, std::hash<std::string>> entities_;
  boost::unordered_flat_map<std::string, long long, std::hash<std::string>> attrs_;
  long long next_seq_ = 1, saved_seq_ = 0;
  long long retain_cursor_ = 0;  // entity number the retention continues from
};

class HistoryReads final : public HistoryReader {
 public:
  explicit HistoryReads(std::string path);
  ~HistoryReads() override;

  Result<std::vector<HistoryEntity>> history_entities() override;
  Result<std::optional<HistoryEntity>> history_entity(const std::string& id) override;
  Result<std::vector<std::string>> history_attributes(const std::string& id) override;
  Result<std::vector<InstanceRecord>> history_instances(const std::string& id, const std::string& attr,
                                                        const TimeWindow& w, size_t limit, bool newest) override;
  Status history_scan(const std::string& id, const std::string& attr, const TimeWindow& w, ScanNeed need,
                      const ValueVisitor& visit) override;
  Status history_hours(const std::string& id, const std::string& attr, Millis from, Millis to,
                       const HourVisitor& visit) override;

 private:
  struct Connection;
  // A connection out of the pool for the duration of one call.
  class Lease;
  Result<Lease> lease();
  void give_back(std::unique_ptr<Connection> c);

  const std::string path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace dejima::store::sqlite

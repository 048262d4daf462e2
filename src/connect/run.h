// Running a connector once: fetch the source, convert it with its format, upsert the entities
// through the tenant's batch path (5,000 per durable transaction, the same path as
// /entityOperations/upsert), optionally delete the entities the source no longer has, and
// record what happened.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/tenant.h"
#include "connect/declaration.h"
#include "connect/format.h"
#include "connect/source.h"
#include "util/time.h"

namespace dejima::connect {

struct RunLog {
  std::string connector;
  Millis started = 0, ended = 0;
  std::string status;          // "ok", "unchanged" (the source was not modified), "failed"
  std::string error;           // why it failed
  size_t bytes = 0, rows = 0;  // rows: converted entities + rejected rows
  size_t created = 0, updated = 0, unchanged = 0, deleted = 0, rejected = 0;
  std::vector<Rejection> rejections;  // the first kMaxRejections
  std::vector<std::string> notes;
  SourceState source;  // what the source looked like, for the next run

  static constexpr size_t kMaxRejections = 1000;
};

// Called as the run goes: stage ("fetch", "convert", "delete"), done and total units.
using Progress = std::function<void(std::string_view stage, size_t done, size_t total)>;

// `cancel` stops the run between batches and sources (and aborts a transfer): it then fails with
// "cancelled", keeps what it already wrote and deletes nothing.
RunLog run_connector(const Declaration& d, broker::Tenants& tenants, const SourceState& previous,
                     const Progress& progress = {}, const Cancel* cancel = nullptr);

// The run log as JSON (the connectors API, `dejima import`).
std::string run_log_json(const RunLog& log);

}  // namespace dejima::connect

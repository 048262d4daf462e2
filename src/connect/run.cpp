#include "connect/run.h"

#include <deque>
#include <future>
#include <unordered_set>

#include "jsonld/context.h"
#include "model/mutate.h"
#include "model/parse.h"
#include "util/json.h"

namespace dejima::connect {
namespace {

constexpr size_t kBatch = 5000;

// True when the parsed row would leave the entity as it is.
bool same(const model::Entity& e, const model::ParsedEntity& p) {
  if (e.types != p.types || e.attrs.size() != p.attrs.size()) return false;
  for (size_t i = 0; i < e.attrs.size(); ++i)
    if (e.attrs[i].name != p.attrs[i].name || e.attrs[i].dataset_id != p.attrs[i].dataset_id ||
        e.attrs[i].json != p.attrs[i].json)
      return false;
  return true;
}

// Collects converted entities and writes them batch by batch.
class Writer final : public Sink {
 public:
  Writer(broker::Tenant& tenant, broker::Tenant::History history, RunLog& log, const Progress& progress,
         const Cancel* cancel)
      : tenant_(tenant),
        history_(history),
        log_(log),
        progress_(progress),
        cancel_(cancel),
        ctx_(jsonld::Context::core()) {}

  void entity(std::string json) override {
    if (cancel_ && cancel_->load()) return;  // the run is stopping: nothing more is written
    pending_.push_back(std::move(json));
    if (pending_.size() >= kBatch) flush();
  }
  void reject(Rejection r) override {
    ++log_.rejected;
    if (!r.id.empty()) seen_.insert(r.id);
    if (log_.rejections.size() < RunLog::kMaxRejections) log_.rejections.push_back(std::move(r));
  }
  void note(std::string message) override { log_.notes.push_back(std::move(message)); }
  void progress(size_t done, size_t total) override {
    if (progress_) progress_("convert", done, total);
  }
  void incomplete(std::string reason) override {
    incomplete_ = true;
    log_.notes.push_back("incomplete: " + reason);
  }

  // Writes what is pending; false once a commit failed (the run stops).
  bool flush() {
    if (pending_.empty() || !error_.empty()) return error_.empty();
    std::vector<std::string> ids;
    std::vector<model::ParsedEntity> parsed;
    for (auto& text : pending_) {
      json::Document doc;
      json::parse(doc, text);  // formats write JSON objects; parse_entity says what is wrong
      Result<model::ParsedEntity> p = model::parse_entity(doc, *ctx_, model::ParseMode::Create);
      if (!p) {  // e.g. a mapped attribute name that NGSI-LD forbids
        const bool has_id = doc.IsObject() && doc.HasMember("id") && doc["id"].IsString();
        reject({0, p.error().title + ": " + p.error().detail, cut_row(text),
                has_id ? std::string(json::view(doc["id"])) : std::string()});
        continue;
      }
      seen_.insert(*p->id);
      ids.push_back(*p->id);
      parsed.push_back(std::move(*p));
    }
    log_.rows += pending_.size();
    pending_.clear();
    const Millis now = now_millis();
    auto committed = std::make_shared<std::promise<Status>>();
    in_flight_.push_back(committed->get_future());
    tenant_.apply_batch(  // decides now, on this thread; commits on the tenant's committer
        ids,
        [&](size_t i, const broker::EntityPtr& cur) -> Result<std::shared_ptr<model::Entity>> {
          if (!cur) {
            ++log_.created;
            return std::make_shared<model::Entity>(model::new_entity(std::move(parsed[i]), now));
          }
          if (same(*cur, parsed[i])) {
            ++log_.unchanged;
            return std::const_pointer_cast<model::Entity>(cur);  // left as it is: no write
          }
          ++log_.updated;
          return std::make_shared<model::Entity>(model::replaced_entity(*cur, std::move(parsed[i]), now));
        },
        [committed](std::vector<Status>, Status commit) { committed->set_value(commit); }, history_);
    // The next batch is converted while this one commits; at most kInFlight wait.
    while (in_flight_.size() > kInFlight) wait_oldest();
    return error_.empty();
  }

  // Waits for every batch to be durable; false when one failed.
  bool finish() {
    flush();
    while (!in_flight_.empty()) wait_oldest();
    return error_.empty();
  }

  const std::unordered_set<std::string>& seen() const { return seen_; }
  bool incomplete() const { return incomplete_; }
  const std::string& error() const { return error_; }

 private:
  broker::Tenant& tenant_;
  const broker::Tenant::History history_;
  RunLog& log_;
  const Progress& progress_;
  const Cancel* cancel_;
  std::shared_ptr<const jsonld::Context> ctx_;
  void wait_oldest() {
    if (auto s = in_flight_.front().get(); !s && error_.empty()) error_ = s.error().detail;
    in_flight_.pop_front();
  }

  static constexpr size_t kInFlight = 2;
  std::vector<std::string> pending_;
  std::deque<std::future<Status>> in_flight_;
  std::unordered_set<std::string> seen_;
  bool incomplete_ = false;
  std::string error_;
};

broker::Tenant::History history_of(const Declaration& d) {
  return d.history ? broker::Tenant::History::Keep : broker::Tenant::History::Skip;
}

// Deletes the entities of the connector's types under their id prefixes that this run did not see.
Status delete_missing(broker::Tenant& tenant, const Declaration& d, const std::unordered_set<std::string>& seen,
                      RunLog& log) {
  std::vector<std::string> gone;
  for (const auto& scope : scopes(d)) {
    query::Filter f;
    query::Selector sel;
    sel.types = query::Names{query::Names::Kind::Atom, jsonld::Context::core()->expand(scope.type), {}};
    f.entities.push_back(std::move(sel));
    for (const auto& e : tenant.query(f, query::Page{.offset = 0, .limit = SIZE_MAX}).entities)
      if (e->id.starts_with(scope.id_prefix) && !seen.contains(e->id)) gone.push_back(e->id);
  }
  if (gone.empty()) return {};
  std::promise<Status> committed;
  tenant.apply_batch(
      gone, [](size_t, const broker::EntityPtr&) -> Result<std::shared_ptr<model::Entity>> { return nullptr; },
      [&](std::vector<Status>, Status commit) { committed.set_value(commit); }, history_of(d));
  auto s = committed.get_future().get();
  if (s) log.deleted += gone.size();
  return s;
}

}  // namespace

RunLog run_connector(const Declaration& d, broker::Tenants& tenants, const SourceState& previous,
                     const Progress& progress, const Cancel* cancel) {
  RunLog log;
  log.connector = d.name;
  log.started = now_millis();
  auto finish = [&](std::string status, std::string error = {}) {
    log.status = std::move(status);
    log.error = std::move(error);
    log.ended = now_millis();
    return log;
  };
  const Format* format = find_format(d.format);
  if (!format) return finish("failed", "unknown format '" + d.format + "' (known: " + format_names() + ")");
  if (d.options.type.empty()) return finish("failed", "the declaration has no entity type");
  if (progress) progress("fetch", 0, 1);
  auto cancelled = [&] { return cancel && cancel->load(); };
  auto fetched = fetch_source(d.source, previous, 60, kMaxSourceBytes, cancel);
  if (cancelled()) return finish("failed", "cancelled before the source was read");
  if (!fetched) return finish("failed", fetched.error().title + ": " + fetched.error().detail);
  log.source = fetched->state;
  if (fetched->not_modified) return finish("unchanged");
  log.bytes = fetched->body.size();
  auto tenant = tenants.find_or_create(d.tenant);
  if (!tenant) return finish("failed", tenant.error().detail);

  Writer writer(**tenant, history_of(d), log, progress, cancel);
  Options options = d.options;
  options.source = d.source;
  options.cancel = cancel;
  options.id_prefix = id_prefix(d);
  const Status converted = format->convert(fetched->body, options, writer);
  fetched->body = std::string();
  if (!converted) {
    writer.finish();  // what was converted before the source turned unreadable is kept
    return finish("failed", converted.error().title + ": " + converted.error().detail);
  }
  if (!writer.finish()) return finish("failed", "write failed: " + writer.error());
  if (cancelled()) return finish("failed", "cancelled: the entities written before stay, nothing is deleted");
  if (d.delete_missing) {
    if (writer.seen().empty()) {
      log.notes.push_back("nothing converted: no entity deleted");
    } else if (writer.incomplete()) {
      log.notes.push_back("part of the source could not be read: no entity deleted");
    } else {
      if (progress) progress("delete", 0, 1);
      if (auto s = delete_missing(**tenant, d, writer.seen(), log); !s)
        return finish("failed", "delete failed: " + s.error().detail);
    }
  }
  return finish("ok");
}

std::string run_log_json(const RunLog& log) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("connector");
  json::write_string(w, log.connector);
  w.Key("status");
  json::write_string(w, log.status);
  if (!log.error.empty()) {
    w.Key("error");
    json::write_string(w, log.error);
  }
  w.Key("startedAt");
  json::write_string(w, format_iso8601(log.started));
  w.Key("endedAt");
  json::write_string(w, format_iso8601(log.ended));
  w.Key("durationMs");
  w.Int64(log.ended - log.started);
  for (const auto& [k, v] : {std::pair<const char*, size_t>{"bytes", log.bytes},
                             {"rows", log.rows},
                             {"created", log.created},
                             {"updated", log.updated},
                             {"unchanged", log.unchanged},
                             {"deleted", log.deleted},
                             {"rejected", log.rejected}}) {
    w.Key(k);
    w.Uint64(v);
  }
  w.Key("notes");
  w.StartArray();
  for (const auto& n : log.notes) json::write_string(w, n);
  w.EndArray();
  w.Key("rejections");
  w.StartArray();
  for (const auto& r : log.rejections) {
    w.StartObject();
    w.Key("line");
    w.Uint64(r.line);
    if (!r.id.empty()) {
      w.Key("id");
      json::write_string(w, r.id);
    }
    w.Key("reason");
    json::write_string(w, r.reason);
    w.Key("row");
    json::write_string(w, r.row);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

}  // namespace dejima::connect

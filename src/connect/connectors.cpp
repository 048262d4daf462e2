#include "connect/connectors.h"

#include <spdlog/spdlog.h>

namespace dejima::connect {
namespace {

// A run log without its rejected rows and notes: what a connector listing shows.
std::string summary_of(const std::string& log_json) {
  json::Document doc;
  if (!json::parse_stored(doc, log_json).empty() || !doc.IsObject()) return "null";
  doc.RemoveMember("rejections");
  doc.RemoveMember("notes");
  return json::to_string(doc);
}

}  // namespace

Status Connectors::load() {
  auto stored = storage_.load_connectors();
  if (!stored) return std::unexpected(stored.error());
  std::lock_guard lock(mu_);
  for (const auto& c : *stored) {
    json::Document doc;
    if (!json::parse_stored(doc, c.body).empty())
      return fail(ErrorKind::InternalError, "stored connector is not JSON", c.name);
    auto d = parse_declaration(doc);
    if (!d) return fail(ErrorKind::InternalError, "stored connector is invalid", c.name + ": " + d.error().detail);
    Entry e{std::move(*d), {c.etag, c.last_modified}};
    if (!e.d.schedule.empty()) e.next_run = now_millis();
    if (auto runs = storage_.load_runs(c.name); runs && !runs->empty()) e.last_run = summary_of(runs->front());
    entries_[c.name] = std::move(e);
  }
  return {};
}

void Connectors::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { worker(); });
}

void Connectors::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cancel_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<bool> Connectors::declare(Declaration d) {
  std::lock_guard lock(mu_);
  // Connectors that delete what their source lost must not reach into each other's entities.
  const std::vector<Format::Scope> mine = scopes(d);
  for (const auto& [name, e] : entries_) {
    if (name == d.name || !(d.delete_missing || e.d.delete_missing) || e.d.tenant != d.tenant) continue;
    for (const auto& other : scopes(e.d))
      for (const auto& m : mine)
        if (m.type == other.type &&
            (other.id_prefix.starts_with(m.id_prefix) || m.id_prefix.starts_with(other.id_prefix)))
          return fail(ErrorKind::BadRequestData, "Invalid connector",
                      "connector '" + name + "' writes " + m.type + " entities under the id prefix " + other.id_prefix +
                          "; with deleteMissing, give each connector its own idPrefix" +
                          (d.format == "gtfs" ? " (gtfs: its own params.feed)" : ""));
  }
  auto it = entries_.find(d.name);
  const bool created = it == entries_.end();
  if (auto s = storage_.save_connector({d.name, declaration_json(d), "", ""}); !s) return std::unexpected(s.error());
  Entry& e = entries_[d.name];
  e.d = std::move(d);
  e.state = {};  // the mapping may have changed: read the source again
  e.next_run = e.d.schedule.empty() ? 0 : now_millis();
  cv_.notify_all();
  return created;
}

Status Connectors::remove(const std::string& name) {
  std::lock_guard lock(mu_);
  if (!entries_.contains(name)) return fail(ErrorKind::ResourceNotFound, "Connector not found", name);
  if (auto s = storage_.delete_connector(name); !s) return s;
  entries_.erase(name);
  std::erase(queue_, name);
  if (running_ && running_->connector == name) cancel_ = true;
  return {};
}

std::optional<Declaration> Connectors::find(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  return it->second.d;
}

std::vector<Declaration> Connectors::list() const {
  std::lock_guard lock(mu_);
  std::vector<Declaration> out;
  for (const auto& [n, e] : entries_) out.push_back(e.d);
  return out;
}

Status Connectors::trigger(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return fail(ErrorKind::ResourceNotFound, "Connector not found", name);
  if (!it->second.queued && !(running_ && running_->connector == name)) {
    it->second.queued = true;
    queue_.push_back(name);
    cv_.notify_all();
  }
  return {};
}

std::string Connectors::progress_json() const {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("connector");
  json::write_string(w, running_->connector);
  w.Key("status");
  w.String("running");
  w.Key("startedAt");
  json::write_string(w, format_iso8601(running_->started));
  w.Key("stage");
  json::write_string(w, running_->stage);
  w.Key("done");
  w.Uint64(running_->done);
  w.Key("total");
  w.Uint64(running_->total);
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

std::optional<std::string> Connectors::describe(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  const Entry& e = it->second;
  std::string out = declaration_json(e.d);
  out.pop_back();
  const bool running = running_ && running_->connector == name;
  out += R"(,"state":")";
  out += running ? "running" : e.queued ? "queued" : "idle";
  out += '"';
  if (running) out += R"(,"progress":)" + progress_json();
  if (e.next_run > 0) out += R"(,"nextRunAt":")" + format_iso8601(e.next_run) + '"';
  out += R"(,"lastRun":)" + (e.last_run.empty() ? std::string("null") : e.last_run) + '}';
  return out;
}

Result<std::vector<std::string>> Connectors::runs(const std::string& name) const {
  std::vector<std::string> out;
  {
    std::lock_guard lock(mu_);
    if (!entries_.contains(name)) return fail(ErrorKind::ResourceNotFound, "Connector not found", name);
    if (running_ && running_->connector == name) out.push_back(progress_json());
  }
  auto stored = storage_.load_runs(name);
  if (!stored) return std::unexpected(stored.error());
  for (auto& r : *stored) out.push_back(std::move(r));
  return out;
}

void Connectors::worker() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const Millis now = now_millis();
    Millis next = 0;
    for (auto& [name, e] : entries_) {
      if (e.next_run == 0) continue;
      if (e.next_run <= now) {
        e.next_run = e.d.schedule.next(now);  // 0 when cron never matches again: no more runs
        if (!e.queued && !(running_ && running_->connector == name)) {
          e.queued = true;
          queue_.push_back(name);
        }
      }
      next = next == 0 ? e.next_run : std::min(next, e.next_run);
    }
    if (queue_.empty()) {
      if (next == 0)
        cv_.wait(lock);
      else
        cv_.wait_for(lock, std::chrono::milliseconds(next - now));
      continue;
    }
    const std::string name = queue_.front();
    queue_.pop_front();
    lock.unlock();
    run_one(name);
    lock.lock();
  }
}

void Connectors::run_one(const std::string& name) {
  Declaration d;
  SourceState previous;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(name);
    if (it == entries_.end() || stopping_) return;
    it->second.queued = false;
    cancel_ = false;
    d = it->second.d;
    previous = it->second.state;
    running_ = Progress{name, "fetch", now_millis(), 0, 0};
  }
  RunLog log = run_connector(
      d, tenants_, previous,
      [this](std::string_view stage, size_t done, size_t total) {
    std::lock_guard lock(mu_);
    running_->stage = stage;
    running_->done = done;
    running_->total = total;
      },
      &cancel_);
  const std::string log_json = run_log_json(log);
  if (log.status == "failed")
    spdlog::warn("connector '{}' failed: {}", name, log.error);
  else
    spdlog::info("connector '{}': {} ({} created, {} updated, {} deleted, {} rejected)", name, log.status, log.created,
                 log.updated, log.deleted, log.rejected);
  std::lock_guard lock(mu_);
  running_.reset();
  auto it = entries_.find(name);
  if (it == entries_.end()) return;  // removed while it ran
  if (auto s = storage_.save_run(name, log.started, log_json, kRunsKept); !s)
    spdlog::error("connector '{}': cannot keep the run log: {}", name, s.error().detail);
  it->second.last_run = summary_of(log_json);
  // A failed scheduled run is tried again within kRetry rather than a whole period later.
  if (log.status == "failed" && it->second.next_run > 0)
    it->second.next_run = std::min(it->second.next_run, now_millis() + it->second.d.schedule.retry(kRetry));
  // A declaration replaced while it ran reads its source again; otherwise remember the source.
  if (declaration_json(it->second.d) == declaration_json(d) && log.status != "failed") {
    if (log.status == "ok") it->second.state = log.source;
    if (auto s =
            storage_.save_connector({name, declaration_json(d), it->second.state.etag, it->second.state.last_modified});
        !s)
      spdlog::error("connector '{}': cannot keep the source state: {}", name, s.error().detail);
  }
}

}  // namespace dejima::connect

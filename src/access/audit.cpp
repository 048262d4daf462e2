#include "access/audit.h"

#include <spdlog/spdlog.h>

#include "access/tenant_record.h"

namespace dejima::access {
namespace {

constexpr const char* kKind = "audit";

bool changes(http::Method m) { return m != http::Method::Get && m != http::Method::Head && m != http::Method::Options; }

bool administrative(http::Need n) {
  return n == http::Need::TenantAdmin || n == http::Need::Operator || n == http::Need::Identified;
}

std::string entry_json(Millis at, const http::Request& req, const http::RouteInfo* route, const http::Response& resp) {
  return json::written([&](json::Writer& w) {
    w.StartObject();
    w.Key("at");
    json::write_string(w, format_iso8601(at));
    w.Key("actor");
    json::write_string(w, resp.actor.empty() ? req.grant.caller : resp.actor);
    w.Key("address");
    json::write_string(w, req.peer);
    w.Key("tenant");
    json::write_string(w, req.grant.tenant.empty() ? kDefaultTenantAlias : std::string_view(req.grant.tenant));
    w.Key("method");
    json::write_string(w, http::method_name(req.method));
    w.Key("path");
    json::write_string(w, req.path);
    w.Key("route");
    json::write_string(w, route ? std::string_view(route->pattern) : std::string_view());
    w.Key("status");
    w.Uint(resp.status);
    w.Key("outcome");
    json::write_string(w, resp.status == 401 || resp.status == 403 ? "refused"
                          : resp.status >= 400                     ? "failed"
                                                                   : "done");
    w.EndObject();
  });
}

}  // namespace

void AuditLog::observe(const http::Request& req, const http::RouteInfo* route, const http::Response& resp,
                       std::chrono::steady_clock::time_point) {
  const bool action = !resp.actor.empty() || (route && changes(req.method) && administrative(route->permission.need));
  const bool refusal = resp.status == 401 || resp.status == 403;
  if (!action && !refusal) return;
  const Millis now = now_millis();
  store::JournalEntry e{now, req.grant.tenant, entry_json(now, req, route, resp)};
  if (action) {
    if (auto s = storage_.append_journal(kKind, {std::move(e)}); !s)
      spdlog::error("cannot write the audit log: {}", s.error().detail);
    return;
  }
  std::lock_guard lock(mu_);
  if (waiting_.size() >= kMaxWaiting)
    ++dropped_;
  else
    waiting_.push_back(std::move(e));
}

Status AuditLog::flush() {
  std::vector<store::JournalEntry> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(waiting_);
    if (dropped_ > 0) {
      const Millis now = now_millis();
      batch.push_back({now, "", json::written([&](json::Writer& w) {
                         w.StartObject();
                         w.Key("at");
                         json::write_string(w, format_iso8601(now));
                         w.Key("actor");
                         w.String("dejima");
                         w.Key("outcome");
                         w.String("refusals not kept");
                         w.Key("count");
                         w.Int64(dropped_);
                         w.EndObject();
                       })});
      dropped_ = 0;
    }
  }
  auto s = storage_.append_journal(kKind, batch);
  if (!s) spdlog::error("cannot write the audit log: {} ({} refusals lost)", s.error().detail, batch.size());
  return s;
}

void AuditLog::start(std::chrono::milliseconds every) {
  flusher_.start(every, [this] { (void)flush(); });
}

void AuditLog::stop() {
  flusher_.stop();
  (void)flush();  // when it was never started
}

Result<std::vector<std::string>> AuditLog::read(const store::JournalQuery& q) {
  if (auto s = flush(); !s) return std::unexpected(s.error());
  auto entries = storage_.read_journal(kKind, q);
  if (!entries) return std::unexpected(entries.error());
  std::vector<std::string> out;
  for (auto& e : *entries) out.push_back(std::move(e.body));
  return out;
}

}  // namespace dejima::access

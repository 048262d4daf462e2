#include "site/live.h"

#include <algorithm>
#include <charconv>

#include "jsonld/context.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::site {
namespace {

std::string base36(std::uint64_t v) {
  std::string out;
  do {
    out.insert(out.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
    v /= 36;
  } while (v);
  return out;
}

const char* operation(const broker::ChangeEvent& c) {
  if (!c.before) return "create";
  if (!c.after) return "delete";
  return "update";
}

}  // namespace

bool Watch::wants(const std::string& t, const std::vector<model::Name>& entity_types) const {
  if (t != tenant) return false;
  auto has = [&](const std::vector<std::string>& list) {
    return std::any_of(entity_types.begin(), entity_types.end(), [&](const model::Name& n) {
      return std::find(list.begin(), list.end(), n.str()) != list.end();
    });
  };
  if (readable && !has(*readable)) return false;
  return types.empty() || has(types);
}

LiveHub::LiveHub(size_t retained, std::chrono::milliseconds heartbeat)
    : retained_(std::max<size_t>(1, retained)), boot_(base36(static_cast<std::uint64_t>(now_millis()))) {
  heartbeat_.start(heartbeat, [this] { beat(); });
}

LiveHub::~LiveHub() { heartbeat_.stop(); }

void LiveHub::publish(const std::string& tenant, const std::vector<broker::ChangeEvent>& changes) {
  const auto& core = *jsonld::Context::core();
  std::lock_guard lock(mu_);
  std::vector<std::string> out(clients_.size());  // one write per client for the whole commit
  for (const auto& c : changes) {
    const model::Entity& e = c.after ? *c.after : *c.before;
    Event ev{next_seq_++, tenant, e.types, {}};
    const std::string data = json::written([&](json::Writer& w) {
      w.StartObject();
      json::write_key(w, "tenant");
      json::write_string(w, tenant);
      json::write_key(w, "op");
      w.String(operation(c));
      json::write_key(w, "id");
      json::write_string(w, e.id);
      json::write_key(w, "type");
      json::write_string(w, e.types.empty() ? std::string() : core.compact(e.types.front().str()));
      json::write_key(w, "modifiedAt");
      json::write_string(w, format_iso8601(c.after ? c.after->modified_at : now_millis()));
      w.EndObject();
    });
    ev.frame = "id: " + boot_ + "-" + std::to_string(ev.seq) + "\nevent: change\ndata: " + data + "\n\n";
    for (size_t i = 0; i < clients_.size(); ++i)
      if (clients_[i].watch.wants(tenant, ev.types)) out[i] += ev.frame;
    events_.push_back(std::move(ev));
    if (events_.size() > retained_) events_.pop_front();
  }
  std::vector<Client> kept;
  kept.reserve(clients_.size());
  for (size_t i = 0; i < clients_.size(); ++i)
    if (out[i].empty() ? !clients_[i].sink->closed() : clients_[i].sink->write(std::move(out[i])))
      kept.push_back(std::move(clients_[i]));
  clients_ = std::move(kept);
}

void LiveHub::attach(std::shared_ptr<http::StreamSink> sink, Watch watch, std::string_view last_event_id) {
  std::lock_guard lock(mu_);
  std::string first = "retry: 2000\n\n";
  if (!last_event_id.empty()) {
    // Resumable when it is one of ours and nothing after it has left the ring.
    std::optional<std::uint64_t> seq;
    if (last_event_id.starts_with(boot_ + "-")) {
      const auto digits = last_event_id.substr(boot_.size() + 1);
      std::uint64_t v = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      if (ec == std::errc{} && p == digits.data() + digits.size() && v < next_seq_) seq = v;
    }
    const std::uint64_t oldest = events_.empty() ? next_seq_ : events_.front().seq;
    if (!seq || *seq + 1 < oldest) {
      first += "event: reset\ndata: {}\n\n";
    } else {
      for (const auto& ev : events_)
        if (ev.seq > *seq && watch.wants(ev.tenant, ev.types)) first += ev.frame;
    }
  }
  if (!sink->write(std::move(first))) return;
  clients_.push_back(Client{std::move(sink), std::move(watch)});
}

size_t LiveHub::clients() const {
  std::lock_guard lock(mu_);
  return clients_.size();
}

void LiveHub::beat() {
  std::lock_guard lock(mu_);
  std::erase_if(clients_, [](Client& cl) { return !cl.sink->write(": ping\n\n"); });
}

}  // namespace dejima::site

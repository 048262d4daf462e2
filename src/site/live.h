// The live change stream behind the web app's server-sent events (/dejima/v1/events): every
// committed change of every tenant becomes one small event (tenant, operation, entity id and
// type), kept in a ring of the latest events so that a client that reconnects with the id of the
// last event it saw gets what it missed — or a `reset` when that is gone — and then the new ones.
// Events carry no attribute values: a client reads the entity through the API, under its rights.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/tenant.h"
#include "http/message.h"
#include "util/periodic.h"

namespace dejima::site {

// What one client watches: one tenant, some types (empty: every type) among those it may read.
struct Watch {
  std::string tenant;
  std::vector<std::string> types;                    // expanded
  std::optional<std::vector<std::string>> readable;  // expanded; nullopt: every type
  bool wants(const std::string& tenant, const std::vector<model::Name>& types) const;
};

class LiveHub {
 public:
  // Keeps the latest `retained` events; writes a comment to every client each `heartbeat` so that
  // proxies keep the connection and a client that went away is noticed.
  explicit LiveHub(size_t retained = 4096, std::chrono::milliseconds heartbeat = std::chrono::seconds(15));
  ~LiveHub();
  LiveHub(const LiveHub&) = delete;
  LiveHub& operator=(const LiveHub&) = delete;

  // The tenants' change listener (on a storage thread; never blocks on a client).
  void publish(const std::string& tenant, const std::vector<broker::ChangeEvent>& changes);
  // A new client: what it missed since `last_event_id` (empty: nothing), then every new event.
  void attach(std::shared_ptr<http::StreamSink> sink, Watch watch, std::string_view last_event_id);
  size_t clients() const;

 private:
  struct Event {
    std::uint64_t seq;
    std::string tenant;
    std::vector<model::Name> types;
    std::string frame;  // the text/event-stream lines
  };
  struct Client {
    std::shared_ptr<http::StreamSink> sink;
    Watch watch;
  };
  void beat();

  const size_t retained_;
  const std::string boot_;  // ids are <boot>-<seq>: a restarted server's ids never pass for old ones
  mutable std::mutex mu_;
  std::uint64_t next_seq_ = 1;
  std::deque<Event> events_;
  std::vector<Client> clients_;
  Periodic heartbeat_;
};

}  // namespace dejima::site

#include "notify/dispatcher.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "notify/mqtt.h"

namespace dejima::notify {

namespace {

bool is_mqtt(const std::string& uri) { return uri.starts_with("mqtt://") || uri.starts_with("mqtts://"); }

// "http://host:port" of "http://host:port/path".
std::string host_of(const std::string& uri) {
  const size_t scheme = uri.find("://");
  const size_t path = scheme == std::string::npos ? std::string::npos : uri.find('/', scheme + 3);
  return uri.substr(0, path);
}

}  // namespace

Dispatcher::Dispatcher(Options o, std::unique_ptr<fetch::Transfers> transfers)
    : opt_(std::move(o)),
      transfers_(transfers ? std::move(transfers) : fetch::curl_transfers(opt_.max_host_connections)),
      mqtt_(std::make_unique<Mqtt>(opt_.ca_file)) {
  thread_ = std::thread([this] { run(); });
}

Dispatcher::~Dispatcher() { stop(); }

size_t Dispatcher::queued() const {
  std::lock_guard lock(mu_);
  return total_;
}

bool Dispatcher::submit(Message m) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    Queue& q = queues_[m.key];
    if (q.items.size() >= opt_.max_queue) return false;
    const bool idle = q.items.empty() && !q.busy;
    std::string key = m.key;
    q.items.push_back({std::move(m)});
    ++total_;
    if (idle) {
      q.busy = true;
      ready_.push_back(std::move(key));
    }
  }
  transfers_->wake();
  return true;
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  transfers_->wake();
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::start(const std::string& key, Pending& p, const std::string& host) {
  ++p.attempts;
  if (is_mqtt(p.msg.uri)) {
    const std::string reason =
        mqtt_->publish(p.msg.uri, p.msg.body, p.msg.qos, p.msg.retain, p.msg.user, p.msg.password);
    return finish(key, reason.empty(), 0, reason);
  }
  ++hosts_[host].in_flight;
  fetch::Post post{.url = p.msg.uri,
                   .method = p.msg.method,
                   .headers = p.msg.headers,
                   .body = p.msg.body,
                   .timeout_ms = p.msg.timeout_ms ? p.msg.timeout_ms : opt_.timeout_ms,
                   .ca_file = opt_.ca_file};
  transfers_->start(std::move(post),
                    [this, key, host, any = p.msg.any_status_ok](long status, const std::string& error) {
    const bool ok = error.empty() && (any || (status >= 200 && status < 300));
    release(host);
    finish(key, ok, status, !error.empty() ? error : ok ? "" : "HTTP " + std::to_string(status));
  });
}

void Dispatcher::release(const std::string& host) {
  Host& h = hosts_[host];
  --h.in_flight;
  if (!h.waiting.empty()) {
    std::lock_guard lock(mu_);
    ready_.push_back(std::move(h.waiting.front()));
    h.waiting.pop_front();
  }
  if (h.in_flight == 0 && h.waiting.empty()) hosts_.erase(host);
}

void Dispatcher::finish(const std::string& key, bool ok, long status, const std::string& reason) {
  std::function<void(bool, long, const std::string&)> outcome;
  {
    std::lock_guard lock(mu_);
    Queue& q = queues_[key];
    Pending& head = q.items.front();
    const int attempts = head.msg.max_attempts ? head.msg.max_attempts : opt_.max_attempts;
    if (!ok && head.attempts < attempts && !stopping_) {
      const Millis delay = opt_.first_backoff_ms << (head.attempts - 1);
      head.not_before = now_millis() + delay;
      retries_.emplace_back(head.not_before, key);
      std::push_heap(retries_.begin(), retries_.end(), std::greater<>());
      spdlog::debug("notification to {} failed ({}), retry in {} ms", head.msg.uri, reason, delay);
      return;
    }
    outcome = std::move(head.msg.outcome);
    q.items.pop_front();
    --total_;
    if (q.items.empty()) {
      queues_.erase(key);
    } else {
      ready_.push_back(key);  // stays busy
    }
  }
  if (outcome) outcome(ok, status, reason);
}

void Dispatcher::run() {
  Millis drain_deadline = 0;
  for (;;) {
    std::vector<std::string> ready;
    {
      std::lock_guard lock(mu_);
      const Millis now = now_millis();
      while (!retries_.empty() && retries_.front().first <= now) {
        ready_.push_back(retries_.front().second);
        std::pop_heap(retries_.begin(), retries_.end(), std::greater<>());
        retries_.pop_back();
      }
      ready.swap(ready_);
      if (stopping_) {
        if (!drain_deadline) drain_deadline = now + opt_.timeout_ms;
        if (total_ == 0 || now >= drain_deadline) break;
        if (ready.empty() && hosts_.empty() && retries_.empty()) break;
      }
    }
    for (const auto& key : ready) {
      Pending* head = nullptr;
      {
        std::lock_guard lock(mu_);
        auto it = queues_.find(key);
        if (it != queues_.end() && !it->second.items.empty()) head = &it->second.items.front();
      }
      if (!head) continue;
      // The head stays in place until finish() (only this thread pops).
      if (is_mqtt(head->msg.uri)) {
        start(key, *head, {});
        continue;
      }
      std::string host = host_of(head->msg.uri);
      Host& h = hosts_[host];
      if (h.in_flight >= opt_.max_host_connections)
        h.waiting.push_back(key);
      else
        start(key, *head, host);
    }
    int wait_ms = 100;
    {
      std::lock_guard lock(mu_);
      if (!ready_.empty())
        wait_ms = 0;
      else if (!retries_.empty())
        wait_ms = static_cast<int>(std::clamp<Millis>(retries_.front().first - now_millis(), 0, 100));
    }
    transfers_->poll(wait_ms);
  }
  hosts_.clear();  // what is still in flight is abandoned: its completion never runs
  // Whatever could not be delivered before the deadline is reported as failed.
  std::vector<std::function<void(bool, long, const std::string&)>> lost;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, q] : queues_)
      for (auto& p : q.items)
        if (p.msg.outcome) lost.push_back(std::move(p.msg.outcome));
    if (total_) spdlog::warn("{} notifications not delivered at shutdown", total_);
    queues_.clear();
    total_ = 0;
  }
  for (auto& f : lost) f(false, 0, "shutdown");
}

}  // namespace dejima::notify

#include "notify/dispatcher.h"

#include <curl/curl.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "notify/mqtt.h"

namespace dejima::notify {

// One HTTP request in flight. Connections outlive it in the multi handle's connection cache.
struct Dispatcher::Transfer {
  std::string key;
  std::string host;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
};

namespace {

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

bool is_mqtt(const std::string& uri) { return uri.starts_with("mqtt://") || uri.starts_with("mqtts://"); }

// "http://host:port" of "http://host:port/path".
std::string host_of(const std::string& uri) {
  const size_t scheme = uri.find("://");
  const size_t path = scheme == std::string::npos ? std::string::npos : uri.find('/', scheme + 3);
  return uri.substr(0, path);
}

}  // namespace

Dispatcher::Dispatcher(Options o) : opt_(o), mqtt_(std::make_unique<Mqtt>(opt_.ca_file)) {
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, opt_.max_host_connections);
  thread_ = std::thread([this] { run(); });
}

Dispatcher::~Dispatcher() {
  stop();
  curl_multi_cleanup(multi_);
}

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
  curl_multi_wakeup(multi_);
  return true;
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::start(const std::string& key, Pending& p, const std::string& host) {
  ++p.attempts;
  if (is_mqtt(p.msg.uri)) {
    const std::string reason = mqtt_->publish(p.msg.uri, p.msg.body, p.msg.qos);
    return finish(key, reason.empty(), reason);
  }
  CURL* easy = nullptr;
  if (idle_easy_.empty()) {
    easy = curl_easy_init();
  } else {
    easy = idle_easy_.back();
    idle_easy_.pop_back();
    curl_easy_reset(easy);
  }
  ++hosts_[host].in_flight;
  auto* t = new Transfer{key, host, easy, nullptr};
  for (const auto& [name, value] : p.msg.headers) t->headers = curl_slist_append(t->headers, (name + ": " + value).c_str());
  t->headers = curl_slist_append(t->headers, "Expect:");
  curl_easy_setopt(t->easy, CURLOPT_URL, p.msg.uri.c_str());
  curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, p.msg.body.data());
  curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(p.msg.body.size()));
  curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, opt_.timeout_ms);
  curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
  if (!opt_.ca_file.empty()) curl_easy_setopt(t->easy, CURLOPT_CAINFO, opt_.ca_file.c_str());
  curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
  transfers_.insert(t);
  curl_multi_add_handle(multi_, t->easy);
}

void Dispatcher::release(Transfer* t) {
  curl_multi_remove_handle(multi_, t->easy);
  if (idle_easy_.size() < 64) idle_easy_.push_back(t->easy);
  else curl_easy_cleanup(t->easy);
  curl_slist_free_all(t->headers);
  transfers_.erase(t);
  // A connection of this host is free: the next key waiting for one may start.
  Host& h = hosts_[t->host];
  --h.in_flight;
  if (!h.waiting.empty()) {
    std::lock_guard lock(mu_);
    ready_.push_back(std::move(h.waiting.front()));
    h.waiting.pop_front();
  }
  if (h.in_flight == 0 && h.waiting.empty()) hosts_.erase(t->host);
  delete t;
}

void Dispatcher::finish(const std::string& key, bool ok, const std::string& reason) {
  std::function<void(bool, const std::string&)> outcome;
  {
    std::lock_guard lock(mu_);
    Queue& q = queues_[key];
    Pending& head = q.items.front();
    if (!ok && head.attempts < opt_.max_attempts && !stopping_) {
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
  if (outcome) outcome(ok, reason);
}

void Dispatcher::run() {
  int running = 0;
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
        if (ready.empty() && running == 0 && retries_.empty()) break;
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
      if (h.in_flight >= opt_.max_host_connections) h.waiting.push_back(key);
      else start(key, *head, host);
    }
    curl_multi_perform(multi_, &running);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi_, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &t);
      long status = 0;
      curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      const CURLcode rc = m->data.result;
      const bool ok = rc == CURLE_OK && status >= 200 && status < 300;
      const std::string reason = rc != CURLE_OK ? curl_easy_strerror(rc) : ok ? "" : "HTTP " + std::to_string(status);
      const std::string key = std::move(t->key);
      release(t);
      finish(key, ok, reason);
    }
    int wait_ms = 100;
    {
      std::lock_guard lock(mu_);
      if (!ready_.empty()) wait_ms = 0;
      else if (!retries_.empty())
        wait_ms = static_cast<int>(std::clamp<Millis>(retries_.front().first - now_millis(), 0, 100));
    }
    curl_multi_poll(multi_, nullptr, 0, wait_ms, nullptr);
  }
  for (Transfer* t : std::vector<Transfer*>(transfers_.begin(), transfers_.end())) release(t);
  for (void* easy : idle_easy_) curl_easy_cleanup(easy);
  idle_easy_.clear();
  // Whatever could not be delivered before the deadline is reported as failed.
  std::vector<std::function<void(bool, const std::string&)>> lost;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, q] : queues_)
      for (auto& p : q.items)
        if (p.msg.outcome) lost.push_back(std::move(p.msg.outcome));
    if (total_) spdlog::warn("{} notifications not delivered at shutdown", total_);
    queues_.clear();
    total_ = 0;
  }
  for (auto& f : lost) f(false, "shutdown");
}

}  // namespace dejima::notify

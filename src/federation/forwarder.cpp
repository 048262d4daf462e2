#include "federation/forwarder.h"

#include <exception>

#include <spdlog/spdlog.h>

namespace dejima::federation {

Forwarder::Forwarder(unsigned workers, size_t max_queued) : max_queued_(max_queued) {
  for (unsigned i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
}

Forwarder::~Forwarder() { stop(); }

bool Forwarder::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || jobs_.size() >= max_queued_) return false;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void Forwarder::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
}

void Forwarder::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left to run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {  // a job replies itself; one that throws must not end the worker
      spdlog::error("forwarding job failed: {}", e.what());
    }
  }
}

}  // namespace dejima::federation

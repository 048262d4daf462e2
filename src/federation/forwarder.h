// The threads that wait on context providers: a request whose answer needs a provider's is
// handed over as a job, so the HTTP server's event loops never block on another server. A
// bounded queue: when it is full the caller answers at once (503) instead of queueing more.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dejima::federation {

class Forwarder {
 public:
  Forwarder(unsigned workers, size_t max_queued);
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;
  // Runs `job` on a worker; false (and `job` never runs) when max_queued jobs wait or after stop().
  bool submit(std::function<void()> job);
  // Runs the jobs already queued, then joins the workers (every submitted job has run).
  void stop();

 private:
  void work();

  size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace dejima::federation

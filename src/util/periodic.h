// A background thread that runs a piece of work at a fixed interval until stopped; stopping
// wakes it, lets it run the work a last time and joins it.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace dejima {

class Periodic {
 public:
  Periodic() = default;
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;
  ~Periodic() { stop(); }

  void start(std::chrono::milliseconds every, std::function<void()> work) {
    work_ = std::move(work);
    thread_ = std::thread([this, every] {
      std::unique_lock lock(mu_);
      while (!stopping_) {
        wake_.wait_for(lock, every, [this] { return stopping_; });
        lock.unlock();
        work_();
        lock.lock();
      }
    });
  }

  // Joins the thread after its last round. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::function<void()> work_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dejima

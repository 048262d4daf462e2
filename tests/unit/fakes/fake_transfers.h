// A test seam for fetch::Transfers (the dispatcher's HTTP deliveries): every started POST is
// recorded; a test answers it (status, or a transport error) whenever it likes, from its own
// thread, or lets an `auto_answer` rule answer at once. Answers run inside poll(), on the
// dispatcher's thread, as libcurl's would.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "fetch/transfers.h"

namespace dejima::test {

class FakeTransfers final : public fetch::Transfers {
 public:
  struct Started {
    fetch::Post post;
    bool answered = false;
  };
  // Shared with the test after the dispatcher took ownership of the FakeTransfers.
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Started> started;  // in start order
    std::vector<fetch::PostDone> dones;
    std::vector<std::pair<size_t, std::pair<long, std::string>>> answers;  // (index, (status, error)) to run
    // Answers a POST as soon as it starts (nullopt: the test answers it).
    std::function<std::optional<long>(const fetch::Post&)> auto_answer;
    bool woken = false;

    void set_auto_answer(std::function<std::optional<long>(const fetch::Post&)> f) {
      std::lock_guard lock(mu);
      auto_answer = std::move(f);
    }
    // Answers the i-th started POST (status 0 with `error`: no response).
    void answer(size_t i, long status, std::string error = {}) {
      std::lock_guard lock(mu);
      answers.push_back({i, {status, std::move(error)}});
      cv.notify_all();
    }
    // Waits until n POSTs have started (false after the timeout).
    bool wait_started(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
      std::unique_lock lock(mu);
      return cv.wait_for(lock, timeout, [&] { return started.size() >= n; });
    }
    size_t started_count() {
      std::lock_guard lock(mu);
      return started.size();
    }
    size_t in_flight() {
      std::lock_guard lock(mu);
      size_t n = 0;
      for (const auto& s : started) n += s.answered ? 0 : 1;
      return n;
    }
    std::vector<fetch::Post> posts() {
      std::lock_guard lock(mu);
      std::vector<fetch::Post> out;
      for (const auto& s : started) out.push_back(s.post);
      return out;
    }
  };

  explicit FakeTransfers(std::shared_ptr<State> state) : s_(std::move(state)) {}

  void start(fetch::Post post, fetch::PostDone done) override {
    std::lock_guard lock(s_->mu);
    const size_t i = s_->started.size();
    std::optional<long> now = s_->auto_answer ? s_->auto_answer(post) : std::nullopt;
    s_->started.push_back({std::move(post)});
    s_->dones.push_back(std::move(done));
    if (now) s_->answers.push_back({i, {*now, {}}});
    s_->cv.notify_all();
  }

  void poll(int wait_ms) override {
    std::vector<std::pair<fetch::PostDone, std::pair<long, std::string>>> run;
    {
      std::unique_lock lock(s_->mu);
      if (s_->answers.empty() && !s_->woken)
        s_->cv.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return !s_->answers.empty() || s_->woken; });
      s_->woken = false;
      for (auto& [i, outcome] : s_->answers) {
        if (s_->started[i].answered) continue;
        s_->started[i].answered = true;
        run.emplace_back(std::move(s_->dones[i]), std::move(outcome));
      }
      s_->answers.clear();
    }
    for (auto& [done, outcome] : run) done(outcome.first, outcome.second);
  }

  void wake() override {
    std::lock_guard lock(s_->mu);
    s_->woken = true;
    s_->cv.notify_all();
  }

 private:
  std::shared_ptr<State> s_;
};

}  // namespace dejima::test

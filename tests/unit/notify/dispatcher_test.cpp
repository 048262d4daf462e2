// The notification dispatcher's queueing rules against a fake transport (fakes/fake_transfers.h):
// order per key, independence of keys, retries with back-off, the queue bound, the per-host
// connection cap and what happens to undelivered messages at shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "fakes/fake_transfers.h"
#include "notify/dispatcher.h"

using namespace dejima;
using test::FakeTransfers;

namespace {

struct Outcomes {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, bool>> seen;  // (body, ok) in outcome order
  std::vector<std::string> reasons;
  std::vector<long> statuses;
  auto callback(std::string body) {
    return [this, body](bool ok, long status, const std::string& reason) {
      std::lock_guard lock(mu);
      seen.emplace_back(body, ok);
      reasons.push_back(reason);
      statuses.push_back(status);
      cv.notify_all();
    };
  }
  bool wait(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return seen.size() >= n; });
  }
};

struct Fixture {
  explicit Fixture(notify::Options o = {}) {
    state = std::make_shared<FakeTransfers::State>();
    dispatcher = std::make_unique<notify::Dispatcher>(std::move(o), std::make_unique<FakeTransfers>(state));
  }
  notify::Message message(const std::string& key, const std::string& uri, const std::string& body) {
    return notify::Message{.key = key,
                           .uri = uri,
                           .headers = {{"Content-Type", "application/json"}},
                           .body = body,
                           .outcome = outcomes.callback(body)};
  }
  std::shared_ptr<FakeTransfers::State> state;
  Outcomes outcomes;
  std::unique_ptr<notify::Dispatcher> dispatcher;
};

TEST(Dispatcher, OneKeyIsDeliveredInOrderOneAtATime) {
  Fixture f;
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(f.dispatcher->submit(f.message("sub1", "http://a.test/n", std::to_string(i))));
  ASSERT_TRUE(f.state->wait_started(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(f.state->started_count(), 1u) << "the next message of a key waits for the one before";
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(f.state->wait_started(i + 1));
    f.state->answer(i, 204);
  }
  ASSERT_TRUE(f.outcomes.wait(3));
  const auto posts = f.state->posts();
  ASSERT_EQ(posts.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(posts[i].body, std::to_string(i));
    EXPECT_EQ(posts[i].url, "http://a.test/n");
    EXPECT_EQ(f.outcomes.seen[i], std::make_pair(std::to_string(i), true));
  }
  EXPECT_EQ(posts[0].headers, (fetch::Headers{{"Content-Type", "application/json"}}));
}

TEST(Dispatcher, ASlowKeyDoesNotHoldUpAnother) {
  Fixture f;
  ASSERT_TRUE(f.dispatcher->submit(f.message("slow", "http://slow.test/", "s")));
  ASSERT_TRUE(f.state->wait_started(1));
  ASSERT_TRUE(f.dispatcher->submit(f.message("fast", "http://fast.test/", "f")));
  ASSERT_TRUE(f.state->wait_started(2));
  f.state->answer(1, 200);
  ASSERT_TRUE(f.outcomes.wait(1));
  EXPECT_EQ(f.outcomes.seen[0], std::make_pair(std::string("f"), true));
  f.state->answer(0, 200);
  ASSERT_TRUE(f.outcomes.wait(2));
}

TEST(Dispatcher, AFailureIsRetriedWithDoublingBackOffThenReported) {
  Fixture f({.max_attempts = 3, .first_backoff_ms = 40});
  f.state->set_auto_answer([](const fetch::Post&) { return std::optional<long>(500); });
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(f.dispatcher->submit(f.message("k", "http://a.test/", "x")));
  ASSERT_TRUE(f.outcomes.wait(1));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(f.state->started_count(), 3u);
  EXPECT_FALSE(f.outcomes.seen[0].second);
  EXPECT_EQ(f.outcomes.reasons[0], "HTTP 500");
  // The dispatcher times retries in whole milliseconds (now_millis): each back-off may end up to
  // 1 ms before its nominal length on this clock.
  EXPECT_GE(took, std::chrono::milliseconds(40 + 80 - 2)) << "two back-offs: 40 ms, then 80 ms";
}

TEST(Dispatcher, AMessageMaySetItsOwnAttemptsMethodTimeoutAndTakeAnyAnswer) {
  Fixture f({.max_attempts = 3, .first_backoff_ms = 10});
  f.state->set_auto_answer([](const fetch::Post&) { return std::optional<long>(404); });
  notify::Message once = f.message("a", "http://a.test/", "once");
  once.max_attempts = 1;
  once.method = "PUT";
  once.timeout_ms = 1234;
  ASSERT_TRUE(f.dispatcher->submit(std::move(once)));
  ASSERT_TRUE(f.outcomes.wait(1));
  EXPECT_EQ(f.state->started_count(), 1u) << "no retry";
  EXPECT_FALSE(f.outcomes.seen[0].second);
  EXPECT_EQ(f.outcomes.statuses[0], 404);
  EXPECT_EQ(f.state->posts()[0].method, "PUT");
  EXPECT_EQ(f.state->posts()[0].timeout_ms, 1234);
  notify::Message any = f.message("b", "http://a.test/", "any");
  any.any_status_ok = true;
  ASSERT_TRUE(f.dispatcher->submit(std::move(any)));
  ASSERT_TRUE(f.outcomes.wait(2));
  EXPECT_EQ(f.state->started_count(), 2u);
  EXPECT_TRUE(f.outcomes.seen[1].second) << "a 404 answer is a delivery when any answer counts";
  EXPECT_EQ(f.outcomes.statuses[1], 404);
}

TEST(Dispatcher, ARetryThatSucceedsIsDeliveredAndKeepsTheOrder) {
  Fixture f({.max_attempts = 4, .first_backoff_ms = 10});
  ASSERT_TRUE(f.dispatcher->submit(f.message("k", "http://a.test/", "first")));
  ASSERT_TRUE(f.dispatcher->submit(f.message("k", "http://a.test/", "second")));
  ASSERT_TRUE(f.state->wait_started(1));
  f.state->answer(0, 0, "Couldn't connect to server");
  ASSERT_TRUE(f.state->wait_started(2));
  EXPECT_EQ(f.state->posts()[1].body, "first") << "the retry comes before the next message";
  f.state->answer(1, 201);
  ASSERT_TRUE(f.state->wait_started(3));
  EXPECT_EQ(f.state->posts()[2].body, "second");
  f.state->answer(2, 200);
  ASSERT_TRUE(f.outcomes.wait(2));
  EXPECT_EQ(f.outcomes.seen[0], std::make_pair(std::string("first"), true));
  EXPECT_EQ(f.outcomes.seen[1], std::make_pair(std::string("second"), true));
}

TEST(Dispatcher, AFullQueueRefusesNewMessages) {
  Fixture f({.max_queue = 2});
  EXPECT_TRUE(f.dispatcher->submit(f.message("k", "http://a.test/", "1")));
  EXPECT_TRUE(f.dispatcher->submit(f.message("k", "http://a.test/", "2")));
  EXPECT_FALSE(f.dispatcher->submit(f.message("k", "http://a.test/", "3")));
  EXPECT_TRUE(f.dispatcher->submit(f.message("other", "http://a.test/", "4"))) << "the bound is per key";
  EXPECT_EQ(f.dispatcher->queued(), 3u);
  ASSERT_TRUE(f.state->wait_started(2));
  f.state->answer(0, 204);
  f.state->answer(1, 204);
  ASSERT_TRUE(f.state->wait_started(3));
  f.state->answer(2, 204);
  ASSERT_TRUE(f.outcomes.wait(3));
}

TEST(Dispatcher, AHostGetsAtMostItsConnectionCap) {
  Fixture f({.max_host_connections = 2});
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(f.dispatcher->submit(f.message("k" + std::to_string(i), "http://one.test/n", std::to_string(i))));
  ASSERT_TRUE(f.dispatcher->submit(f.message("elsewhere", "http://two.test/n", "e")));
  ASSERT_TRUE(f.state->wait_started(3));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(f.state->started_count(), 3u) << "two to one.test, one to two.test";
  f.state->answer(0, 200);
  ASSERT_TRUE(f.state->wait_started(4));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(f.state->started_count(), 4u);
  for (size_t i = 1; i < 4; ++i) f.state->answer(i, 200);
  ASSERT_TRUE(f.state->wait_started(5));
  f.state->answer(4, 200);
  ASSERT_TRUE(f.outcomes.wait(5));
}

TEST(Dispatcher, StopReportsWhatCouldNotBeDelivered) {
  Fixture f({.timeout_ms = 100});
  ASSERT_TRUE(f.dispatcher->submit(f.message("k", "http://a.test/", "never answered")));
  ASSERT_TRUE(f.dispatcher->submit(f.message("k", "http://a.test/", "behind it")));
  ASSERT_TRUE(f.state->wait_started(1));
  f.dispatcher->stop();
  ASSERT_TRUE(f.outcomes.wait(2));
  EXPECT_EQ(f.outcomes.reasons, (std::vector<std::string>{"shutdown", "shutdown"}));
  EXPECT_FALSE(f.dispatcher->submit(f.message("k", "http://a.test/", "late")));
}

}  // namespace

// federation::Forwarder: jobs run on its threads, a full queue refuses more (the caller answers
// without waiting), and stop() runs what is queued before it returns, so every read that was
// handed over is answered.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "federation/forwarder.h"

using namespace dejima::federation;

TEST(FederationForwarder, RunsJobsOffTheCallersThread) {
  Forwarder f(2, 10);
  std::promise<std::thread::id> ran;
  ASSERT_TRUE(f.submit([&] { ran.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(ran.get_future().get(), std::this_thread::get_id());
}

TEST(FederationForwarder, AFullQueueRefusesAndStopRunsWhatIsQueued) {
  Forwarder f(1, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(f.submit([&] {
    started.set_value();
    released.wait();  // holds the only thread
  }));
  started.get_future().wait();
  std::atomic<int> done{0};
  ASSERT_TRUE(f.submit([&] { ++done; }));
  ASSERT_TRUE(f.submit([&] { ++done; }));
  EXPECT_FALSE(f.submit([&] { ++done; }));  // two wait already
  release.set_value();
  f.stop();
  EXPECT_EQ(done.load(), 2);
  EXPECT_FALSE(f.submit([&] { ++done; }));  // stopped
}

TEST(FederationForwarder, AJobThatThrowsDoesNotEndItsThread) {
  Forwarder f(1, 10);
  ASSERT_TRUE(f.submit([] { throw std::runtime_error("provider answer unreadable"); }));
  std::promise<void> ran;
  ASSERT_TRUE(f.submit([&] { ran.set_value(); }));
  EXPECT_EQ(ran.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

#include "rooms/worker_sleep.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace ranvier::rooms {
namespace {

using namespace std::chrono_literals;

// A commit between reading the generation and sleeping must not be slept through.
TEST(WorkerSleep, CommitAfterTheGenerationWasReadEndsTheSleepAtOnce) {
  Notifier notifier;
  WorkerSleep sleep(notifier);
  const auto generation = sleep.generation();
  notifier.notify();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(sleep.sleep(generation, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(WorkerSleep, CommitFromAnotherThreadWakesIt) {
  Notifier notifier;
  WorkerSleep sleep(notifier);
  std::thread committer([&] {
    std::this_thread::sleep_for(50ms);
    notifier.notify();
  });
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(sleep.sleep(sleep.generation(), 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  committer.join();
}

TEST(WorkerSleep, ReturnsAfterTheWaitWithoutCommits) {
  Notifier notifier;
  WorkerSleep sleep(notifier);
  EXPECT_TRUE(sleep.sleep(sleep.generation(), 20ms));
  EXPECT_FALSE(sleep.stopping());
}

TEST(WorkerSleep, WakeEndsOneSleepAndStopEndsAllOfThem) {
  Notifier notifier;
  WorkerSleep sleep(notifier);
  sleep.wake();
  EXPECT_TRUE(sleep.sleep(sleep.generation(), 10s));  // the flag set before sleeping counts
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    sleep.stop();
  });
  EXPECT_FALSE(sleep.sleep(sleep.generation(), 10s));
  stopper.join();
  EXPECT_TRUE(sleep.stopping());
  EXPECT_FALSE(sleep.sleep(sleep.generation(), 10s));
}

// A queue's worker sleeps through other commits; one that queued work for it wakes it.
TEST(WorkerSleep, AQueueWorkerWakesForACommitThatQueuedWork) {
  Notifier notifier;
  WorkerSleep sleep(notifier, WorkQueue::push);
  const auto generation = sleep.generation();
  notifier.notify();
  EXPECT_EQ(sleep.generation(), generation);
  std::thread committer([&] {
    std::this_thread::sleep_for(50ms);
    Notifier::mark_queued(WorkQueue::push);
    notifier.notify();
  });
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(sleep.sleep(generation, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  committer.join();
  EXPECT_GT(sleep.generation(), generation);
}

}  // namespace
}  // namespace ranvier::rooms

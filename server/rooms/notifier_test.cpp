#include "rooms/notifier.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace ranvier::rooms {
namespace {

TEST(Notifier, WakesWaitersOnceOnTheNextCommit) {
  Notifier notifier;
  int woken = 0;
  notifier.wait(notifier.generation(), [&] { ++woken; });
  EXPECT_EQ(woken, 0);
  notifier.notify();
  EXPECT_EQ(woken, 1);
  notifier.notify();
  EXPECT_EQ(woken, 1);
}

TEST(Notifier, ACommitBetweenReadAndWaitIsNotMissed) {
  Notifier notifier;
  auto seen = notifier.generation();
  notifier.notify();
  int woken = 0;
  notifier.wait(seen, [&] { ++woken; });
  EXPECT_EQ(woken, 1);
}

TEST(Notifier, CancelledWaitersStaySilent) {
  Notifier notifier;
  int woken = 0;
  auto ticket = notifier.wait(notifier.generation(), [&] { ++woken; });
  notifier.cancel(ticket);
  notifier.notify();
  EXPECT_EQ(woken, 0);
}

TEST(Notifier, AQueueMovesOnlyWithACommitThatMarkedIt) {
  Notifier notifier;
  int woken = 0;
  notifier.wait(WorkQueue::push, notifier.generation(WorkQueue::push), [&] { ++woken; });
  notifier.notify();
  EXPECT_EQ(woken, 0);
  EXPECT_EQ(notifier.generation(WorkQueue::push), 0);
  Notifier::mark_queued(WorkQueue::federation_outbox);
  notifier.notify();
  EXPECT_EQ(woken, 0);
  EXPECT_EQ(notifier.generation(WorkQueue::federation_outbox), 1);
  Notifier::mark_queued(WorkQueue::push);
  notifier.notify();
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(notifier.generation(WorkQueue::push), 1);
  notifier.notify();  // the mark was used up
  EXPECT_EQ(notifier.generation(WorkQueue::push), 1);
}

TEST(Notifier, AMarkCountsOnlyOnItsOwnThread) {
  Notifier notifier;
  std::thread other([] { Notifier::mark_queued(WorkQueue::push); });
  other.join();
  notifier.notify();
  EXPECT_EQ(notifier.generation(WorkQueue::push), 0);
}

TEST(Notifier, FlushingWakesOnlyTheMarkedQueuesWaiters) {
  Notifier notifier;
  int sync_woken = 0;
  int outbox_woken = 0;
  notifier.wait(notifier.generation(), [&] { ++sync_woken; });
  notifier.wait(WorkQueue::federation_outbox, 0, [&] { ++outbox_woken; });
  notifier.flush_queued();  // nothing marked: nothing moves
  EXPECT_EQ(outbox_woken, 0);
  Notifier::mark_queued(WorkQueue::federation_outbox);
  notifier.flush_queued();
  EXPECT_EQ(outbox_woken, 1);
  EXPECT_EQ(sync_woken, 0);
  EXPECT_EQ(notifier.generation(), 0);
  EXPECT_EQ(notifier.generation(WorkQueue::federation_outbox), 1);
  notifier.notify();  // the mark was used up by the flush
  EXPECT_EQ(sync_woken, 1);
  EXPECT_EQ(notifier.generation(WorkQueue::federation_outbox), 1);
}

TEST(Notifier, AQueueWaiterSeesAMarkedCommitBetweenReadAndWait) {
  Notifier notifier;
  const auto seen = notifier.generation(WorkQueue::federation_outbox);
  Notifier::mark_queued(WorkQueue::federation_outbox);
  notifier.notify();
  int woken = 0;
  notifier.wait(WorkQueue::federation_outbox, seen, [&] { ++woken; });
  EXPECT_EQ(woken, 1);
}

}  // namespace
}  // namespace ranvier::rooms

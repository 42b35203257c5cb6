#include "rooms/notifier.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace ranvier::rooms

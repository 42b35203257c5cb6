// The decisions behind account locking and suspension, and how often a device's request is
// written for whois.

#include "api/account_moderation.hpp"

#include <gtest/gtest.h>

namespace ranvier::api {
namespace {

TEST(AccountModeration, LockedAccountsMayOnlyLogOut) {
  EXPECT_TRUE(locked_account_may_call("logout"));
  EXPECT_TRUE(locked_account_may_call("logout_all"));
  EXPECT_FALSE(locked_account_may_call("sync"));
  EXPECT_FALSE(locked_account_may_call("getTokenOwner"));
  EXPECT_FALSE(locked_account_may_call("deleteDevice"));
}

TEST(AccountModeration, SuspensionBlocksActingOnOthersAndKeepsReading) {
  for (const char* id : {"createRoom", "joinRoom", "joinRoomById", "knockRoom", "inviteUser", "kick", "ban",
                         "setProfileField", "deleteProfileField", "uploadContent", "upgradeRoom"}) {
    EXPECT_EQ(suspension_rule(id), SuspensionRule::forbidden) << id;
  }
  for (const char* id : {"sync", "getRoomEvents", "leaveRoom", "forgetRoom", "logout", "deleteDevice",
                         "uploadCrossSigningKeys", "putRoomKeys", "deactivateAccount", "sendToDevice", "reportEvent"}) {
    EXPECT_EQ(suspension_rule(id), SuspensionRule::allowed) << id;
  }
  EXPECT_EQ(suspension_rule("redactEvent"), SuspensionRule::own_redaction_only);
  EXPECT_EQ(suspension_rule("sendMessage"), SuspensionRule::redaction_send_only);
  EXPECT_EQ(suspension_rule("setRoomStateWithKey"), SuspensionRule::own_leave_only);
}

TEST(AccountModeration, RequestsAreRecordedOncePerInterval) {
  constexpr std::int64_t t = 1'700'000'000'000;
  EXPECT_TRUE(should_record_request(std::nullopt, t));
  EXPECT_FALSE(should_record_request(t, t));
  EXPECT_FALSE(should_record_request(t, t + request_record_interval_ms - 1));
  EXPECT_TRUE(should_record_request(t, t + request_record_interval_ms));
  // A clock that went back records once, then counts from the new time.
  EXPECT_TRUE(should_record_request(t, t - 1000));
}

}  // namespace
}  // namespace ranvier::api

// Push actions, unread counts and receipts marking them read, pushers (and their removal with
// their device), the full-text index, reports and OpenID tokens, on every backend.

#include "storage/storage_test_fixture.hpp"

#include <algorithm>

namespace ranvier::storage::test {
namespace {

NewEvent text_event(const std::string& event_id, std::int64_t depth, const std::string& type = "m.room.message") {
  NewEvent event;
  event.event_id = event_id;
  event.room_id = "!r:test";
  event.type = type;
  event.sender = "@alice:test";
  event.depth = depth;
  event.origin_server_ts = t0 + depth;
  event.json = R"({"event_id":")" + event_id + R"("})";
  return event;
}

PushedEvent pushed(const std::string& event_id, std::int64_t stream, std::string thread = "main") {
  return PushedEvent{.room_id = "!r:test", .event_id = event_id, .thread_id = std::move(thread), .stream = stream,
                     .ts = t0 + stream};
}

TEST_P(StorageTest, PushActionsCountUntilAReceiptCoversThem) {
  auto db = open();
  const std::vector<std::string> rooms = {"!r:test", "!other:test"};
  db->write([](WriteTx& tx) {
    const std::vector<PushAction> both = {{"@bob:test", false, R"(["notify"])"},
                                          {"@carol:test", true, R"(["notify",{"set_tweak":"highlight"}])"}};
    tx.notifications().add(pushed("$1", 1), both);
    tx.notifications().add(pushed("$2", 2), both);
    tx.notifications().add(pushed("$3", 3, "$root"), both);
    tx.notifications().add(pushed("$4", 4), std::vector<PushAction>{});
  });
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.notifications().unread_counts("@bob:test", rooms),
              (std::vector<UnreadCount>{{"!r:test", "$root", 1, 0}, {"!r:test", "main", 2, 0}}));
    EXPECT_EQ(tx.notifications().unread_counts("@carol:test", rooms),
              (std::vector<UnreadCount>{{"!r:test", "$root", 1, 1}, {"!r:test", "main", 2, 2}}));
    const auto listed = tx.notifications().list("@carol:test", rooms, std::nullopt, 2, false);
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].event_id, "$3");
    EXPECT_EQ(listed[0].thread_id, "$root");
    EXPECT_TRUE(listed[0].highlight);
    EXPECT_EQ(listed[0].actions, R"(["notify",{"set_tweak":"highlight"}])");
    EXPECT_EQ(tx.notifications().list("@carol:test", rooms, 2, 10, false).front().event_id, "$1");
    EXPECT_TRUE(tx.notifications().list("@bob:test", rooms, std::nullopt, 10, true).empty());
  });
  db->write([](WriteTx& tx) {
    // A threaded receipt reads its thread only; an unthreaded one reads every thread.
    EXPECT_EQ(tx.notifications().mark_read("@bob:test", "!r:test", "main", 1), 1);
    EXPECT_EQ(tx.notifications().mark_read("@carol:test", "!r:test", "", 3), 1);
    // Marks only move forward.
    EXPECT_EQ(tx.notifications().mark_read("@carol:test", "!r:test", "", 2), 0);
  });
  db->read([&](ReadTx& tx) {
    EXPECT_EQ(tx.notifications().unread_counts("@bob:test", rooms),
              (std::vector<UnreadCount>{{"!r:test", "$root", 1, 0}, {"!r:test", "main", 1, 0}}));
    EXPECT_TRUE(tx.notifications().unread_counts("@carol:test", rooms).empty());
    const auto bob = tx.notifications().list("@bob:test", rooms, std::nullopt, 10, false);
    ASSERT_EQ(bob.size(), 3u);
    EXPECT_TRUE(bob[0].unread);
    EXPECT_EQ(bob[0].actions, R"(["notify"])");
    EXPECT_FALSE(bob[2].unread);
    // Only the rooms asked about.
    EXPECT_TRUE(tx.notifications().list("@bob:test", std::vector<std::string>{"!other:test"}, std::nullopt, 10, false)
                    .empty());
    EXPECT_TRUE(tx.notifications().unread_counts("@bob:test", std::vector<std::string>{"!other:test"}).empty());
  });
}

TEST_P(StorageTest, EachMemberKeepsTheirOwnOutcomeInABigRoom) {
  auto db = open();
  const std::vector<std::string> rooms = {"!r:test"};
  auto member = [](int i) { return "@u" + std::to_string(100 + i) + ":test"; };
  db->write([&](WriteTx& tx) {
    // Every third member highlighted, every fifth not notified at all, across several digits
    // of the member sets; the store numbers the members itself.
    std::vector<PushAction> actions;
    for (int i = 0; i < 23; ++i) {
      if (i % 5 != 4) {
        actions.push_back({member(i), i % 3 == 0, i % 3 == 0 ? R"(["notify","h"])" : R"(["notify"])"});
      }
    }
    tx.notifications().add(pushed("$1", 1), actions);
    // The next event with the numbers recipients() reports, plus one newcomer.
    tx.rooms().create(Room{.room_id = "!r:test", .room_version = "12", .created_ts = t0, .creator = member(0)});
    tx.rooms().set_membership({"!r:test", member(7), Membership::join, "$m7", 1});
    tx.rooms().set_membership({"!r:test", member(30), Membership::join, "$m30", 2});
    auto recipients = tx.notifications().recipients("!r:test");
    std::ranges::sort(recipients, {}, &PushRecipient::user_id);
    ASSERT_EQ(recipients.size(), 2u);
    ASSERT_TRUE(recipients[0].ordinal.has_value());
    EXPECT_FALSE(recipients[1].ordinal.has_value());
    std::vector<PushAction> next;
    for (const auto& recipient : recipients) {
      next.push_back({recipient.user_id, false, R"(["notify"])", recipient.ordinal});
    }
    tx.notifications().add(pushed("$2", 2), next);
  });
  db->read([&](ReadTx& tx) {
    for (int i = 0; i < 23; ++i) {
      const std::int64_t expected = (i % 5 == 4 ? 0 : 1) + (i == 7 ? 1 : 0);
      const auto counts = tx.notifications().unread_counts(member(i), rooms);
      if (expected == 0) {
        EXPECT_TRUE(counts.empty()) << member(i);
        continue;
      }
      ASSERT_EQ(counts.size(), 1u) << member(i);
      EXPECT_EQ(counts[0].notifications, expected) << member(i);
      EXPECT_EQ(counts[0].highlights, i % 3 == 0 && i % 5 != 4 ? 1 : 0) << member(i);
    }
    EXPECT_EQ(tx.notifications().unread_counts(member(30), rooms),
              (std::vector<UnreadCount>{{"!r:test", "main", 1, 0}}));
    const auto listed = tx.notifications().list(member(6), rooms, std::nullopt, 10, false);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].actions, R"(["notify","h"])");
    EXPECT_EQ(tx.notifications().list(member(7), rooms, std::nullopt, 10, false).size(), 2u);
  });
}

TEST_P(StorageTest, RecipientsAreJoinedMembersWithTheirRulesVersion) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.accounts().create(user("@bob:test"));
    tx.rooms().create(Room{.room_id = "!r:test", .room_version = "12", .created_ts = t0, .creator = "@bob:test"});
    tx.rooms().set_membership({"!r:test", "@bob:test", Membership::join, "$m1", 1});
    tx.rooms().set_membership({"!r:test", "@eve:other", Membership::join, "$m2", 2});
    tx.rooms().set_membership({"!r:test", "@gone:test", Membership::leave, "$m3", 3});
    tx.account_data().put("@bob:test", "", "m.push_rules", "{}");
  });
  db->read([](ReadTx& tx) {
    auto recipients = tx.notifications().recipients("!r:test");
    std::ranges::sort(recipients, {}, &PushRecipient::user_id);
    ASSERT_EQ(recipients.size(), 2u);
    EXPECT_EQ(recipients[0].user_id, "@bob:test");
    EXPECT_EQ(recipients[0].member_event_id, "$m1");
    EXPECT_TRUE(recipients[0].rules_stream.has_value());
    EXPECT_EQ(recipients[1].user_id, "@eve:other");
    EXPECT_FALSE(recipients[1].rules_stream.has_value());
  });
}

Pusher http_pusher(std::string user_id, std::string device_id, std::string pushkey) {
  return Pusher{.user_id = std::move(user_id),
                .app_id = "org.example.app",
                .pushkey = std::move(pushkey),
                .device_id = std::move(device_id),
                .kind = "http",
                .app_display_name = "App",
                .device_display_name = "Phone",
                .profile_tag = std::nullopt,
                .lang = "en",
                .data = R"({"url":"https://push.example/_matrix/push/v1/notify"})",
                .created_ts = t0};
}

TEST_P(StorageTest, PushersAreReplacedByKeyAndGoWithTheirDevice) {
  auto db = open();
  db->write([](WriteTx& tx) {
    for (const char* id : {"@bob:test", "@carol:test"}) {
      tx.accounts().create(user(id));
      tx.devices().create(device(id, "D1"));
    }
    tx.devices().create(device("@bob:test", "D2"));
    tx.pushers().put(http_pusher("@bob:test", "D1", "k1"));
    auto changed = http_pusher("@bob:test", "D1", "k1");
    changed.lang = "de";
    changed.profile_tag = "tag";
    tx.pushers().put(changed);
    tx.pushers().put(http_pusher("@bob:test", "D2", "k2"));
    tx.pushers().put(http_pusher("@carol:test", "D1", "k1"));
  });
  db->read([](ReadTx& tx) {
    const auto bob = tx.pushers().list("@bob:test");
    ASSERT_EQ(bob.size(), 2u);
    EXPECT_EQ(bob[0].lang, "de");
    EXPECT_EQ(bob[0].profile_tag, "tag");
    EXPECT_EQ(bob[1].pushkey, "k2");
  });
  db->write([](WriteTx& tx) {
    EXPECT_EQ(tx.pushers().remove_for_others("org.example.app", "k1", "@carol:test"), 1);
    EXPECT_TRUE(tx.devices().remove("@bob:test", "D2"));
    EXPECT_FALSE(tx.pushers().remove("@bob:test", "org.example.app", "k2"));
    EXPECT_TRUE(tx.pushers().remove("@carol:test", "org.example.app", "k1"));
  });
  db->read([](ReadTx& tx) {
    EXPECT_TRUE(tx.pushers().list("@bob:test").empty());
    EXPECT_TRUE(tx.pushers().list("@carol:test").empty());
  });
}

// A few users are queued one by one, many through one JSON array: both count the same rows.
TEST_P(StorageTest, EnqueueQueuesTheHttpPushersOfTheNamedUsersOnly) {
  auto db = open();
  std::vector<std::string> many;
  for (int i = 0; i < 12; ++i) {
    many.push_back("@u" + std::to_string(i) + ":test");
  }
  db->write([&](WriteTx& tx) {
    for (const auto& id : many) {
      tx.accounts().create(user(id));
      tx.devices().create(device(id, "D1"));
    }
    auto email = http_pusher(many[1], "D1", "mail");
    email.kind = "email";
    tx.pushers().put(email);
    // No http pusher on the server yet: nothing to queue, however many users.
    EXPECT_EQ(tx.pushers().enqueue(1, many, t0), 0);
  });
  db->write([&](WriteTx& tx) {
    tx.pushers().put(http_pusher(many[0], "D1", "k0"));
    tx.pushers().put(http_pusher(many[0], "D1", "k0b"));
    tx.pushers().put(http_pusher(many[11], "D1", "k11"));
  });
  db->write([&](WriteTx& tx) {
    const std::vector<std::string> few = {many[0], many[1], many[2]};
    EXPECT_EQ(tx.pushers().enqueue(1, few, t0), 2);
    EXPECT_EQ(tx.pushers().enqueue(2, std::vector<std::string>{many[1]}, t0), 0);
    EXPECT_EQ(tx.pushers().enqueue(3, many, t0), 3);
    EXPECT_EQ(tx.pushers().enqueue(4, std::vector<std::string>{}, t0), 0);
  });
}

TEST_P(StorageTest, SearchFindsEveryWordInTheGivenRoomsAndKeys) {
  auto db = open();
  db->write([](WriteTx& tx) {
    auto index = [&](const std::string& id, std::int64_t depth, const std::string& key, const std::string& text,
                     const std::string& type = "m.room.message") {
      const auto inserted = tx.events().insert(text_event(id, depth, type));
      tx.search().index(inserted.stream, key, text);
      return inserted.stream;
    };
    index("$1", 1, "content.body", "The quick brown fox jumps");
    index("$2", 2, "content.body", "a fox, a fox, foxes everywhere");
    index("$3", 3, "content.name", "Fox room", "m.room.name");
    index("$4", 4, "content.body", "nothing to see");
    index("$5", 5, "content.body", "fox redacted later");
    tx.events().set_redacted_by("$5", "$6");
  });
  db->read([](ReadTx& tx) {
    SearchQuery query{.words = {"fox"}, .room_ids = {"!r:test"}, .keys = {"content.body"}};
    auto found = tx.search().search(query);
    EXPECT_EQ(found.count, 2);
    ASSERT_EQ(found.hits.size(), 2u);
    // Ranked: the message that says fox most comes first; both share the stemmed word.
    EXPECT_EQ(found.hits[0].event_id, "$2");
    query.order = SearchOrder::recent;
    query.keys = {"content.body", "content.name"};
    found = tx.search().search(query);
    ASSERT_EQ(found.hits.size(), 3u);
    EXPECT_EQ(found.hits[0].event_id, "$3");
    query.offset = 2;
    EXPECT_EQ(tx.search().search(query).hits.front().event_id, "$1");
    EXPECT_TRUE(tx.search().search({.words = {"brown", "cat"}, .room_ids = {"!r:test"}, .keys = {"content.body"}})
                    .hits.empty());
    EXPECT_EQ(tx.search().search({.words = {"quick", "fox"}, .room_ids = {"!r:test"}, .keys = {"content.body"}})
                  .hits.size(),
              1u);
    EXPECT_TRUE(tx.search().search({.words = {"fox"}, .room_ids = {"!other:test"}, .keys = {"content.body"}})
                    .hits.empty());
    // Quotes and FTS syntax in the words are text, not query operators.
    EXPECT_TRUE(tx.search().search({.words = {"fox\" OR \"x"}, .room_ids = {"!r:test"}, .keys = {"content.body"}})
                    .hits.empty());
  });
}

TEST_P(StorageTest, ReportsAndOpenIdTokensAreKept) {
  auto db = open();
  db->write([](WriteTx& tx) {
    tx.reports().add({"!r:test", "$e", "@bob:test", "spam", -100, t0});
    tx.reports().add({"!r:test", "", "@bob:test", std::nullopt, std::nullopt, t0 + 1});
    tx.reports().add({"", "", "@bob:test", "rude", std::nullopt, t0 + 2, "@eve:test"});
    tx.reports().add_openid_token("secret", "@bob:test", t0 + 1000, t0);
    tx.reports().add_openid_token("old", "@bob:test", t0 + 10, t0);
  });
  db->read([](ReadTx& tx) {
    const auto reports = tx.reports().recent(10);
    ASSERT_EQ(reports.size(), 3u);
    EXPECT_EQ(reports[0].target_user_id, "@eve:test");
    EXPECT_EQ(reports[1].event_id, "");
    EXPECT_EQ(reports[1].target_user_id, std::nullopt);
    EXPECT_EQ(reports[2].score, -100);
    EXPECT_EQ(reports[2].reason, "spam");
    EXPECT_EQ(tx.reports().openid_user("secret", t0 + 999), "@bob:test");
    EXPECT_EQ(tx.reports().openid_user("secret", t0 + 1000), std::nullopt);
    EXPECT_EQ(tx.reports().openid_user("nope", t0), std::nullopt);
  });
  // Issuing a token drops the expired ones.
  db->write([](WriteTx& tx) { tx.reports().add_openid_token("new", "@carol:test", t0 + 5000, t0 + 100); });
  db->read([](ReadTx& tx) { EXPECT_EQ(tx.reports().openid_user("old", t0), std::nullopt); });
}

}  // namespace
}  // namespace ranvier::storage::test

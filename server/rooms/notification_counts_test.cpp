// The pure parts of the after-persist work: which thread an event counts in, and what text of
// an event the search index gets.
#include "rooms/notification_counts.hpp"
#include "rooms/search_index.hpp"

#include <gtest/gtest.h>

namespace ranvier::rooms {
namespace {

using nlohmann::json;

TEST(NotificationCountsTest, ThreadOfEvent) {
  EXPECT_EQ(thread_of(json{{"content", {{"body", "x"}}}}), "main");
  EXPECT_EQ(thread_of(json{{"content", {{"m.relates_to", {{"rel_type", "m.thread"}, {"event_id", "$root"}}}}}}),
            "$root");
  // Other relations and malformed ones stay in the main timeline.
  EXPECT_EQ(thread_of(json{{"content", {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", "$e"}}}}}}),
            "main");
  EXPECT_EQ(thread_of(json{{"content", {{"m.relates_to", {{"rel_type", "m.thread"}, {"event_id", 5}}}}}}), "main");
  EXPECT_EQ(thread_of(json{{"content", {{"m.relates_to", "nonsense"}}}}), "main");
  EXPECT_EQ(thread_of(json::object()), "main");
}

TEST(SearchIndexTest, SearchableText) {
  auto text = searchable_text(json{{"type", "m.room.message"}, {"content", {{"body", "hello"}}}});
  ASSERT_TRUE(text);
  EXPECT_EQ(text->first, "content.body");
  EXPECT_EQ(text->second, "hello");
  EXPECT_EQ(searchable_text(json{{"type", "m.room.name"}, {"content", {{"name", "Room"}}}})->first, "content.name");
  EXPECT_EQ(searchable_text(json{{"type", "m.room.topic"}, {"content", {{"topic", "T"}}}})->first, "content.topic");
  EXPECT_FALSE(searchable_text(json{{"type", "m.room.message"}, {"content", {{"body", 5}}}}));
  EXPECT_FALSE(searchable_text(json{{"type", "m.room.message"}, {"content", {{"body", ""}}}}));
  EXPECT_FALSE(searchable_text(json{{"type", "m.room.encrypted"}, {"content", {{"body", "x"}}}}));
  EXPECT_FALSE(searchable_text(json{{"type", "m.room.message"}}));
}

}  // namespace
}  // namespace ranvier::rooms

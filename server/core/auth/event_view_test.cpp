#include <gtest/gtest.h>

#include "core/auth/event_view.hpp"

namespace ranvier::auth {
namespace {

using nlohmann::json;

TEST(auth_event_view, auth_reads_v1_reference_pairs_and_v3_lists) {
  json v1 = {{"auth_events", json::array({json::array({"$a:x", {{"sha256", "h"}}}), json::array({"$b:x", {{"sha256", "h"}}})})},
            {"prev_events", json::array()}};
  EXPECT_EQ(EventView(v1).auth_event_ids(), (std::vector<std::string_view>{"$a:x", "$b:x"}));
  json v3 = {{"auth_events", {"$a", "$b"}}, {"prev_events", {"$c"}}};
  EXPECT_EQ(EventView(v3).auth_event_ids(), (std::vector<std::string_view>{"$a", "$b"}));
  EXPECT_EQ(EventView(v3).prev_event_ids(), (std::vector<std::string_view>{"$c"}));
}

TEST(auth_event_view, auth_mistyped_fields_read_as_empty) {
  json odd = {{"type", 5}, {"state_key", json::array()}, {"content", "x"}, {"auth_events", "no"}, {"depth", "7"}};
  EventView view(odd);
  EXPECT_EQ(view.type(), "");
  EXPECT_FALSE(view.state_key());
  EXPECT_TRUE(view.content().is_object());
  EXPECT_TRUE(view.auth_event_ids().empty());
  EXPECT_EQ(view.depth(), 0);
  json not_object = json::array();
  EXPECT_EQ(EventView(not_object).sender(), "");
}

TEST(auth_event_view, auth_redacts_top_level_or_in_content) {
  json top = {{"redacts", "$a"}};
  json inner = {{"content", {{"redacts", "$b"}}}};
  EXPECT_EQ(EventView(top).redacts(), "$a");
  EXPECT_EQ(EventView(inner).redacts(), "$b");
}

TEST(auth_event_view, auth_server_of_ids) {
  EXPECT_EQ(server_of("@a:example.org:8448"), "example.org:8448");
  EXPECT_EQ(server_of("$hashonly"), "");
}

}  // namespace
}  // namespace ranvier::auth

#include "push/default_rules.hpp"

#include <string>

namespace ranvier::push {
namespace {

using nlohmann::json;

json match(const char* key, std::string pattern) {
  return {{"kind", "event_match"}, {"key", key}, {"pattern", std::move(pattern)}};
}

json property_is(const char* key, json value) {
  return {{"kind", "event_property_is"}, {"key", key}, {"value", std::move(value)}};
}

json rule(const char* id, json conditions, json actions, bool enabled = true) {
  return {{"rule_id", id},
          {"default", true},
          {"enabled", enabled},
          {"conditions", std::move(conditions)},
          {"actions", std::move(actions)}};
}

json sound(const char* name) {
  return {{"set_tweak", "sound"}, {"value", name}};
}

json highlight() {
  return {{"set_tweak", "highlight"}};
}

}  // namespace

json default_rules_json(std::string_view user_id) {
  const std::string me(user_id);
  const json none = json::array();
  const json state_key_empty = match("state_key", "");
  json override_rules = json::array({
      rule(".m.rule.master", json::array(), none, false),
      rule(".m.rule.suppress_notices", json::array({match("content.msgtype", "m.notice")}), none),
      rule(".m.rule.invite_for_me",
           json::array({match("type", "m.room.member"), match("content.membership", "invite"),
                        match("state_key", me)}),
           json::array({"notify", sound("default")})),
      rule(".m.rule.member_event", json::array({match("type", "m.room.member")}), none),
      rule(".m.rule.is_user_mention",
           json::array({json{{"kind", "event_property_contains"},
                             {"key", "content.m\\.mentions.user_ids"},
                             {"value", me}}}),
           json::array({"notify", sound("default"), highlight()})),
      rule(".m.rule.is_room_mention",
           json::array({property_is("content.m\\.mentions.room", true),
                        json{{"kind", "sender_notification_permission"}, {"key", "room"}}}),
           json::array({"notify", highlight()})),
      rule(".m.rule.tombstone", json::array({match("type", "m.room.tombstone"), state_key_empty}),
           json::array({"notify", highlight()})),
      rule(".m.rule.reaction", json::array({match("type", "m.reaction")}), none),
      rule(".m.rule.room.server_acl",
           json::array({match("type", "m.room.server_acl"), state_key_empty}), none),
      rule(".m.rule.suppress_edits",
           json::array({property_is("content.m\\.relates_to.rel_type", "m.replace")}), none),
  });
  const json one_to_one = {{"kind", "room_member_count"}, {"is", "2"}};
  json underride_rules = json::array({
      rule(".m.rule.call", json::array({match("type", "m.call.invite")}),
           json::array({"notify", sound("ring")})),
      rule(".m.rule.encrypted_room_one_to_one",
           json::array({one_to_one, match("type", "m.room.encrypted")}),
           json::array({"notify", sound("default")})),
      rule(".m.rule.room_one_to_one", json::array({one_to_one, match("type", "m.room.message")}),
           json::array({"notify", sound("default")})),
      rule(".m.rule.message", json::array({match("type", "m.room.message")}),
           json::array({"notify"})),
      rule(".m.rule.encrypted", json::array({match("type", "m.room.encrypted")}),
           json::array({"notify"})),
  });
  return {{"override", std::move(override_rules)},
          {"content", json::array()},
          {"room", json::array()},
          {"sender", json::array()},
          {"underride", std::move(underride_rules)}};
}

}  // namespace ranvier::push

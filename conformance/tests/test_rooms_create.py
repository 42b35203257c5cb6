"""POST /createRoom: the default room version, the events a new room starts with (create,
creator's join, power levels, preset state, initial_state, name, topic, invites), every stable
room version, aliases, and the errors for bad requests."""

import re

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import (V12_ROOM_ID, assert_client_event, assert_json_response_list, create_room,
                           get_state, joined_rooms, membership, path, run_concurrently, state_event, text,
                           user_fixture)

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
CREATE = path("createRoom")

# Event IDs per room version (rooms/v1#event-ids, rooms/v3#event-ids, rooms/v4#event-ids).
V1_EVENT_ID = re.compile(r"^\$[^:]+:localhost$")
V3_EVENT_ID = re.compile(r"^\$[A-Za-z0-9+/]{43}$")
V4_EVENT_ID = re.compile(r"^\$[A-Za-z0-9_-]{43}$")

alice = user_fixture("alice")
bob = user_fixture("bob")

@spec("client-server-api/#post_matrixclientv3createroom")
def test_default_room_version_is_12(client, alice):
    user_id, token = alice
    room_id = create_room(client, token)
    # Room IDs of version 12 are the create event's reference hash, without a server name.
    assert V12_ROOM_ID.match(room_id), room_id
    create = get_state(client, token, room_id, "m.room.create")
    assert create["room_version"] == "12"
    # `creator` exists only in room versions 1 to 10; from 11 the sender is the creator.
    assert "creator" not in create
    event = state_event(client, token, room_id, "m.room.create")
    assert event["sender"] == user_id and event["room_id"] == room_id
    # The capability's `default` is the version the server uses for new rooms
    # (client-server-api/#mroom_versions-capability).
    caps = assert_json_response(client.get(path("capabilities"), token=token))["capabilities"]
    assert caps["m.room_versions"]["default"] == "12"
    assert caps["m.room_versions"]["available"]["12"] == "stable"


@spec("client-server-api/#post_matrixclientv3createroom")
def test_new_room_state_and_creator_membership(client, alice):
    user_id, token = alice
    room_id = create_room(client, token)
    events = assert_json_response_list(client.get(path("rooms", room_id, "state"), token=token))
    for event in events:
        assert_client_event(event, room_id)
        assert isinstance(event.get("state_key"), str), event
    keys = {(e["type"], e["state_key"]) for e in events}
    for wanted in [("m.room.create", ""), ("m.room.member", user_id), ("m.room.power_levels", ""),
                   ("m.room.join_rules", ""), ("m.room.history_visibility", "")]:
        assert wanted in keys, f"{wanted} missing from {sorted(keys)}"
    assert len(keys) == len(events), "two events for one (type, state_key)"
    member = get_state(client, token, room_id, "m.room.member", user_id)
    assert member["membership"] == "join"
    # Servers include the profile's display name in their own users' member events
    # (client-server-api/#events-on-change-of-profile-information); a new account's is its localpart.
    profile = assert_json_response(client.get(path("profile", user_id)))
    assert member.get("displayname") == profile["displayname"]
    assert room_id in joined_rooms(client, token)


@spec("client-server-api/#post_matrixclientv3createroom")
def test_v12_power_levels_leave_creator_out_and_raise_tombstone(client, alice):
    user_id, token = alice
    room_id = create_room(client, token)
    levels = get_state(client, token, room_id, "m.room.power_levels")
    # In v12 the creator has infinite power and cannot be listed in `users`.
    assert user_id not in levels.get("users", {})
    state_default = levels.get("state_default", 50)
    assert levels["events"]["m.room.tombstone"] > state_default


@spec("client-server-api/#post_matrixclientv3createroom")
def test_v11_power_levels_give_creator_100(client, alice):
    user_id, token = alice
    room_id = create_room(client, token, room_version="11")
    assert get_state(client, token, room_id, "m.room.power_levels")["users"][user_id] == 100


@spec("client-server-api/#post_matrixclientv3createroom")
@pytest.mark.parametrize("request_body,join_rule,guest_access", [
    ({"preset": "private_chat"}, "invite", "can_join"),
    ({"preset": "trusted_private_chat"}, "invite", "can_join"),
    ({"preset": "public_chat"}, "public", "forbidden"),
    # Without a preset, `visibility` picks one: public -> public_chat, private -> private_chat.
    ({"visibility": "public"}, "public", "forbidden"),
    ({"visibility": "private"}, "invite", "can_join"),
    ({}, "invite", "can_join"),
])
def test_presets(client, alice, request_body, join_rule, guest_access):
    _, token = alice
    room_id = create_room(client, token, **request_body)
    assert get_state(client, token, room_id, "m.room.join_rules")["join_rule"] == join_rule
    assert get_state(client, token, room_id, "m.room.history_visibility")["history_visibility"] == "shared"
    response = client.get(path("rooms", room_id, "state", "m.room.guest_access", ""), token=token)
    if guest_access == "forbidden" and response.status == 404:
        # A missing m.room.guest_access event means `forbidden` (client-server-api/#mroomguest_access);
        # Synapse sends no event for public_chat.
        return
    assert assert_json_response(response)["guest_access"] == guest_access


@spec("client-server-api/#post_matrixclientv3createroom")
def test_trusted_private_chat_invitees_share_creator_power(client, alice, bob):
    _, token = alice
    bob_id, _ = bob
    room_id = create_room(client, token, preset="trusted_private_chat", invite=[bob_id],
                          room_version="11")
    assert get_state(client, token, room_id, "m.room.power_levels")["users"][bob_id] == 100
    # In v12 "the same power level as the creator" is infinite: invitees SHOULD be appended to
    # `additional_creators`.
    room_id = create_room(client, token, preset="trusted_private_chat", invite=[bob_id])
    create = get_state(client, token, room_id, "m.room.create")
    assert bob_id in create.get("additional_creators", [])
    assert membership(client, token, room_id, bob_id) == "invite"


@spec("client-server-api/#post_matrixclientv3createroom")
def test_name_topic_and_initial_state(client, alice):
    _, token = alice
    room_id = create_room(client, token, name="The Pub", topic="Happy hour", initial_state=[
        {"type": "m.room.name", "content": {"name": "overridden by name"}},
        {"type": "m.room.join_rules", "state_key": "", "content": {"join_rule": "public"}},
        {"type": "org.example.custom", "state_key": "k", "content": {"n": 1}},
        {"type": "org.example.nokey", "content": {"n": 2}},
    ])
    assert get_state(client, token, room_id, "m.room.name") == {"name": "The Pub"}
    topic = get_state(client, token, room_id, "m.room.topic")
    assert topic["topic"] == "Happy hour"
    if "m.topic" in topic:
        plain = [t for t in topic["m.topic"]["m.text"] if t.get("mimetype", "text/plain") == "text/plain"]
        assert plain and plain[0]["body"] == "Happy hour", topic
    # initial_state takes precedence over the preset (private_chat: invite).
    assert get_state(client, token, room_id, "m.room.join_rules")["join_rule"] == "public"
    assert get_state(client, token, room_id, "org.example.custom", "k") == {"n": 1}
    # A missing state_key defaults to the empty string.
    assert get_state(client, token, room_id, "org.example.nokey") == {"n": 2}


@spec("client-server-api/#post_matrixclientv3createroom")
def test_invite_list(client, alice, bob):
    _, token = alice
    bob_id, _ = bob
    room_id = create_room(client, token, invite=[bob_id], is_direct=True)
    member = get_state(client, token, room_id, "m.room.member", bob_id)
    assert member["membership"] == "invite"
    assert member.get("is_direct") is True


@spec("client-server-api/#post_matrixclientv3createroom")
def test_power_level_content_override(client, alice, bob):
    bob_id, _ = bob
    user_id, token = alice
    room_id = create_room(client, token, room_version="11", power_level_content_override={
        "events_default": 20, "invite": 75, "users": {user_id: 100, bob_id: 30},
        "events": {"org.example.special": 90}})
    levels = get_state(client, token, room_id, "m.room.power_levels")
    assert levels["events_default"] == 20 and levels["invite"] == 75
    assert levels["users"] == {user_id: 100, bob_id: 30}
    assert levels["events"]["org.example.special"] == 90
    # Keys the override leaves out keep their generated values.
    for key in ("ban", "kick", "redact", "state_default"):
        assert isinstance(levels.get(key), int), levels


@spec("client-server-api/#post_matrixclientv3createroom")
def test_creation_content(client, alice):
    user_id, token = alice
    room_id = create_room(client, token, creation_content={
        "m.federate": False, "type": "org.example.kind", "room_version": "1"})
    create = get_state(client, token, room_id, "m.room.create")
    assert create["m.federate"] is False and create["type"] == "org.example.kind"
    # The server overwrites `room_version` (and `creator`) from creation_content.
    assert create["room_version"] == "12"
    room_id = create_room(client, token, room_version="10",
                          creation_content={"creator": "@mallory:example.org"})
    assert get_state(client, token, room_id, "m.room.create")["creator"] == user_id


@spec("client-server-api/#post_matrixclientv3createroom")
@pytest.mark.parametrize("version", [str(v) for v in range(1, 13)])
def test_every_stable_room_version(client, alice, version):
    user_id, token = alice
    room_id = create_room(client, token, room_version=version)
    create = get_state(client, token, room_id, "m.room.create")
    assert create["room_version"] == version
    number = int(version)
    if number <= 10:
        assert create["creator"] == user_id
    else:
        assert "creator" not in create
    if number == 12:
        assert V12_ROOM_ID.match(room_id), room_id
    else:
        assert re.match(r"^![^:]+:localhost$", room_id), room_id
    event_id = text(client, token, room_id, f"hello v{version}")
    pattern = V1_EVENT_ID if number <= 2 else V3_EVENT_ID if number == 3 else V4_EVENT_ID
    assert pattern.match(event_id), event_id
    event = assert_json_response(client.get(path("rooms", room_id, "event", event_id), token=token))
    assert event["content"]["body"] == f"hello v{version}"


@spec("client-server-api/#post_matrixclientv3createroom")
@pytest.mark.parametrize("version", ["999", "org.example.unknown", "", "1.0"])
def test_unknown_room_version(client, alice, version):
    _, token = alice
    before = joined_rooms(client, token)
    response = client.post(CREATE, token=token, json_body={"room_version": version})
    assert_matrix_error(response, 400, "M_UNSUPPORTED_ROOM_VERSION")
    assert sorted(joined_rooms(client, token)) == sorted(before)


@spec("client-server-api/#post_matrixclientv3createroom")
def test_room_alias_name(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = create_room(client, token, room_alias_name="thepub")
    resolved = assert_json_response(client.get(path("directory", "room", "#thepub:localhost"),
                                               token=bob_token))
    assert resolved["room_id"] == room_id
    assert "localhost" in resolved["servers"]
    # The new alias becomes the room's canonical alias.
    assert get_state(client, token, room_id, "m.room.canonical_alias")["alias"] == "#thepub:localhost"
    before = joined_rooms(client, token)
    taken = client.post(CREATE, token=token, json_body={"room_alias_name": "thepub"})
    assert_matrix_error(taken, 400, "M_ROOM_IN_USE")
    assert sorted(joined_rooms(client, token)) == sorted(before)


@spec("client-server-api/#get_matrixclientv3directorylistroomroomid")
def test_visibility_publishes_the_room(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    listed = create_room(client, token, visibility="public", name="Listed")
    unlisted = create_room(client, token, visibility="private", preset="public_chat")
    for room_id, visibility in ((listed, "public"), (unlisted, "private")):
        listing = assert_json_response(client.get(path("directory", "list", "room", room_id)))
        assert listing == {"visibility": visibility}
    chunk = assert_json_response(client.get(path("publicRooms"), token=bob_token))["chunk"]
    rooms = {entry["room_id"]: entry for entry in chunk}
    assert listed in rooms and unlisted not in rooms
    entry = rooms[listed]
    assert entry["name"] == "Listed" and entry["num_joined_members"] == 1
    assert entry["world_readable"] is False and entry["guest_can_join"] is False


@spec("client-server-api/#post_matrixclientv3createroom")
def test_malformed_requests(client, alice):
    _, token = alice
    before = joined_rooms(client, token)
    assert_matrix_error(client.post(CREATE, token=token, json_body={"preset": "party_chat"}),
                        400, "M_BAD_JSON")
    assert_matrix_error(client.post(CREATE, token=token, json_body={"name": 42}), 400, "M_BAD_JSON")
    assert_matrix_error(client.post(CREATE, token=token, json_body={"initial_state": "x"}),
                        400, "M_BAD_JSON")
    # Values that are well-typed but invalid; the spec gives 400 without naming the code.
    assert_matrix_error(client.post(CREATE, token=token, json_body={"invite": ["not-a-user-id"]}),
                        400, ("M_BAD_JSON", "M_INVALID_PARAM"))
    assert_matrix_error(client.post(CREATE, token=token, json_body={"room_alias_name": "a:b"}),
                        400, ("M_BAD_JSON", "M_INVALID_PARAM"))
    assert_matrix_error(client.post(CREATE, token=token, json_body={"visibility": "secret"}),
                        400, "M_BAD_JSON")
    assert_matrix_error(client.post(CREATE, token=token, json_body={"power_level_content_override": 5}),
                        400, "M_BAD_JSON")
    assert_matrix_error(client.post(CREATE, token=token, json_body={"initial_state": [{"content": {}}]}),
                        400, "M_BAD_JSON")
    assert_matrix_error(client.post(CREATE, token=token, body=b"{not json",
                                    headers={"Content-Type": "application/json"}), 400, "M_NOT_JSON")
    assert_matrix_error(client.post(CREATE, json_body={}), 401, "M_MISSING_TOKEN")
    assert sorted(joined_rooms(client, token)) == sorted(before)


@spec("client-server-api/#post_matrixclientv3createroom")
def test_concurrent_requests_for_one_alias(server, client, alice):
    _, token = alice
    attempts = 6
    answers = run_concurrently(server, lambda c, _: c.post(CREATE, token=token,
                                                           json_body={"room_alias_name": "contested"}),
                               range(attempts), together=True)
    won = [assert_json_response(a)["room_id"] for a in answers if a.status == 200]
    assert len(won) == 1, answers
    for answer in answers:
        if answer.status != 200:
            assert_matrix_error(answer, 400, "M_ROOM_IN_USE")
    resolved = assert_json_response(client.get(path("directory", "room", "#contested:localhost"), token=token))
    assert resolved["room_id"] == won[0]


@spec("client-server-api/#post_matrixclientv3createroom")
def test_initial_state_the_creator_cannot_send_is_invalid(client, alice):
    user_id, token = alice
    before = joined_rooms(client, token)
    # The spec's own example: the creator's power level set below what setting the name needs.
    response = client.post(CREATE, token=token, json_body={
        "room_version": "11", "name": "Unreachable", "power_level_content_override": {"users": {user_id: 0}}})
    assert_matrix_error(response, 400, "M_INVALID_ROOM_STATE")
    assert sorted(joined_rooms(client, token)) == sorted(before)


@spec("client-server-api/#put_matrixclientv3directoryroomroomalias")
def test_alias_directory(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = create_room(client, token, room_alias_name="first")
    alias = path("directory", "room", "#second:localhost")
    assert assert_json_response(client.put(alias, token=token, json_body={"room_id": room_id})) == {}
    assert assert_json_response(client.get(alias))["room_id"] == room_id
    assert_matrix_error(client.put(alias, token=token, json_body={"room_id": room_id}), 409, "M_UNKNOWN")
    aliases = assert_json_response(client.get(path("rooms", room_id, "aliases"), token=token))["aliases"]
    assert sorted(aliases) == ["#first:localhost", "#second:localhost"]
    # Only members (or anyone, for world_readable rooms) may list a room's aliases.
    assert_matrix_error(client.get(path("rooms", room_id, "aliases"), token=bob_token), 403, "M_FORBIDDEN")
    assert assert_json_response(client.request("DELETE", alias, token=token)) == {}
    assert_matrix_error(client.get(alias), 404, "M_NOT_FOUND")
    assert_matrix_error(client.request("DELETE", alias, token=token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.get(path("directory", "room", "no-sigil:localhost")), 400, "M_INVALID_PARAM")
    assert assert_json_response(client.get(path("rooms", room_id, "aliases"), token=token))["aliases"] == \
        ["#first:localhost"]

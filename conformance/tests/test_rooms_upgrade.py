"""Room upgrades and knocking: the replacement room's create event, copied state and moved
aliases, the tombstone and restricted power levels in the old room, who may upgrade; knocks
on knockable rooms, their refusal elsewhere, and the knock section of /sync."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import (create_room, get_state, join, path, public_room, put_state, state_event, sync,
                           user_fixture)

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
UPGRADE = "client-server-api/#post_matrixclientv3roomsroomidupgrade"
KNOCK = "client-server-api/#post_matrixclientv3knockroomidoralias"

alice = user_fixture("alice")
bob = user_fixture("bob")


def upgrade(client, token, room_id, version, **extra):
    return client.post(path("rooms", room_id, "upgrade"), token=token, json_body={"new_version": version, **extra})


@spec(UPGRADE)
def test_upgrade_replaces_the_room(client, alice, bob):
    alice_id, token = alice
    _, bob_token = bob
    old = public_room(client, token, bob_token, room_version="10", name="Old times", topic="history",
                      room_alias_name="upgradable")
    new = assert_json_response(upgrade(client, token, old, "12"))["replacement_room"]
    create = state_event(client, token, new, "m.room.create")
    assert create["content"]["room_version"] == "12"
    assert create["content"]["predecessor"]["room_id"] == old
    # Transferable state came along; the alias now leads to the new room.
    assert get_state(client, token, new, "m.room.name") == {"name": "Old times"}
    assert get_state(client, token, new, "m.room.topic")["topic"] == "history"
    assert get_state(client, token, new, "m.room.join_rules") == {"join_rule": "public"}
    resolved = assert_json_response(client.get(path("directory", "room", "#upgradable:localhost")))
    assert resolved["room_id"] == new
    # v12 creators have unlimited power and are not listed.
    assert alice_id not in get_state(client, token, new, "m.room.power_levels").get("users", {})
    # The old room points at its replacement and members can no longer talk there.
    assert get_state(client, token, old, "m.room.tombstone")["replacement_room"] == new
    assert get_state(client, token, old, "m.room.power_levels")["events_default"] >= 50
    assert_matrix_error(client.put(path("rooms", old, "send", "m.room.message", "t1"), token=bob_token,
                                   json_body={"msgtype": "m.text", "body": "still here?"}), 403, "M_FORBIDDEN")
    # Members join the new room themselves.
    join(client, bob_token, new)


@spec(UPGRADE)
def test_who_may_upgrade_and_to_what(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room = public_room(client, token, bob_token)
    assert_matrix_error(upgrade(client, bob_token, room, "12"), 403, "M_FORBIDDEN")
    assert_matrix_error(upgrade(client, token, room, "999"), 400, "M_UNSUPPORTED_ROOM_VERSION")
    stranger_room = create_room(client, token)
    assert_matrix_error(upgrade(client, bob_token, stranger_room, "12"), 403, "M_FORBIDDEN")


@spec(KNOCK)
def test_knocking(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room = create_room(client, token, preset="private_chat")
    put_state(client, token, room, "m.room.join_rules", {"join_rule": "knock"})
    since = sync(client, bob_token)["next_batch"]
    assert assert_json_response(client.post(path("knock", room), token=bob_token,
                                            json_body={"reason": "let me in"})) == {"room_id": room}
    member = state_event(client, token, room, "m.room.member", bob_id)
    assert member["content"]["membership"] == "knock" and member["content"]["reason"] == "let me in"
    knocked = sync(client, bob_token, since=since)["rooms"]["knock"][room]["knock_state"]["events"]
    assert {e["type"] for e in knocked} >= {"m.room.create", "m.room.join_rules", "m.room.member"}
    # An invite-only room does not take knocks.
    closed = create_room(client, token, preset="private_chat")
    assert_matrix_error(client.post(path("knock", closed), token=bob_token, json_body={}), 403, "M_FORBIDDEN")
    # Knocks need room version 7 or later.
    old = create_room(client, token, room_version="6")
    assert_matrix_error(client.post(path("knock", old), token=bob_token, json_body={}), 403, "M_FORBIDDEN")

"""Typing notifications: setting and clearing one's own typing state, the errors for other
users and outsiders, delivery as m.typing in /sync's ephemeral section (only when changed),
waking long polls, and expiry after the timeout."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import BackgroundSync, create_room, path, public_room, sync, user_fixture

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
TYPING = "client-server-api/#put_matrixclientv3roomsroomidtypinguserid"

alice = user_fixture("alice")
bob = user_fixture("bob")


def set_typing(client, token, room_id, user_id, typing, timeout=None):
    body = {"typing": typing}
    if timeout is not None:
        body["timeout"] = timeout
    return client.put(path("rooms", room_id, "typing", user_id), token=token, json_body=body)


def typing_users(body, room_id):
    room = body["rooms"]["join"].get(room_id, {})
    events = [e for e in room.get("ephemeral", {}).get("events", []) if e["type"] == "m.typing"]
    return events[-1]["content"]["user_ids"] if events else None


@spec(TYPING)
def test_typing_reaches_the_other_members(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room = public_room(client, token, bob_token)
    since = sync(client, bob_token)["next_batch"]
    assert assert_json_response(set_typing(client, token, room, alice_id, True, 30000)) == {}
    body = sync(client, bob_token, since=since)
    assert typing_users(body, room) == [alice_id]
    # Nothing changed since: no m.typing in the next incremental sync.
    assert typing_users(sync(client, bob_token, since=body["next_batch"]), room) is None
    assert_json_response(set_typing(client, token, room, alice_id, False))
    assert typing_users(sync(client, bob_token, since=body["next_batch"]), room) == []
    # A fresh sync shows only who is typing now.
    assert typing_users(sync(client, bob_token), room) is None


@spec(TYPING)
def test_typing_errors(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room = create_room(client, token)
    assert_matrix_error(set_typing(client, token, room, bob_id, True), 403, "M_FORBIDDEN")
    assert_matrix_error(set_typing(client, bob_token, room, bob_id, True), 403, "M_FORBIDDEN")
    assert_matrix_error(client.put(path("rooms", room, "typing", alice_id), token=token,
                                   json_body={"timeout": 100}), 400, ("M_BAD_JSON", "M_MISSING_PARAM"))


@spec(TYPING)
def test_typing_wakes_long_polls_and_expires(server, client, alice, bob):
    alice_id, token = alice
    _, bob_token = bob
    room = public_room(client, token, bob_token)
    since = sync(client, bob_token)["next_batch"]
    poll = BackgroundSync(server, bob_token, since)
    assert_json_response(set_typing(client, token, room, alice_id, True, 1000))
    body, waited = poll.finish()
    assert waited < 5
    assert typing_users(body, room) == [alice_id]
    # After its one-second timeout the typing ends by itself and a waiting sync hears of it.
    body = sync(client, bob_token, since=body["next_batch"], timeout=10000)
    assert typing_users(body, room) == []

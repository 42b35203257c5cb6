"""Presence: setting one's own state and status message, reading it (self and people sharing a
room only), syncing marking a user online, m.presence in /sync (changes only, after the
initial sync's snapshot), waking long polls, and the errors."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import BackgroundSync, create_room, new_user, path, public_room, sync

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
GET = "client-server-api/#get_matrixclientv3presenceuseridstatus"
PUT = "client-server-api/#put_matrixclientv3presenceuseridstatus"
SYNC = "client-server-api/#presence"


def status(client, token, user_id):
    return client.get(path("presence", user_id, "status"), token=token)


def put_status(client, token, user_id, presence, msg=None):
    body = {"presence": presence}
    if msg is not None:
        body["status_msg"] = msg
    return client.put(path("presence", user_id, "status"), token=token, json_body=body)


def presence_of(body, user_id):
    events = [e for e in body.get("presence", {}).get("events", []) if e["sender"] == user_id]
    return events[-1]["content"] if events else None


@spec(PUT)
def test_set_and_read_own_presence(client):
    user_id, token = new_user(client, "p_self")
    assert assert_json_response(status(client, token, user_id))["presence"] == "offline"
    assert assert_json_response(put_status(client, token, user_id, "unavailable", "at lunch")) == {}
    mine = assert_json_response(status(client, token, user_id))
    assert mine["presence"] == "unavailable" and mine["status_msg"] == "at lunch"
    # Syncing says online (the default set_presence); set_presence=offline leaves it alone.
    sync(client, token, set_presence="offline")
    assert assert_json_response(status(client, token, user_id))["presence"] == "unavailable"
    sync(client, token)
    online = assert_json_response(status(client, token, user_id))
    assert online["presence"] == "online" and online["currently_active"] is True
    assert isinstance(online["last_active_ago"], int)


@spec(GET)
def test_presence_is_for_people_sharing_a_room(client):
    alice_id, alice = new_user(client, "p_alice")
    bob_id, bob = new_user(client, "p_bob")
    carol_id, carol = new_user(client, "p_carol")
    public_room(client, alice, bob)
    assert_json_response(status(client, bob, alice_id))
    assert_matrix_error(status(client, carol, alice_id), 403, "M_FORBIDDEN")
    assert_matrix_error(status(client, alice, "@nobody:localhost"), 404, "M_NOT_FOUND")
    assert_matrix_error(put_status(client, alice, bob_id, "online"), 403, "M_FORBIDDEN")
    assert_matrix_error(put_status(client, alice, alice_id, "asleep"), 400, ("M_INVALID_PARAM", "M_BAD_JSON"))


@spec(SYNC)
def test_presence_in_sync_and_waking_long_polls(server, client):
    alice_id, alice = new_user(client, "ps_alice")
    bob_id, bob = new_user(client, "ps_bob")
    public_room(client, alice, bob)
    first = sync(client, bob)
    since = first["next_batch"]
    poll = BackgroundSync(server, bob, since)
    assert_json_response(put_status(client, alice, alice_id, "unavailable", "brb"))
    body, waited = poll.finish()
    assert waited < 5
    content = presence_of(body, alice_id)
    assert content["presence"] == "unavailable" and content["status_msg"] == "brb"
    # Nothing changed since: no presence for alice in the next incremental sync.
    assert presence_of(sync(client, bob, since=body["next_batch"]), alice_id) is None
    # An initial sync carries the current presence of the people sharing rooms.
    assert presence_of(sync(client, bob), alice_id)["presence"] == "unavailable"

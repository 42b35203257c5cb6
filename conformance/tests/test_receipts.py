"""Receipts and read markers: public and private read receipts, threaded receipts, the
fully-read marker as room account data, their delivery as m.receipt in /sync (private ones to
their owner only, each change once), and the errors for bad types, threads and events."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import create_room, path, public_room, sync, text, user_fixture

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
RECEIPT = "client-server-api/#post_matrixclientv3roomsroomidreceiptreceipttypeeventid"
MARKERS = "client-server-api/#post_matrixclientv3roomsroomidread_markers"

alice = user_fixture("alice")
bob = user_fixture("bob")


def receipt(client, token, room_id, kind, event_id, **body):
    return client.post(path("rooms", room_id, "receipt", kind, event_id), token=token, json_body=body)


def receipts_in(body, room_id):
    room = body["rooms"]["join"].get(room_id, {})
    events = [e for e in room.get("ephemeral", {}).get("events", []) if e["type"] == "m.receipt"]
    return events[0]["content"] if events else {}


@spec(RECEIPT)
def test_read_receipts_reach_the_room(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room = public_room(client, token, bob_token)
    first = text(client, token, room, "one")
    since = sync(client, token)["next_batch"]
    assert assert_json_response(receipt(client, bob_token, room, "m.read", first)) == {}
    body = sync(client, token, since=since)
    content = receipts_in(body, room)
    assert set(content[first]["m.read"]) == {bob_id}
    assert isinstance(content[first]["m.read"][bob_id]["ts"], int)
    # Each change once: the next incremental sync carries no receipt.
    assert receipts_in(sync(client, token, since=body["next_batch"]), room) == {}
    # A threaded receipt says which thread.
    assert_json_response(receipt(client, bob_token, room, "m.read", first, thread_id="main"))
    threaded = receipts_in(sync(client, token, since=body["next_batch"]), room)
    assert threaded[first]["m.read"][bob_id]["thread_id"] == "main"
    # An initial sync shows the receipts as they stand.
    assert bob_id in receipts_in(sync(client, token), room)[first]["m.read"]


@spec(RECEIPT)
def test_private_receipts_are_the_owners_only(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room = public_room(client, token, bob_token)
    event = text(client, token, room, "secret reading")
    assert_json_response(receipt(client, bob_token, room, "m.read.private", event))
    assert "m.read.private" not in receipts_in(sync(client, token), room).get(event, {})
    assert bob_id in receipts_in(sync(client, bob_token), room)[event]["m.read.private"]


@spec(MARKERS)
def test_read_markers(client, alice, bob):
    alice_id, token = alice
    room = create_room(client, token)
    event = text(client, token, room, "read up to here")
    assert assert_json_response(client.post(path("rooms", room, "read_markers"), token=token, json_body={
        "m.fully_read": event, "m.read": event})) == {}
    marker = assert_json_response(client.get(path("user", alice_id, "rooms", room, "account_data",
                                                  "m.fully_read"), token=token))
    assert marker == {"event_id": event}
    assert alice_id in receipts_in(sync(client, token), room)[event]["m.read"]
    # The deprecated receipt type sets the marker too.
    later = text(client, token, room, "later")
    assert_json_response(receipt(client, token, room, "m.fully_read", later))
    assert assert_json_response(client.get(path("user", alice_id, "rooms", room, "account_data",
                                                "m.fully_read"), token=token)) == {"event_id": later}


@spec(RECEIPT)
def test_receipt_errors(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room = create_room(client, token)
    event = text(client, token, room, "x")
    assert_matrix_error(receipt(client, token, room, "m.seen", event), 400, "M_INVALID_PARAM")
    assert_matrix_error(receipt(client, token, room, "m.read", event, thread_id=""), 400, "M_INVALID_PARAM")
    assert_matrix_error(receipt(client, token, room, "m.fully_read", event, thread_id="main"), 400,
                        "M_INVALID_PARAM")
    unknown = "$" + "A" * 43
    assert_matrix_error(receipt(client, token, room, "m.read", unknown), 404, "M_NOT_FOUND")
    assert_matrix_error(receipt(client, bob_token, room, "m.read", event), 403, "M_FORBIDDEN")

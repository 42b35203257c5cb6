"""Sending and reading single events: PUT /rooms/{roomId}/send/{eventType}/{txnId} with its
transaction-ID idempotency, GET /rooms/{roomId}/event/{eventId} in the client format,
redactions (PUT /redact and m.room.redaction through /send), size limits and bad bodies."""

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import (all_messages, assert_client_event, assert_json_response_list, create_room,
                           get_state, join, login, path,
                           public_room, put_state, run_concurrently, send, sync, text, timeline_events,
                           txn, user_fixture)

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}

alice = user_fixture("alice")
bob = user_fixture("bob")
eve = user_fixture("eve")

@pytest.fixture
def room(client, alice, bob):
    """A public room alice created and bob joined."""
    return public_room(client, alice[1], bob[1])


def event_ids(client, token, room_id):
    return [e["event_id"] for e in all_messages(client, token, room_id, limit=50)]


@spec("client-server-api/#get_matrixclientv3roomsroomideventeventid")
def test_send_and_get_event_in_client_format(client, alice, room):
    user_id, token = alice
    content = {"msgtype": "m.text", "body": "hello", "org.example.extra": [1, {"a": None}]}
    event_id = send(client, token, room, content)
    event = assert_json_response(client.get(path("rooms", room, "event", event_id), token=token))
    assert_client_event(event, room)
    assert (event["event_id"], event["type"], event["sender"], event["content"]) == \
        (event_id, "m.room.message", user_id, content)
    assert "state_key" not in event
    assert event["origin_server_ts"] > 1_600_000_000_000


@spec("client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid")
def test_custom_event_types(client, alice, room):
    _, token = alice
    event_id = send(client, token, room, {"score": 7}, event_type="org.example.game.score")
    event = assert_json_response(client.get(path("rooms", room, "event", event_id), token=token))
    assert event["type"] == "org.example.game.score" and event["content"] == {"score": 7}


@spec("client-server-api/#transaction-identifiers")
def test_same_transaction_id_is_idempotent(client, alice, room):
    _, token = alice
    txn_id = txn()
    first = send(client, token, room, {"msgtype": "m.text", "body": "once"}, txn_id=txn_id)
    again = send(client, token, room, {"msgtype": "m.text", "body": "once"}, txn_id=txn_id)
    assert again == first
    assert event_ids(client, token, room).count(first) == 1
    bodies = [e["content"].get("body") for e in all_messages(client, token, room, limit=50)]
    assert bodies.count("once") == 1
    # A new transaction ID is a new event.
    other = send(client, token, room, {"msgtype": "m.text", "body": "once"})
    assert other != first


@spec("client-server-api/#transaction-identifiers")
def test_transaction_ids_are_scoped_to_the_access_token(client, alice, room):
    _, token = alice
    second_device = login(client, "alice")
    txn_id = txn()
    first = send(client, token, room, {"msgtype": "m.text", "body": "a"}, txn_id=txn_id)
    other = send(client, second_device, room, {"msgtype": "m.text", "body": "b"}, txn_id=txn_id)
    assert other != first
    ids = event_ids(client, token, room)
    assert first in ids and other in ids


@spec("client-server-api/#get_matrixclientv3sync")  # unsigned.transaction_id
def test_transaction_id_is_echoed_only_to_the_sending_client(client, alice, bob, room):
    _, token = alice
    _, bob_token = bob
    txn_id = txn()
    event_id = send(client, token, room, {"msgtype": "m.text", "body": "echo"}, txn_id=txn_id)
    wide = {"room": {"timeline": {"limit": 50}}}
    mine = [e for e in timeline_events(sync(client, token, filter=wide), room) if e["event_id"] == event_id]
    theirs = [e for e in timeline_events(sync(client, bob_token, filter=wide), room)
              if e["event_id"] == event_id]
    assert len(mine) == 1 and len(theirs) == 1
    assert mine[0]["unsigned"]["transaction_id"] == txn_id
    assert "transaction_id" not in theirs[0].get("unsigned", {})


@spec("client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid")
def test_non_members_cannot_send(client, alice, eve, room):
    _, eve_token = eve
    response = client.put(path("rooms", room, "send", "m.room.message", txn()), token=eve_token,
                          json_body={"msgtype": "m.text", "body": "let me in"})
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    # The spec names no status for an unknown room; Synapse answers 403 M_FORBIDDEN (not in room).
    response = client.put(path("rooms", "!nosuchroom:localhost", "send", "m.room.message", txn()),
                          token=eve_token, json_body={"msgtype": "m.text", "body": "anyone?"})
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    assert_matrix_error(client.put(path("rooms", room, "send", "m.room.message", txn()),
                                   json_body={"body": "x"}), 401, "M_MISSING_TOKEN")


@spec("client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid")
def test_events_default_power_applies(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = create_room(client, token, preset="public_chat",
                          power_level_content_override={"events_default": 10})
    join(client, bob_token, room_id)
    response = client.put(path("rooms", room_id, "send", "m.room.message", txn()), token=bob_token,
                          json_body={"msgtype": "m.text", "body": "muted"})
    assert_matrix_error(response, 403, "M_FORBIDDEN")


@spec("client-server-api/#get_matrixclientv3roomsroomideventeventid")
def test_get_event_not_found(client, alice, eve, room):
    _, token = alice
    _, eve_token = eve
    # Well formed for the room version (v12: `$` + 43 URL-safe base64 characters), but unknown.
    unknown = "$" + "A" * 43
    assert_matrix_error(client.get(path("rooms", room, "event", unknown), token=token), 404, "M_NOT_FOUND")
    event_id = text(client, token, room, "private")
    # Not found "or you do not have permission to read this event".
    assert_matrix_error(client.get(path("rooms", room, "event", event_id), token=eve_token),
                        404, "M_NOT_FOUND")
    # The event exists, but in another room than the one in the path.
    other = create_room(client, token)
    assert_matrix_error(client.get(path("rooms", other, "event", event_id), token=token),
                        404, "M_NOT_FOUND")


@spec("client-server-api/#get_matrixclientv3roomsroomideventeventid")
def test_departed_member_reads_only_events_from_before_leaving(client, alice, bob, room):
    _, token = alice
    _, bob_token = bob
    before = text(client, token, room, "bob can see this")
    assert_json_response(client.post(path("rooms", room, "leave"), token=bob_token, json_body={}))
    after = text(client, token, room, "bob cannot see this")
    event = assert_json_response(client.get(path("rooms", room, "event", before), token=bob_token))
    assert event["content"]["body"] == "bob can see this"
    assert_matrix_error(client.get(path("rooms", room, "event", after), token=bob_token), 404, "M_NOT_FOUND")


@spec("client-server-api/#put_matrixclientv3roomsroomidredacteventidtxnid")
def test_redact_own_message(client, alice, bob, room):
    _, token = alice
    _, bob_token = bob
    event_id = send(client, token, room, {"msgtype": "m.text", "body": "oops", "url": "mxc://a/b"})
    txn_id = txn()
    response = client.put(path("rooms", room, "redact", event_id, txn_id), token=token,
                          json_body={"reason": "typo"})
    redaction_id = assert_json_response(response)["event_id"]
    assert redaction_id.startswith("$") and redaction_id != event_id
    # Same transaction, same redaction event.
    again = client.put(path("rooms", room, "redact", event_id, txn_id), token=token,
                       json_body={"reason": "typo"})
    assert assert_json_response(again)["event_id"] == redaction_id
    for reader in (token, bob_token):
        event = assert_json_response(client.get(path("rooms", room, "event", event_id), token=reader))
        assert event["content"] == {}
        because = event["unsigned"]["redacted_because"]
        assert because["event_id"] == redaction_id and because["type"] == "m.room.redaction"
        assert because["content"]["reason"] == "typo"
    redaction = assert_json_response(client.get(path("rooms", room, "event", redaction_id), token=token))
    # Room version 12 (v11 format) carries `redacts` inside content.
    assert redaction["content"]["redacts"] == event_id
    paged = {e["event_id"]: e for e in all_messages(client, bob_token, room, limit=50)}
    assert paged[event_id]["content"] == {}
    assert paged[redaction_id]["type"] == "m.room.redaction"


@spec("client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid")
def test_redaction_through_send(client, alice, room):
    _, token = alice
    event_id = text(client, token, room, "remove me")
    redaction_id = send(client, token, room, {"redacts": event_id, "reason": "via send"},
                        event_type="m.room.redaction")
    event = assert_json_response(client.get(path("rooms", room, "event", event_id), token=token))
    assert event["content"] == {}
    assert event["unsigned"]["redacted_because"]["event_id"] == redaction_id


@spec("client-server-api/#redactions")
def test_redacted_state_event_stays_in_state_without_content(client, alice, room):
    _, token = alice
    topic_id = put_state(client, token, room, "m.room.topic", {"topic": "secret plans"})
    assert_json_response(client.put(path("rooms", room, "redact", topic_id, txn()), token=token, json_body={}))
    # "a redacted topic ... causes the topic to be removed from the room": the event keeps its
    # place in the state with the content the redaction algorithm leaves (none for m.room.topic).
    assert get_state(client, token, room, "m.room.topic") == {}
    event = assert_json_response(client.get(path("rooms", room, "event", topic_id), token=token))
    assert event["content"] == {} and event["state_key"] == ""


@spec("client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid")
def test_redaction_through_send_in_older_room_versions(client, alice):
    _, token = alice
    room_id = create_room(client, token, room_version="10")
    event_id = text(client, token, room_id, "remove me too")
    redaction_id = send(client, token, room_id, {"redacts": event_id}, event_type="m.room.redaction")
    # Before v11, the server MUST move `redacts` from content to the top level.
    redaction = assert_json_response(client.get(path("rooms", room_id, "event", redaction_id), token=token))
    assert redaction["redacts"] == event_id
    event = assert_json_response(client.get(path("rooms", room_id, "event", event_id), token=token))
    assert event["content"] == {}
    assert event["unsigned"]["redacted_because"]["event_id"] == redaction_id


@spec("client-server-api/#put_matrixclientv3roomsroomidredacteventidtxnid")
def test_redacting_others_needs_the_redact_level(client, alice, bob, room):
    _, token = alice
    _, bob_token = bob
    alices = text(client, token, room, "alice's words")
    response = client.put(path("rooms", room, "redact", alices, txn()), token=bob_token, json_body={})
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    event = assert_json_response(client.get(path("rooms", room, "event", alices), token=token))
    assert event["content"]["body"] == "alice's words"
    # bob may redact his own event; alice (creator) may redact anyone's.
    bobs = text(client, bob_token, room, "bob's words")
    assert_json_response(client.put(path("rooms", room, "redact", bobs, txn()), token=bob_token, json_body={}))
    bobs2 = text(client, bob_token, room, "more of bob's words")
    assert_json_response(client.put(path("rooms", room, "redact", bobs2, txn()), token=token, json_body={}))
    for event_id in (bobs, bobs2):
        event = assert_json_response(client.get(path("rooms", room, "event", event_id), token=bob_token))
        assert event["content"] == {}


@spec("client-server-api/#size-limits")
def test_events_over_64_kib_are_refused(client, alice, room):
    _, token = alice
    before = event_ids(client, token, room)
    # The request body (~70 KB) is within the HTTP body limit; the event would exceed 65536 bytes.
    # The spec names no status; Synapse answers 413 M_TOO_LARGE.
    response = client.put(path("rooms", room, "send", "m.room.message", txn()), token=token,
                          json_body={"msgtype": "m.text", "body": "x" * 70000})
    assert_matrix_error(response, 413, "M_TOO_LARGE")
    response = client.put(path("rooms", room, "state", "org.example.big", ""), token=token,
                          json_body={"blob": "y" * 70000})
    assert_matrix_error(response, 413, "M_TOO_LARGE")
    assert event_ids(client, token, room) == before
    # Comfortably below the limit is fine.
    send(client, token, room, {"msgtype": "m.text", "body": "z" * 60000})


@spec("client-server-api/#size-limits")
@pytest.mark.parametrize("field", ["type", "state_key"])
def test_type_and_state_key_over_255_bytes_are_refused(client, alice, room, field):
    _, token = alice
    before = event_ids(client, token, room)
    if field == "type":
        url = path("rooms", room, "send", "org.example." + "t" * 250, txn())
    else:
        url = path("rooms", room, "state", "org.example.key", "k" * 256)
    # Synapse refuses these with the same 413 M_TOO_LARGE as an oversized event.
    assert_matrix_error(client.put(url, token=token, json_body={}), 413, "M_TOO_LARGE")
    assert event_ids(client, token, room) == before


@spec("client-server-api/#api-standards")
def test_bodies_must_be_json_objects(client, alice, room):
    _, token = alice
    url = path("rooms", room, "send", "m.room.message", txn())
    assert_matrix_error(client.put(url, token=token, body=b'{"body": ',
                                   headers={"Content-Type": "application/json"}), 400, "M_NOT_JSON")
    assert_matrix_error(client.put(url, token=token, body=b"\xff\xfe{}",
                                   headers={"Content-Type": "application/json"}), 400, "M_NOT_JSON")
    assert_matrix_error(client.put(url, token=token, json_body=[1, 2]), 400, ("M_BAD_JSON", "M_NOT_JSON"))
    assert_matrix_error(client.put(url, token=token, json_body="text"), 400, ("M_BAD_JSON", "M_NOT_JSON"))


@spec("client-server-api/#transaction-identifiers")
def test_concurrent_retries_of_one_transaction_make_one_event(server, alice, room):
    _, token = alice
    rounds, retries = 5, 8
    for round_number in range(rounds):
        txn_id = txn()
        content = {"msgtype": "m.text", "body": f"raced {round_number}"}
        results = run_concurrently(server, lambda c, _: send(c, token, room, content, txn_id=txn_id),
                                   range(retries), together=True)
        assert len(set(results)) == 1, f"round {round_number}: {results}"
    with server.client() as c:
        bodies = [e["content"].get("body") for e in all_messages(c, token, room, limit=100)]
    for round_number in range(rounds):
        assert bodies.count(f"raced {round_number}") == 1


@spec("client-server-api/#put_matrixclientv3roomsroomidredacteventidtxnid")
def test_redaction_cannot_reach_into_another_room(client, alice, room):
    _, token = alice
    other = create_room(client, token)
    elsewhere = text(client, token, other, "lives in the other room")
    # The path names `room`; the event is in `other`. Whatever the answer, `other` keeps its event.
    client.put(path("rooms", room, "redact", elsewhere, txn()), token=token, json_body={})
    event = assert_json_response(client.get(path("rooms", other, "event", elsewhere), token=token))
    assert event["content"]["body"] == "lives in the other room"
    assert "redacted_because" not in event.get("unsigned", {})


@spec("rooms/v6#canonical-json")
def test_content_must_be_canonical_json(client, alice, room):
    _, token = alice
    before = event_ids(client, token, room)
    # From room version 6 on: integers only, within +-(2**53 - 1); else 400 M_BAD_JSON.
    for content in ({"n": 2 ** 53}, {"n": -(2 ** 53)}, {"f": 1.5}, {"deep": {"list": [1, 0.25]}}):
        response = client.put(path("rooms", room, "send", "org.example.num", txn()), token=token,
                              json_body=content)
        assert_matrix_error(response, 400, "M_BAD_JSON")
        response = client.put(path("rooms", room, "state", "org.example.num", "k"), token=token,
                              json_body=content)
        assert_matrix_error(response, 400, "M_BAD_JSON")
    assert event_ids(client, token, room) == before
    edge = send(client, token, room, {"max": 2 ** 53 - 1, "min": -(2 ** 53 - 1)}, event_type="org.example.num")
    event = assert_json_response(client.get(path("rooms", room, "event", edge), token=token))
    assert event["content"] == {"max": 2 ** 53 - 1, "min": -(2 ** 53 - 1)}


@spec("client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey")
def test_unicode_and_reserved_characters_in_paths_and_content(client, alice, room):
    _, token = alice
    # Percent-encoded path segments, including a slash and a space inside the state key.
    key = "a/b c?d#e%f ü 🐈"
    put_state(client, token, room, "org.example.odd type", {"cat": "🐈", "nul": "a\u0000b"}, key)
    assert get_state(client, token, room, "org.example.odd type", key) == {"cat": "🐈", "nul": "a\u0000b"}
    events = assert_json_response_list(client.get(path("rooms", room, "state"), token=token))
    assert [e["state_key"] for e in events if e["type"] == "org.example.odd type"] == [key]
    event_id = send(client, token, room, {"msgtype": "m.text", "body": "Grüße, 世界 \U0001F600"},
                    txn_id="tx/with spaces+ü")
    event = assert_json_response(client.get(path("rooms", room, "event", event_id), token=token))
    assert event["content"]["body"] == "Grüße, 世界 \U0001F600"


@spec("rooms/v11#redactions")
@pytest.mark.parametrize("version", ["10", "12"])
def test_redaction_algorithm_follows_the_room_version(client, alice, version):
    user_id, token = alice
    room_id = create_room(client, token, room_version=version, power_level_content_override={
        "invite": 30, "notifications": {"room": 20}, "org.example.extra": True})
    create_before = get_state(client, token, room_id, "m.room.create")
    levels_id = [e for e in assert_json_response_list(client.get(path("rooms", room_id, "state"), token=token))
                 if e["type"] == "m.room.power_levels"][0]["event_id"]
    create_id = [e for e in assert_json_response_list(client.get(path("rooms", room_id, "state"), token=token))
                 if e["type"] == "m.room.create"][0]["event_id"]
    for event_id in (levels_id, create_id):
        assert_json_response(client.put(path("rooms", room_id, "redact", event_id, txn()), token=token,
                                        json_body={}))
    levels = get_state(client, token, room_id, "m.room.power_levels")
    create = get_state(client, token, room_id, "m.room.create")
    assert "notifications" not in levels and "org.example.extra" not in levels
    if version == "12":
        # v11 algorithm: power levels keep `invite`; the create event keeps all of its content.
        assert levels["invite"] == 30
        assert create == create_before
    else:
        # v9 algorithm: `invite` goes; the create event keeps only `creator`.
        assert "invite" not in levels
        assert levels["users"][user_id] == 100
        assert create == {"creator": user_id}


@spec("client-server-api/#put_matrixclientv3roomsroomidredacteventidtxnid")
def test_outsiders_cannot_redact(client, alice, eve, room):
    _, token = alice
    _, eve_token = eve
    event_id = text(client, token, room, "eve would like this gone")
    response = client.put(path("rooms", room, "redact", event_id, txn()), token=eve_token, json_body={})
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    event = assert_json_response(client.get(path("rooms", room, "event", event_id), token=token))
    assert event["content"]["body"] == "eve would like this gone"


@spec("client-server-api/#room-history-visibility")
def test_invitees_cannot_read_shared_history_before_joining(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = create_room(client, token, preset="private_chat")
    event_id = text(client, token, room_id, "members only")
    assert_json_response(client.post(path("rooms", room_id, "invite"), token=token, json_body={"user_id": bob_id}))
    # `shared` lets members who join later read it; an invitee has not joined yet.
    assert_matrix_error(client.get(path("rooms", room_id, "event", event_id), token=bob_token), 404, "M_NOT_FOUND")
    join(client, bob_token, room_id)
    event = assert_json_response(client.get(path("rooms", room_id, "event", event_id), token=bob_token))
    assert event["content"]["body"] == "members only"

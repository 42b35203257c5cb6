"""A fake remote homeserver (harness/federation.py) joins a room made on Ranvier and takes part
in it over the server-server API: make_join/send_join, PUT /send with PDUs and EDUs (what it
sends reaches the local user's /sync), leaving and knocking, and the checks on received PDUs
(signatures, hashes, authorization, unknown rooms, server ACLs)."""


import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.federation import CertificateAuthority, FakeHomeserver, now_ms, ranvier_with_fakes
from harness.federation_events import (build_event, event_id, fed_path, join, make_membership, quote,
                                       send_membership, send_transaction, sign_event)
from harness.rooms import bodies, create_room, new_user, put_state, sync, text, timeline_events

REMOTE = "remote.rooms.test"
OTHER = "other.rooms.test"
BOB = f"@bob:{REMOTE}"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Ranvier with alice, and two fake servers: `remote` (bob's) and `other` (never joins)."""
    folder = tmp_path_factory.mktemp("federation_rooms")
    ca = CertificateAuthority(folder / "ca")
    remote = FakeHomeserver(REMOTE, ca).start()
    other = FakeHomeserver(OTHER, ca).start()
    with ranvier_with_fakes(folder, "ranvier.rooms.test", ca, [remote, other]) as server:
        with server.client() as client:
            alice = new_user(client, "alice")
        yield server, remote, other, alice


def public_room(server, token, **request):
    with server.client() as client:
        return create_room(client, token, preset="public_chat", room_version="12", **request)


def synced(server, token, **query):
    with server.client() as client:
        return sync(client, token, **query)


@spec("server-server-api/#joining-rooms")
def test_remote_user_joins_and_talks(setup):
    server, remote, _, (alice_id, alice) = setup
    room = public_room(server, alice)
    join_id, answer = join(remote, server, room, BOB)
    assert answer["members_omitted"] is False
    state = {(e["type"], e.get("state_key")) for e in answer["state"]}
    # The state before the join: the room's state events, alice joined, bob not yet.
    assert ("m.room.create", "") in state and ("m.room.member", alice_id) in state
    assert ("m.room.member", BOB) not in state
    assert all("signatures" in e for e in answer["auth_chain"])
    since = synced(server, alice)["next_batch"]
    # A message through /send reaches alice's /sync.
    message = build_event(remote, server, room, BOB, "m.room.message", {"msgtype": "m.text", "body": "hi from afar"})
    body = assert_json_response(send_transaction(remote, server, "join-talk-1", [message]))
    assert body == {"pdus": {event_id(message): {}}}
    events = timeline_events(synced(server, alice, since=since), room)
    assert bodies(events) == ["hi from afar"]
    assert events[-1]["sender"] == BOB and events[-1]["event_id"] == event_id(message)
    # Alice's reply is part of the room bob's server can read back.
    reply = None
    with server.client() as client:
        reply = text(client, alice, room, "hello bob")
    got = assert_json_response(remote.request(server, "GET", fed_path("event", reply)))
    assert got["pdus"][0]["content"]["body"] == "hello bob"
    assert join_id in {e["event_id"] for e in timeline_events(synced(server, alice), room)}


@spec("server-server-api/#put_matrixfederationv1sendtxnid")
def test_transactions_are_idempotent(setup):
    server, remote, _, (_, alice) = setup
    room = public_room(server, alice)
    join(remote, server, room, BOB)
    message = build_event(remote, server, room, BOB, "m.room.message", {"msgtype": "m.text", "body": "once"})
    first = assert_json_response(send_transaction(remote, server, "idem-1", [message]))
    # Same ID again, even with other content: the first answer, nothing processed twice.
    other = build_event(remote, server, room, BOB, "m.room.message", {"msgtype": "m.text", "body": "never"})
    again = assert_json_response(send_transaction(remote, server, "idem-1", [other]))
    assert again == first
    assert bodies(timeline_events(synced(server, alice), room)).count("once") == 1
    assert "never" not in bodies(timeline_events(synced(server, alice), room))


@spec("server-server-api/#checks-performed-on-receipt-of-a-pdu")
def test_bad_pdus_get_per_pdu_errors(setup):
    server, remote, other, (_, alice) = setup
    room = public_room(server, alice)
    join(remote, server, room, BOB)
    good = build_event(remote, server, room, BOB, "m.room.message", {"msgtype": "m.text", "body": "good"})
    # A signature that does not verify: signed by another key under the remote's key ID.
    forged = sign_event(other, dict(good, content={"msgtype": "m.text", "body": "forged"}))
    forged["signatures"] = {REMOTE: {remote.key_id: forged["signatures"][OTHER][other.key_id]}}
    # A user not in the room: refused by the auth rules.
    stranger = build_event(remote, server, room, BOB, "m.room.message", {"msgtype": "m.text", "body": "x"})
    stranger["sender"] = f"@stranger:{REMOTE}"
    stranger = sign_event(remote, stranger)
    # A room this server is not in.
    unknown = dict(good, room_id="!unknown:nowhere.test")
    unknown = sign_event(remote, unknown)
    body = assert_json_response(send_transaction(remote, server, "bad-1", [good, forged, stranger, unknown]))
    results = body["pdus"]
    assert results[event_id(good)] == {}
    for bad in (forged, stranger, unknown):
        assert isinstance(results[event_id(bad)].get("error"), str), results
    assert bodies(timeline_events(synced(server, alice), room)) == ["good"]


@spec("server-server-api/#validating-hashes-and-signatures-on-received-events")
def test_content_hash_mismatch_keeps_the_redacted_event(setup):
    server, remote, _, (_, alice) = setup
    room = public_room(server, alice)
    join(remote, server, room, BOB)
    message = build_event(remote, server, room, BOB, "m.room.message", {"msgtype": "m.text", "body": "original"})
    message["content"]["body"] = "tampered"  # covered by the hash, not by the signature
    body = assert_json_response(send_transaction(remote, server, "hash-1", [message]))
    assert body["pdus"][event_id(message)] == {}
    events = [e for e in timeline_events(synced(server, alice), room) if e["event_id"] == event_id(message)]
    assert len(events) == 1 and events[0]["content"] == {}


@spec("server-server-api/#edus")
def test_typing_and_to_device_edus(setup):
    server, remote, _, (alice_id, alice) = setup
    room = public_room(server, alice)
    join(remote, server, room, BOB)
    since = synced(server, alice)["next_batch"]
    edus = [{"edu_type": "m.typing", "content": {"room_id": room, "user_id": BOB, "typing": True}},
            # Not bob's server's user: ignored.
            {"edu_type": "m.typing", "content": {"room_id": room, "user_id": "@eve:elsewhere.test", "typing": True}},
            {"edu_type": "m.direct_to_device", "content": {"sender": BOB, "type": "org.example.ping", "message_id": "m1",
                                                           "messages": {alice_id: {"*": {"n": 1}}}}}]
    assert_json_response(send_transaction(remote, server, "edu-1", [], edus))
    body = synced(server, alice, since=since)
    ephemeral = body["rooms"]["join"][room]["ephemeral"]["events"]
    typing = [e for e in ephemeral if e["type"] == "m.typing"]
    assert typing and typing[-1]["content"]["user_ids"] == [BOB]
    to_device = body.get("to_device", {}).get("events", [])
    assert [(e["sender"], e["type"], e["content"]) for e in to_device] == [(BOB, "org.example.ping", {"n": 1})]



@spec("server-server-api/#receipts")
def test_receipt_edus_reach_sync(setup):
    server, remote, _, (_, alice) = setup
    room = public_room(server, alice)
    join(remote, server, room, BOB)
    with server.client() as client:
        read = text(client, alice, room, "read me")
    since = synced(server, alice)["next_batch"]
    receipt = {room: {"m.read": {BOB: {"event_ids": [read], "data": {"ts": now_ms()}},
                                 # Another server's user: ignored.
                                 "@eve:elsewhere.test": {"event_ids": [read], "data": {"ts": now_ms()}}}}}
    assert_json_response(send_transaction(remote, server, "receipt-1", [],
                                          [{"edu_type": "m.receipt", "content": receipt}]))
    ephemeral = synced(server, alice, since=since)["rooms"]["join"][room]["ephemeral"]["events"]
    receipts = [e["content"] for e in ephemeral if e["type"] == "m.receipt"]
    assert receipts and set(receipts[-1][read]["m.read"]) == {BOB}


@spec("server-server-api/#get_matrixfederationv1make_joinroomiduserid")
def test_make_join_checks_version_and_user(setup):
    server, remote, _, (_, alice) = setup
    room = public_room(server, alice)
    response = remote.request(server, "GET", fed_path("make_join", room, BOB, query="ver=1&ver=2"))
    body = assert_matrix_error(response, 400, "M_INCOMPATIBLE_ROOM_VERSION")
    assert body["room_version"] == "12"
    # Only for the requesting server's own users.
    response = remote.request(server, "GET", fed_path("make_join", room, "@bob:other.rooms.test", query="ver=12"))
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    # Unknown rooms.
    response = remote.request(server, "GET", fed_path("make_join", "!nope:ranvier.rooms.test", BOB, query="ver=12"))
    assert_matrix_error(response, 404, "M_NOT_FOUND")
    # Invite-only rooms: nobody invited bob.
    with server.client() as client:
        private = create_room(client, alice, preset="private_chat", room_version="12")
    response = remote.request(server, "GET", fed_path("make_join", private, BOB, query="ver=12"))
    assert_matrix_error(response, 403, "M_FORBIDDEN")


@spec("server-server-api/#leaving-rooms-rejecting-invites")
def test_remote_user_leaves(setup):
    server, remote, _, (_, alice) = setup
    room = public_room(server, alice)
    join(remote, server, room, BOB)
    template = make_membership(remote, server, "leave", room, BOB)
    assert template["content"]["membership"] == "leave"
    leave_id, _, response = send_membership(remote, server, "leave", template)
    assert assert_json_response(response) == {}
    members = [e for e in timeline_events(synced(server, alice), room)
               if e["type"] == "m.room.member" and e["state_key"] == BOB]
    assert members[-1]["event_id"] == leave_id and members[-1]["content"]["membership"] == "leave"


@spec("server-server-api/#knocking-upon-a-room")
def test_remote_user_knocks(setup):
    server, remote, _, (_, alice) = setup
    room = public_room(server, alice)
    with server.client() as client:
        put_state(client, alice, room, "m.room.join_rules", {"join_rule": "knock"})
    template = make_membership(remote, server, "knock", room, BOB)
    _, _, response = send_membership(remote, server, "knock", template)
    body = assert_json_response(response)
    types = {e["type"] for e in body["knock_room_state"]}
    assert {"m.room.create", "m.room.join_rules"} <= types
    # Alice's /sync shows the knock as a member event.
    members = [e for e in timeline_events(synced(server, alice), room) if e["type"] == "m.room.member"]
    assert members[-1]["state_key"] == BOB and members[-1]["content"]["membership"] == "knock"


@spec("server-server-api/#server-access-control-lists-acls")
def test_server_acls_deny_the_origin(setup):
    server, remote, _, (_, alice) = setup
    room = public_room(server, alice)
    join(remote, server, room, BOB)
    # Built while bob's server is still welcome.
    message = build_event(remote, server, room, BOB, "m.room.message", {"msgtype": "m.text", "body": "denied"})
    with server.client() as client:
        put_state(client, alice, room, "m.room.server_acl",
                  {"allow": ["*"], "deny": ["*.rooms.test"], "allow_ip_literals": False})
    response = remote.request(server, "GET", fed_path("make_join", room, f"@carol:{REMOTE}", query="ver=12"))
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    response = remote.request(server, "GET", fed_path("state_ids", room, query=f"event_id={quote(message['prev_events'][0])}"))
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    body = assert_json_response(send_transaction(remote, server, "acl-1", [message]))
    assert isinstance(body["pdus"][event_id(message)].get("error"), str)
    assert "denied" not in bodies(timeline_events(synced(server, alice), room))


@spec("server-server-api/#post_matrixfederationv1get_missing_eventsroomid")
def test_gaps_before_a_pdu_are_fetched_from_the_origin(setup):
    server, remote, _, (_, alice) = setup
    room = public_room(server, alice)
    join(remote, server, room, BOB)
    first = build_event(remote, server, room, BOB, "m.room.message", {"msgtype": "m.text", "body": "lost"})
    second = build_event(remote, server, room, BOB, "m.room.message", {"msgtype": "m.text", "body": "after the gap"},
                         prev_events=[event_id(first)])
    asked = []

    def missing_events(method, target, body):
        asked.append(body)
        return 200, {"events": [first]}

    remote.route("POST", fed_path("get_missing_events", room), missing_events)
    body = assert_json_response(send_transaction(remote, server, "gap-1", [second]))
    # Only the transaction's own PDU is answered for.
    assert body == {"pdus": {event_id(second): {}}}
    assert asked and asked[0]["latest_events"] == [event_id(second)] and asked[0]["earliest_events"]
    assert bodies(timeline_events(synced(server, alice), room))[-2:] == ["lost", "after the gap"]
    # Without an answer the gap stays, and the PDU says so.
    third = build_event(remote, server, room, BOB, "m.room.message", {"msgtype": "m.text", "body": "x"},
                        prev_events=["$" + "g" * 43])
    remote.route("POST", fed_path("get_missing_events", room), lambda *_: (200, {"events": []}))
    body = assert_json_response(send_transaction(remote, server, "gap-2", [third]))
    assert "missing prev events" in body["pdus"][event_id(third)]["error"]


@spec("server-server-api/#restricted-rooms")
def test_restricted_join_vouched_for_by_a_local_user(setup):
    server, remote, _, (alice_id, alice) = setup
    allowed = public_room(server, alice)
    join(remote, server, allowed, BOB)
    room = public_room(server, alice)
    with server.client() as client:
        put_state(client, alice, room, "m.room.join_rules",
                  {"join_rule": "restricted", "allow": [{"type": "m.room_membership", "room_id": allowed}]})
    template = make_membership(remote, server, "join", room, BOB)
    assert template["content"]["join_authorised_via_users_server"] == alice_id
    eid, _, response = send_membership(remote, server, "join", template)
    body = assert_json_response(response)
    # The event comes back with the vouching server's signature.
    assert server.server_name in body["event"]["signatures"] and REMOTE in body["event"]["signatures"]
    assert event_id(body["event"]) == eid
    members = [e for e in timeline_events(synced(server, alice), room) if e["type"] == "m.room.member"]
    assert members[-1]["state_key"] == BOB and members[-1]["content"]["membership"] == "join"
    # Someone in none of the allowed rooms is refused.
    response = remote.request(server, "GET", fed_path("make_join", room, f"@carol:{REMOTE}", query="ver=12"))
    assert_matrix_error(response, 403, "M_FORBIDDEN")

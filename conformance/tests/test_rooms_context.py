"""GET /rooms/{roomId}/context/{eventId}: the limit shared between the events before and after,
their order, the state at the last event, /messages tokens that continue either way, the
RoomEventFilter (not applied to the event itself), history visibility, and the errors."""

import json
from typing import Any

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import (assert_client_event, bodies, create_room, join, messages, path, public_room, put_state,
                           text, user_fixture)

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
CONTEXT = "client-server-api/#get_matrixclientv3roomsroomidcontexteventid"
COUNT = 12

alice = user_fixture("alice")
bob = user_fixture("bob")
eve = user_fixture("eve")


def context(client, token: str, room_id: str, event_id: str, **query: Any) -> dict:
    """GET /context with `query` (dict values sent as JSON), checked for success and shape."""
    query = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in query.items()}
    body = assert_json_response(client.get(path("rooms", room_id, "context", event_id, query=query), token=token))
    for key in ("events_before", "events_after", "state"):
        assert isinstance(body.get(key), list), body
        for event in body[key]:
            assert_client_event(event, room_id)
    assert_client_event(body["event"], room_id)
    assert body["event"]["event_id"] == event_id
    assert isinstance(body.get("start"), str) and isinstance(body.get("end"), str), body
    return body


def ids(events: list[dict]) -> list[str]:
    return [e["event_id"] for e in events]


@pytest.fixture(scope="module")
def history(server, alice):
    """A room with its creation events, then COUNT messages m0 ... m11."""
    _, token = alice
    with server.client() as c:
        room_id = create_room(c, token, preset="public_chat")
        sent = [text(c, token, room_id, f"m{i}") for i in range(COUNT)]
    return room_id, sent


@spec(CONTEXT)
def test_limit_is_split_before_and_after(client, alice, history):
    _, token = alice
    room_id, sent = history
    body = context(client, token, room_id, sent[6], limit=4)
    # Before: newest first; after: oldest first.
    assert ids(body["events_before"]) == [sent[5], sent[4]]
    assert ids(body["events_after"]) == [sent[7], sent[8]]
    assert body["event"]["content"]["body"] == "m6"


@spec(CONTEXT)
def test_default_limit_is_ten(client, alice, history):
    _, token = alice
    room_id, sent = history
    body = context(client, token, room_id, sent[6])
    assert len(body["events_before"]) + len(body["events_after"]) == 10
    assert ids(body["events_after"]) == sent[7:12]


@spec(CONTEXT)
def test_limit_zero_gives_the_event_alone(client, alice, history):
    _, token = alice
    room_id, sent = history
    body = context(client, token, room_id, sent[3], limit=0)
    assert body["events_before"] == [] and body["events_after"] == []


@spec(CONTEXT)
def test_edges_of_the_room(client, alice, history):
    _, token = alice
    room_id, sent = history
    newest = context(client, token, room_id, sent[-1], limit=6)
    assert newest["events_after"] == []
    assert ids(newest["events_before"]) == sent[-2:-5:-1]
    oldest = context(client, token, room_id, sent[0], limit=40)
    # Before the first message come the room's creation events, ending with m.room.create.
    assert oldest["events_before"][-1]["type"] == "m.room.create"
    assert ids(oldest["events_after"]) == sent[1:]


@spec(CONTEXT)
def test_tokens_continue_with_messages(client, alice, history):
    _, token = alice
    room_id, sent = history
    body = context(client, token, room_id, sent[6], limit=4)
    older = messages(client, token, room_id, dir="b", limit=2, **{"from": body["start"]})
    assert ids(older["chunk"]) == [sent[3], sent[2]]
    newer = messages(client, token, room_id, dir="f", limit=2, **{"from": body["end"]})
    assert ids(newer["chunk"]) == [sent[9], sent[10]]


@spec(CONTEXT)
def test_state_at_the_last_event(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room_id = create_room(client, token, preset="public_chat", name="first name")
    early = text(client, token, room_id, "early")
    put_state(client, token, room_id, "m.room.name", {"name": "second name"})
    join(client, bob_token, room_id)
    body = context(client, token, room_id, early, limit=0)
    state = {(e["type"], e["state_key"]): e for e in body["state"]}
    assert ("m.room.create", "") in state
    assert state[("m.room.name", "")]["content"]["name"] == "first name"
    assert ("m.room.member", bob_id) not in state
    # With events after it, the state is the one at the last of them.
    later = context(client, token, room_id, early, limit=10)
    state = {(e["type"], e["state_key"]): e for e in later["state"]}
    assert state[("m.room.name", "")]["content"]["name"] == "second name"
    assert state[("m.room.member", bob_id)]["content"]["membership"] == "join"
    assert state[("m.room.member", alice_id)]["content"]["membership"] == "join"


@spec(CONTEXT)
def test_filter_spares_the_event(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    text(client, bob_token, room_id, "bob before")
    text(client, token, room_id, "alice before")
    middle = text(client, token, room_id, "middle")
    text(client, bob_token, room_id, "bob after")
    text(client, token, room_id, "alice after")
    body = context(client, token, room_id, middle, limit=4,
                   filter={"senders": [bob_id], "types": ["m.room.message"]})
    # The filter counts toward the limit: two of bob's messages each way would be needed; there
    # is one either side.
    assert bodies(body["events_before"]) == ["bob before"]
    assert bodies(body["events_after"]) == ["bob after"]
    assert body["event"]["sender"] == alice_id
    # The filter applies to the state too: only bob's state events of the listed types remain.
    assert body["state"] == []


@spec("client-server-api/#lazy-loading-room-members")
def test_lazy_loaded_members(client, alice, bob, eve):
    alice_id, token = alice
    bob_id, bob_token = bob
    eve_id, eve_token = eve
    room_id = public_room(client, token, bob_token, eve_token)
    text(client, token, room_id, "alice first")
    middle = text(client, token, room_id, "alice")
    text(client, bob_token, room_id, "bob")
    body = context(client, token, room_id, middle, limit=2, filter={"lazy_load_members": True})
    members = {e["state_key"] for e in body["state"] if e["type"] == "m.room.member"}
    # The senders of the event and of the events around it; eve sent nothing.
    assert members == {alice_id, bob_id}
    assert any(e["type"] == "m.room.create" for e in body["state"])


@spec("client-server-api/#room-history-visibility")
def test_history_visibility(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = create_room(client, token, preset="public_chat")
    put_state(client, token, room_id, "m.room.history_visibility", {"history_visibility": "joined"})
    hidden = text(client, token, room_id, "before bob")
    join(client, bob_token, room_id)
    seen = text(client, token, room_id, "after bob")
    assert_matrix_error(client.get(path("rooms", room_id, "context", hidden), token=bob_token), 404, "M_NOT_FOUND")
    body = context(client, bob_token, room_id, seen, limit=10)
    # Events bob may not see are left out around a visible one.
    assert "before bob" not in bodies(body["events_before"])
    assert "before bob" in bodies(context(client, token, room_id, seen, limit=10)["events_before"])


@spec(CONTEXT)
def test_unknown_and_foreign_events_are_not_found(client, alice, history):
    _, token = alice
    room_id, _ = history
    assert_matrix_error(client.get(path("rooms", room_id, "context", "$unknown:localhost"), token=token),
                        404, "M_NOT_FOUND")
    other = create_room(client, token)
    foreign = text(client, token, other, "elsewhere")
    assert_matrix_error(client.get(path("rooms", room_id, "context", foreign), token=token), 404, "M_NOT_FOUND")


@spec(CONTEXT)
def test_outsiders_are_refused(client, eve, history):
    _, eve_token = eve
    room_id, sent = history
    for room in (room_id, "!nowhere:localhost"):
        response = client.get(path("rooms", room, "context", sent[0]), token=eve_token)
        assert_matrix_error(response, 403, "M_FORBIDDEN")


@spec(CONTEXT)
@pytest.mark.parametrize("query", [{"limit": "-1"}, {"limit": "ten"}, {"filter": "{not json"},
                                   {"filter": "[]"}, {"filter": '{"types": "m.room.message"}'}])
def test_bad_parameters(client, alice, history, query):
    _, token = alice
    room_id, sent = history
    response = client.get(path("rooms", room_id, "context", sent[0], query=query), token=token)
    assert_matrix_error(response, 400, ("M_INVALID_PARAM", "M_BAD_JSON"))

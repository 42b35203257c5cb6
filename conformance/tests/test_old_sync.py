"""The deprecated syncing APIs that /sync replaced, still in the spec (client-server API,
"Deprecated APIs" of "Syncing"): GET /initialSync (rooms with recent messages and state,
`limit`, `archived`), GET /rooms/{roomId}/initialSync (members and world-readable peeking),
and GET /events (events after a token, long-polling; `room_id` to peek)."""

import threading
import time

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import (assert_client_event, create_room, invite, join, leave, path, put_state, text,
                           user_fixture)

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
INITIAL_SYNC = "client-server-api/#get_matrixclientv3initialsync"
ROOM_INITIAL_SYNC = "client-server-api/#get_matrixclientv3roomsroomidinitialsync"
EVENTS = "client-server-api/#get_matrixclientv3events"
PEEK = "client-server-api/#get_matrixclientv3eventspeek"

alice = user_fixture("alice")
bob = user_fixture("bob")
carol = user_fixture("carol")


def initial_sync(client, token, **query) -> dict:
    body = assert_json_response(client.get(path("initialSync", query=query or None), token=token))
    assert isinstance(body["end"], str) and isinstance(body["rooms"], list), body
    assert isinstance(body["presence"], list) and isinstance(body["account_data"], list), body
    return body


def room_of(body: dict, room_id: str) -> dict:
    found = [room for room in body["rooms"] if room["room_id"] == room_id]
    assert len(found) == 1, body
    return found[0]


def message_bodies(events) -> list:
    return [e["content"]["body"] for e in events if e["type"] == "m.room.message"]


def world_readable_room(client, token) -> str:
    return create_room(client, token, preset="public_chat",
                       initial_state=[{"type": "m.room.history_visibility", "state_key": "",
                                       "content": {"history_visibility": "world_readable"}}])


def events(client, token, **query) -> dict:
    body = assert_json_response(client.get(path("events", query=query), token=token))
    assert isinstance(body["start"], str) and isinstance(body["end"], str) and isinstance(body["chunk"], list), body
    return body


@spec(INITIAL_SYNC)
def test_initial_sync_lists_joined_and_invited_rooms(client, alice, bob):
    alice_id, alice_token = alice
    bob_id, bob_token = bob
    joined = create_room(client, alice_token, preset="public_chat", name="joined")
    for i in range(3):
        text(client, alice_token, joined, f"m{i}")
    invited = create_room(client, bob_token, preset="private_chat")
    invite(client, bob_token, invited, alice_id)
    assert_json_response(client.put(path("user", alice_id, "account_data", "org.example.global"), token=alice_token,
                                    json_body={"answer": 42}))
    body = initial_sync(client, alice_token)
    room = room_of(body, joined)
    assert room["membership"] == "join" and room["visibility"] == "private"
    assert message_bodies(room["messages"]["chunk"])[-3:] == ["m0", "m1", "m2"]
    for event in room["messages"]["chunk"] + room["state"]:
        assert_client_event(event, joined)
    assert {"m.room.create", "m.room.name", "m.room.member"} <= {e["type"] for e in room["state"]}
    assert isinstance(room["messages"]["start"], str) and room["messages"]["end"] == body["end"]
    pending = room_of(body, invited)
    assert pending["membership"] == "invite"
    assert pending["invite"]["type"] == "m.room.member" and pending["invite"]["state_key"] == alice_id
    assert {"type": "org.example.global", "content": {"answer": 42}} in body["account_data"]


@spec(INITIAL_SYNC)
def test_limit_and_paging_back_from_start(client, alice):
    _, token = alice
    room_id = create_room(client, token, preset="private_chat")
    for i in range(5):
        text(client, token, room_id, f"p{i}")
    room = room_of(initial_sync(client, token, limit=2), room_id)
    assert message_bodies(room["messages"]["chunk"]) == ["p3", "p4"]
    older = assert_json_response(client.get(path("rooms", room_id, "messages",
                                                 query={"from": room["messages"]["start"], "dir": "b",
                                                        "limit": 2}), token=token))
    assert message_bodies(older["chunk"]) == ["p2", "p1"]
    assert_matrix_error(client.get(path("initialSync", query={"limit": -1}), token=token), 400, "M_INVALID_PARAM")


@spec(INITIAL_SYNC)
def test_archived_rooms_end_at_the_leave(client, alice, bob):
    _, alice_token = alice
    _, bob_token = bob
    room_id = create_room(client, alice_token, preset="public_chat")
    join(client, bob_token, room_id)
    text(client, alice_token, room_id, "before bob left")
    leave(client, bob_token, room_id)
    text(client, alice_token, room_id, "after bob left")
    put_state(client, alice_token, room_id, "m.room.topic", {"topic": "after bob left"})
    assert room_id not in [r["room_id"] for r in initial_sync(client, bob_token)["rooms"]]
    room = room_of(initial_sync(client, bob_token, archived="true"), room_id)
    assert room["membership"] == "leave"
    assert "before bob left" in message_bodies(room["messages"]["chunk"])
    assert "after bob left" not in message_bodies(room["messages"]["chunk"])
    assert "m.room.topic" not in {e["type"] for e in room["state"]}


@spec(ROOM_INITIAL_SYNC)
def test_room_initial_sync(client, alice, bob):
    _, alice_token = alice
    _, bob_token = bob
    room_id = create_room(client, alice_token, preset="private_chat", name="one room")
    text(client, alice_token, room_id, "hello")
    body = assert_json_response(client.get(path("rooms", room_id, "initialSync"), token=alice_token))
    assert body["room_id"] == room_id and body["membership"] == "join"
    assert message_bodies(body["messages"]["chunk"]) == ["hello"]
    assert "m.room.name" in {e["type"] for e in body["state"]}
    assert isinstance(body["presence"], list) and isinstance(body["account_data"], list)
    assert_matrix_error(client.get(path("rooms", room_id, "initialSync"), token=bob_token), 403, "M_FORBIDDEN")


@spec(ROOM_INITIAL_SYNC)
def test_room_initial_sync_of_a_world_readable_room(client, alice, carol):
    _, alice_token = alice
    _, carol_token = carol
    room_id = world_readable_room(client, alice_token)
    text(client, alice_token, room_id, "readable")
    body = assert_json_response(client.get(path("rooms", room_id, "initialSync"), token=carol_token))
    assert "membership" not in body
    assert message_bodies(body["messages"]["chunk"]) == ["readable"]


@spec(EVENTS)
def test_events_continue_from_initial_sync(client, alice):
    _, token = alice
    room_id = create_room(client, token, preset="private_chat")
    end = initial_sync(client, token)["end"]
    first = text(client, token, room_id, "new one")
    body = events(client, token, **{"from": end, "timeout": 0})
    assert [e["event_id"] for e in body["chunk"]] == [first]
    assert body["start"] == end
    again = events(client, token, **{"from": body["end"], "timeout": 0})
    assert again["chunk"] == [] and again["end"] == body["end"]


@spec(EVENTS)
def test_events_long_poll_wakes_on_a_message(server, client, alice):
    _, token = alice
    room_id = create_room(client, token, preset="private_chat")
    end = initial_sync(client, token)["end"]
    result = {}

    def poll():
        with server.client(timeout=30) as c:
            started = time.monotonic()
            result["body"] = events(c, token, **{"from": end, "timeout": 20000})
            result["waited"] = time.monotonic() - started

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(0.5)
    event_id = text(client, token, room_id, "wake up")
    waiter.join(25)
    assert [e["event_id"] for e in result["body"]["chunk"]] == [event_id]
    assert result["waited"] < 15


@spec(EVENTS)
def test_events_without_a_token_start_now(client, alice):
    _, token = alice
    room_id = create_room(client, token, preset="private_chat")
    text(client, token, room_id, "old")
    assert events(client, token, timeout=0)["chunk"] == []


@spec(EVENTS)
def test_events_errors(client, alice):
    _, token = alice
    assert_matrix_error(client.get(path("events", query={"from": "nonsense"}), token=token), 400, "M_INVALID_PARAM")
    assert_matrix_error(client.get(path("events", query={"timeout": -5}), token=token), 400, "M_INVALID_PARAM")


@spec(PEEK)
def test_peeking_into_a_world_readable_room(client, alice, carol):
    _, alice_token = alice
    _, carol_token = carol
    readable = world_readable_room(client, alice_token)
    private = create_room(client, alice_token, preset="private_chat")
    end = initial_sync(client, carol_token)["end"]
    event_id = text(client, alice_token, readable, "peek at me")
    text(client, alice_token, private, "not for carol")
    body = events(client, carol_token, **{"from": end, "room_id": readable, "timeout": 0})
    assert [e["event_id"] for e in body["chunk"]] == [event_id]
    assert events(client, carol_token, **{"from": end, "timeout": 0})["chunk"] == []
    assert_matrix_error(client.get(path("events", query={"from": end, "room_id": private, "timeout": 0}),
                                   token=carol_token), 403, "M_FORBIDDEN")

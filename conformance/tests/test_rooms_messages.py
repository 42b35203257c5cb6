"""GET /rooms/{roomId}/messages: both directions, limits, `from`/`to` tokens, paging until `end`
is left out, RoomEventFilter (types, not_types, contains_url, lazy_load_members), history
visibility for joined, departed and never-joined users, and bad parameters."""

from urllib.parse import urlencode

import pytest

from harness.checks import assert_matrix_error, spec
from harness.rooms import (all_messages, assert_client_event, bodies, create_room, join, leave,
                           invite, messages, path, public_room, send, sync, text, user_fixture)

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
MESSAGES = "client-server-api/#get_matrixclientv3roomsroomidmessages"
COUNT = 15

alice = user_fixture("alice")
bob = user_fixture("bob")
charlie = user_fixture("charlie")
eve = user_fixture("eve")

@pytest.fixture(scope="module")
def history(server, alice):
    """A room with the creation events followed by COUNT messages m0 ... m14."""
    _, token = alice
    with server.client() as c:
        room_id = create_room(c, token, preset="public_chat")
        ids = [text(c, token, room_id, f"m{i}") for i in range(COUNT)]
    return room_id, ids


@spec(MESSAGES)
def test_backwards_from_the_end_with_default_limit(client, alice, history):
    _, token = alice
    room_id, ids = history
    page = messages(client, token, room_id, dir="b")
    assert isinstance(page["start"], str) and isinstance(page["end"], str)
    # Default limit 10, newest first.
    assert [e["event_id"] for e in page["chunk"]] == ids[::-1][:10]
    for event in page["chunk"]:
        assert_client_event(event, room_id)


@spec(MESSAGES)
def test_backwards_paging_reaches_the_create_event(client, alice, history):
    _, token = alice
    room_id, ids = history
    first = messages(client, token, room_id, dir="b", limit=4)
    assert len(first["chunk"]) == 4
    events = all_messages(client, token, room_id, dir="b", limit=4)
    event_ids = [e["event_id"] for e in events]
    assert len(event_ids) == len(set(event_ids)), "an event came twice"
    assert event_ids[:COUNT] == ids[::-1]
    # The oldest event of a room is its m.room.create; after it there is no `end`.
    assert events[-1]["type"] == "m.room.create"
    assert events[-1]["state_key"] == ""
    assert {"m.room.member", "m.room.power_levels", "m.room.join_rules"} <= {e["type"] for e in events}


@spec(MESSAGES)
def test_forwards_from_the_start(client, alice, history):
    _, token = alice
    room_id, ids = history
    page = messages(client, token, room_id, dir="f", limit=3)
    assert page["chunk"][0]["type"] == "m.room.create"
    events = all_messages(client, token, room_id, dir="f", limit=4)
    assert [e["event_id"] for e in events][-COUNT:] == ids
    backwards = all_messages(client, token, room_id, dir="b", limit=6)
    assert [e["event_id"] for e in events] == [e["event_id"] for e in backwards][::-1]


@spec(MESSAGES)
def test_tokens_are_positions_between_events(client, alice, history):
    _, token = alice
    room_id, ids = history
    newest = messages(client, token, room_id, dir="b", limit=3)
    assert [e["event_id"] for e in newest["chunk"]] == ids[-1:-4:-1]
    # Paging on from `end` continues where the chunk stopped ...
    older = messages(client, token, room_id, dir="b", limit=3, **{"from": newest["end"]})
    assert [e["event_id"] for e in older["chunk"]] == ids[-4:-7:-1]
    # ... and going forwards from the same token gives the newest three again, oldest first:
    # tokens are positions between events (client-server-api/#syncing draws them so).
    again = messages(client, token, room_id, dir="f", limit=10, **{"from": newest["end"]})
    assert [e["event_id"] for e in again["chunk"]] == ids[-3:]
    # `to` stops the pagination at a token.
    bounded = messages(client, token, room_id, dir="b", limit=10, to=older["end"])
    assert [e["event_id"] for e in bounded["chunk"]] == ids[-1:-7:-1]


@spec(MESSAGES)
def test_paging_forwards_from_a_sync_token(client, alice):
    _, token = alice
    room_id = create_room(client, token)
    text(client, token, room_id, "earlier")
    # `from` may be a next_batch token of /sync: events sent later come after it.
    since = sync(client, token)["next_batch"]
    later = text(client, token, room_id, "later")
    page = messages(client, token, room_id, dir="f", limit=10, **{"from": since})
    assert [e["event_id"] for e in page["chunk"]] == [later]
    page = messages(client, token, room_id, dir="b", limit=10, **{"from": since})
    assert "later" not in bodies(page["chunk"]) and "earlier" in bodies(page["chunk"])


@spec(MESSAGES)
def test_type_filters(client, alice, history):
    _, token = alice
    room_id, ids = history
    only_messages = all_messages(client, token, room_id, filter={"types": ["m.room.message"]}, limit=50)
    assert {e["type"] for e in only_messages} == {"m.room.message"}
    assert set(ids) <= {e["event_id"] for e in only_messages}
    no_messages = all_messages(client, token, room_id, filter={"not_types": ["m.room.message"]}, limit=50)
    assert no_messages and "m.room.message" not in {e["type"] for e in no_messages}
    assert no_messages[-1]["type"] == "m.room.create"
    wildcard = all_messages(client, token, room_id, filter={"types": ["m.room.c*"]}, limit=50)
    assert [e["type"] for e in wildcard] == ["m.room.create"]
    # The filter's own `limit` counts too.
    page = messages(client, token, room_id, filter={"types": ["m.room.message"], "limit": 2})
    assert len(page["chunk"]) == 2


@spec(MESSAGES)
def test_sender_filters(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    text(client, token, room_id, "from alice")
    text(client, bob_token, room_id, "from bob")
    only_bob = all_messages(client, token, room_id, filter={"senders": [bob_id]})
    assert only_bob and {e["sender"] for e in only_bob} == {bob_id}
    assert "from bob" in bodies(only_bob)
    not_alice = all_messages(client, token, room_id, filter={"not_senders": [alice_id]})
    assert {e["sender"] for e in not_alice} == {bob_id}


@spec(MESSAGES)
def test_nothing_after_the_live_edge(client, alice):
    _, token = alice
    room_id = create_room(client, token)
    text(client, token, room_id, "last word")
    since = sync(client, token)["next_batch"]
    page = messages(client, token, room_id, dir="f", **{"from": since})
    # No further events: an empty chunk and no `end`.
    assert page["chunk"] == [] and "end" not in page


@spec(MESSAGES)
def test_contains_url_filter(client, alice):
    _, token = alice
    room_id = create_room(client, token)
    with_url = send(client, token, room_id, {"msgtype": "m.image", "body": "pic", "url": "mxc://localhost/pic"})
    without = text(client, token, room_id, "words")
    urls = all_messages(client, token, room_id, filter={"contains_url": True})
    assert [e["event_id"] for e in urls] == [with_url]
    no_urls = [e["event_id"] for e in all_messages(client, token, room_id, filter={"contains_url": False})]
    assert without in no_urls and with_url not in no_urls


@spec("client-server-api/#lazy-loading-room-members")
def test_lazy_loading_members(client, alice, bob, charlie):
    _, token = alice
    bob_id, bob_token = bob
    charlie_id, charlie_token = charlie
    room_id = public_room(client, token, bob_token)
    text(client, bob_token, room_id, "from bob")
    join(client, charlie_token, room_id)
    text(client, bob_token, room_id, "bob again")
    page = messages(client, token, room_id, dir="b", limit=1,
                    filter={"lazy_load_members": True, "include_redundant_members": True})
    assert bodies(page["chunk"]) == ["bob again"]
    state = page.get("state", [])
    for event in state:
        assert_client_event(event, room_id)
    members = {e["state_key"] for e in state if e["type"] == "m.room.member"}
    # Only the senders of the chunk: bob, not charlie (who sent nothing).
    assert members == {bob_id}


@spec("client-server-api/#room-history-visibility")
def test_never_joined_users_are_refused(client, history, eve):
    room_id, _ = history
    _, eve_token = eve
    # Shared history is readable by members who join later, not by outsiders (only
    # world_readable allows that).
    assert_matrix_error(client.get(path("rooms", room_id, "messages", query={"dir": "b"}), token=eve_token),
                        403, "M_FORBIDDEN")


@spec("client-server-api/#room-history-visibility")
def test_shared_history_is_visible_to_later_joiners(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = create_room(client, token, preset="public_chat")
    text(client, token, room_id, "before bob")
    join(client, bob_token, room_id)
    text(client, token, room_id, "after bob")
    assert bodies(all_messages(client, bob_token, room_id, dir="f")) == ["before bob", "after bob"]


@spec("client-server-api/#room-history-visibility")
def test_joined_history_hides_earlier_events(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = create_room(client, token, preset="public_chat", initial_state=[
        {"type": "m.room.history_visibility", "content": {"history_visibility": "joined"}}])
    text(client, token, room_id, "before bob")
    join(client, bob_token, room_id)
    text(client, token, room_id, "after bob")
    seen = all_messages(client, bob_token, room_id, dir="b")
    assert bodies(seen) == ["after bob"]
    assert "before bob" in bodies(all_messages(client, token, room_id))


@spec("client-server-api/#room-history-visibility")
def test_departed_members_see_history_until_they_left(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    text(client, token, room_id, "while bob was here")
    leave(client, bob_token, room_id)
    text(client, token, room_id, "after bob left")
    seen = all_messages(client, bob_token, room_id, dir="b")
    assert bodies(seen) == ["while bob was here"]
    assert seen[0]["type"] == "m.room.member" and seen[0]["state_key"] == bob_id
    assert seen[0]["content"]["membership"] == "leave"


@spec(MESSAGES)
def test_bad_parameters(client, alice, history):
    _, token = alice
    room_id, _ = history
    url = path("rooms", room_id, "messages")
    # Synapse answers bad query parameters with 400 M_INVALID_PARAM.
    assert_matrix_error(client.get(url + "?dir=up", token=token), 400, "M_INVALID_PARAM")
    assert_matrix_error(client.get(url + "?dir=b&limit=ten", token=token), 400, "M_INVALID_PARAM")
    # A `from` that is no token: the spec names no code; Synapse answers 400.
    assert_matrix_error(client.get(url + "?dir=b&from=not-a-token", token=token), 400, None)
    assert_matrix_error(client.get(url + "?dir=b"), 401, "M_MISSING_TOKEN")


@spec("client-server-api/#room-history-visibility")
def test_invited_history_starts_at_the_invite(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = create_room(client, token, preset="private_chat", initial_state=[
        {"type": "m.room.history_visibility", "content": {"history_visibility": "invited"}}])
    text(client, token, room_id, "before the invite")
    invite(client, token, room_id, bob_id)
    text(client, token, room_id, "after the invite")
    join(client, bob_token, room_id)
    text(client, token, room_id, "after the join")
    assert bodies(all_messages(client, bob_token, room_id, dir="f")) == ["after the invite", "after the join"]


@spec(MESSAGES)
def test_paging_through_a_long_history(client, alice):
    _, token = alice
    room_id = create_room(client, token)
    ids = [text(client, token, room_id, f"long{i}") for i in range(250)]
    events = all_messages(client, token, room_id, dir="b", limit=100)
    event_ids = [e["event_id"] for e in events]
    assert len(event_ids) == len(set(event_ids))
    assert event_ids[:250] == ids[::-1]
    assert events[-1]["type"] == "m.room.create"
    # An absurd limit is the server's to cap, not an error.
    page = messages(client, token, room_id, dir="b", limit=10 ** 6)
    assert 0 < len(page["chunk"]) <= len(events)


@spec(MESSAGES)
def test_bad_filters(client, alice, history):
    _, token = alice
    room_id, _ = history
    url = path("rooms", room_id, "messages")
    # The spec names no code; Synapse refuses an unparsable or ill-typed filter with 400.
    for value in ("{not json", '{"types": "m.room.message"}', '{"limit": "ten"}'):
        response = client.get(url + "?" + urlencode({"dir": "b", "filter": value}), token=token)
        assert_matrix_error(response, 400, ("M_NOT_JSON", "M_BAD_JSON", "M_INVALID_PARAM"))

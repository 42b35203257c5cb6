"""Room state: GET /rooms/{roomId}/state, GET and PUT /state/{eventType}/{stateKey} (including
the empty key and ?format=event), who may read it (members, and former members as of their
leave) and who may write it (power levels, `@` state keys), canonical alias checks."""

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import (assert_client_event, assert_json_response_list, create_room, get_state,
                           leave, path, public_room, put_state, user_fixture)

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}

alice = user_fixture("alice")
bob = user_fixture("bob")
eve = user_fixture("eve")

@pytest.fixture
def room(client, alice, bob):
    """A public room alice created and bob joined."""
    return public_room(client, alice[1], bob[1], name="first name")


@spec("client-server-api/#get_matrixclientv3roomsroomidstate")
def test_full_state_is_a_list_of_client_events(client, alice, room):
    _, token = alice
    events = assert_json_response_list(client.get(path("rooms", room, "state"), token=token))
    for event in events:
        assert_client_event(event, room)
        assert isinstance(event["state_key"], str)
    names = [e for e in events if e["type"] == "m.room.name"]
    assert len(names) == 1 and names[0]["content"] == {"name": "first name"}
    members = {e["state_key"]: e["content"]["membership"] for e in events if e["type"] == "m.room.member"}
    assert sorted(members.values()) == ["join", "join"]


@spec("client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey")
def test_put_then_get_state_with_key(client, alice, room):
    user_id, token = alice
    event_id = put_state(client, token, room, "org.example.colour", {"colour": "red"}, "wall")
    assert isinstance(event_id, str) and event_id.startswith("$")
    assert get_state(client, token, room, "org.example.colour", "wall") == {"colour": "red"}
    # ?format=event gives the whole client-format event (added in v1.16).
    event = assert_json_response(client.get(
        path("rooms", room, "state", "org.example.colour", "wall", query={"format": "event"}), token=token))
    assert_client_event(event, room)
    assert (event["event_id"], event["type"], event["state_key"], event["sender"], event["content"]) == \
        (event_id, "org.example.colour", "wall", user_id, {"colour": "red"})
    # A second PUT replaces the state: one event for the (type, key) afterwards.
    second = put_state(client, token, room, "org.example.colour", {"colour": "blue"}, "wall")
    assert second != event_id
    assert get_state(client, token, room, "org.example.colour", "wall") == {"colour": "blue"}
    events = assert_json_response_list(client.get(path("rooms", room, "state"), token=token))
    matching = [e for e in events if (e["type"], e["state_key"]) == ("org.example.colour", "wall")]
    assert [e["event_id"] for e in matching] == [second]


@spec("client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey")
def test_empty_state_key_with_and_without_trailing_slash(client, alice, room):
    _, token = alice
    base = path("rooms", room, "state", "org.example.flag")
    first = assert_json_response(client.put(base + "/", token=token, json_body={"on": True}))["event_id"]
    assert assert_json_response(client.get(base + "/", token=token)) == {"on": True}
    assert assert_json_response(client.get(base, token=token)) == {"on": True}
    second = assert_json_response(client.put(base, token=token, json_body={"on": False}))["event_id"]
    assert first != second
    assert assert_json_response(client.get(base, token=token)) == {"on": False}


@spec("client-server-api/#get_matrixclientv3roomsroomidstateeventtypestatekey")
def test_missing_state_is_404(client, alice, room):
    _, token = alice
    assert_matrix_error(client.get(path("rooms", room, "state", "org.example.none", ""), token=token),
                        404, "M_NOT_FOUND")
    assert_matrix_error(client.get(path("rooms", room, "state", "m.room.name", "other"), token=token),
                        404, "M_NOT_FOUND")


@spec("client-server-api/#get_matrixclientv3roomsroomidstate")
def test_non_members_cannot_read_state(client, alice, eve):
    _, token = alice
    _, eve_token = eve
    # A public room with shared history: still not readable without having been a member
    # (only world_readable rooms allow peeking, which is optional).
    room_id = create_room(client, token, preset="public_chat")
    assert_matrix_error(client.get(path("rooms", room_id, "state"), token=eve_token), 403, "M_FORBIDDEN")
    assert_matrix_error(client.get(path("rooms", room_id, "state", "m.room.create", ""), token=eve_token),
                        403, "M_FORBIDDEN")
    # An unknown room: the user is not and was never a member.
    assert_matrix_error(client.get(path("rooms", "!unknown:localhost", "state"), token=eve_token),
                        403, "M_FORBIDDEN")


@spec("client-server-api/#get_matrixclientv3roomsroomidstateeventtypestatekey")
def test_former_member_reads_state_as_of_leaving(client, alice, bob, room):
    _, token = alice
    bob_id, bob_token = bob
    leave(client, bob_token, room)
    put_state(client, token, room, "m.room.name", {"name": "renamed after bob left"})
    assert get_state(client, bob_token, room, "m.room.name") == {"name": "first name"}
    events = assert_json_response_list(client.get(path("rooms", room, "state"), token=bob_token))
    names = [e["content"] for e in events if e["type"] == "m.room.name"]
    assert names == [{"name": "first name"}]
    assert [e["content"]["membership"] for e in events
            if e["type"] == "m.room.member" and e["state_key"] == bob_id] == ["leave"]


@spec("client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey")
def test_writes_need_power_and_membership(client, alice, bob, eve, room):
    alice_id, token = alice
    _, bob_token = bob
    _, eve_token = eve
    # bob has the users_default 0; state needs state_default (50 in the generated levels).
    for event_type in ("m.room.name", "org.example.custom"):
        response = client.put(path("rooms", room, "state", event_type, ""), token=bob_token,
                              json_body={"name": "bob's"})
        assert_matrix_error(response, 403, "M_FORBIDDEN")
    assert get_state(client, token, room, "m.room.name") == {"name": "first name"}
    assert_matrix_error(client.put(path("rooms", room, "state", "m.room.topic", ""), token=eve_token,
                                   json_body={"topic": "eve was here"}), 403, "M_FORBIDDEN")
    # A state key starting with `@` must be the sender's own user ID, whatever the power.
    response = client.put(path("rooms", room, "state", "org.example.owned", "@bob:localhost"), token=token,
                          json_body={"x": 1})
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    put_state(client, token, room, "org.example.owned", {"x": 2}, alice_id)


@spec("client-server-api/#permissions")
def test_raised_power_allows_state_writes(client, alice, bob, room):
    _, token = alice
    bob_id, bob_token = bob
    name = path("rooms", room, "state", "m.room.name", "")
    assert_matrix_error(client.put(name, token=bob_token, json_body={"name": "bob's"}), 403, "M_FORBIDDEN")
    levels = get_state(client, token, room, "m.room.power_levels")
    levels.setdefault("users", {})[bob_id] = 50
    put_state(client, token, room, "m.room.power_levels", levels)
    put_state(client, bob_token, room, "m.room.name", {"name": "bob's"})
    assert get_state(client, token, room, "m.room.name") == {"name": "bob's"}
    # Nobody grants more than their own level: bob (50) cannot make himself 100.
    levels["users"][bob_id] = 100
    response = client.put(path("rooms", room, "state", "m.room.power_levels", ""), token=bob_token,
                          json_body=levels)
    assert_matrix_error(response, 403, "M_FORBIDDEN")


@spec("client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey")
def test_canonical_alias_must_exist_and_point_here(client, alice, room):
    _, token = alice
    other = create_room(client, token, room_alias_name="elsewhere")
    state = path("rooms", room, "state", "m.room.canonical_alias", "")
    # Servers SHOULD check new aliases: valid syntax (M_INVALID_PARAM) and pointing here (M_BAD_ALIAS).
    refusals = [({"alias": "#elsewhere:localhost"}, "M_BAD_ALIAS"),
                ({"alias": "#nowhere:localhost"}, "M_BAD_ALIAS"),
                ({"alias": "not an alias"}, "M_INVALID_PARAM"),
                ({"alt_aliases": ["#bad"]}, "M_INVALID_PARAM")]
    answers = [(content, client.put(state, token=token, json_body=content)) for content, _ in refusals]
    wrong = [(content, response) for (content, response), (_, code) in zip(answers, refusals)
             if response.status != 400 or response.json().get("errcode") != code]
    assert not wrong, f"accepted or refused differently: {wrong}"
    assert get_state(client, token, other, "m.room.canonical_alias") == {"alias": "#elsewhere:localhost"}
    # Setting a canonical alias that does point at the room is fine.
    put_state(client, token, other, "m.room.canonical_alias", {"alias": "#elsewhere:localhost",
                                                                "alt_aliases": []})


@spec("client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey")
def test_malformed_state_bodies(client, alice, room):
    _, token = alice
    url = path("rooms", room, "state", "org.example.x", "")
    assert_matrix_error(client.put(url, token=token, body=b"{oops",
                                   headers={"Content-Type": "application/json"}), 400, "M_NOT_JSON")
    assert_matrix_error(client.put(url, token=token, json_body=["not", "an", "object"]),
                        400, ("M_BAD_JSON", "M_NOT_JSON"))
    assert_matrix_error(client.put(url, json_body={}), 401, "M_MISSING_TOKEN")
    # POST is not supported on state paths.
    response = client.post(url, token=token, json_body={})
    assert_matrix_error(response, 405, "M_UNRECOGNIZED")


@spec("client-server-api/#get_matrixclientv3roomsroomidstate")
def test_invitees_cannot_read_state(client, alice, eve):
    _, token = alice
    eve_id, eve_token = eve
    room_id = create_room(client, token, preset="private_chat", invite=[eve_id])
    # Invited is not (and never was) a member; the invite's stripped state comes through /sync.
    assert_matrix_error(client.get(path("rooms", room_id, "state"), token=eve_token), 403, "M_FORBIDDEN")


@spec("client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey")
def test_a_second_create_event_is_refused(client, alice, room):
    _, token = alice
    before = get_state(client, token, room, "m.room.create")
    response = client.put(path("rooms", room, "state", "m.room.create", ""), token=token,
                          json_body={"room_version": "12"})
    # The auth rules reject any m.room.create with previous events.
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    assert get_state(client, token, room, "m.room.create") == before


@spec("client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey")
def test_v12_creators_cannot_be_listed_in_power_levels(client, alice, room):
    user_id, token = alice
    levels = get_state(client, token, room, "m.room.power_levels")
    listed = dict(levels, users=dict(levels.get("users", {}), **{user_id: 100}))
    response = client.put(path("rooms", room, "state", "m.room.power_levels", ""), token=token, json_body=listed)
    # Refused by the v12 auth rules; the spec names no code for an event that fails them.
    assert_matrix_error(response, (400, 403), ("M_FORBIDDEN", "M_BAD_JSON"))
    assert get_state(client, token, room, "m.room.power_levels") == levels

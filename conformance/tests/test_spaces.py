"""Showing rooms to people before they join: the space hierarchy (GET /rooms/{roomId}/hierarchy:
depth-first order, the spec's child ordering, suggested_only, max_depth, pagination and its
errors, which rooms are visible), the room summary (GET /room_summary, with and without an
access token), mutual rooms (GET /mutual_rooms) and the deprecated GET /events/{eventId}."""

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import create_room, invite, join, new_user, path, put_state, text, user_fixture

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
HIERARCHY = "client-server-api/#get_matrixclientv1roomsroomidhierarchy"
ORDERING = "client-server-api/#ordering-of-children-within-a-space"
SUMMARY = "client-server-api/#get_matrixclientv1room_summaryroomidoralias"
MUTUAL = "client-server-api/#get_matrixclientv1mutual_rooms"
ONE_EVENT = "client-server-api/#get_matrixclientv3eventseventid"

alice = user_fixture("alice")
bob = user_fixture("bob")
carol = user_fixture("carol")


def v1(*parts: str, query=None) -> str:
    return path(*parts, query=query).replace("/_matrix/client/v3/", "/_matrix/client/v1/", 1)


def hierarchy(client, token, room_id, **query) -> dict:
    return assert_json_response(client.get(v1("rooms", room_id, "hierarchy", query=query), token=token))


def room_ids(body: dict) -> list[str]:
    return [room["room_id"] for room in body["rooms"]]


def add_child(client, token, space, child, server_name, **content) -> None:
    put_state(client, token, space, "m.space.child", {"via": [server_name], **content}, state_key=child)


@pytest.fixture(scope="module")
def tree(server, alice):
    """alice's space:
        space ─┬ sub (a space; order "b") ─ deep (public)
               ├ first (public; order "a", suggested)
               ├ private (invite-only, nobody else invited)
               └ late (public, no order, added last)
    plus an m.space.child without `via`, which is not a child."""
    _, token = alice
    name = server.server_name
    with server.client() as c:
        space = create_room(c, token, preset="public_chat", name="space", creation_content={"type": "m.space"})
        sub = create_room(c, token, preset="public_chat", name="sub", creation_content={"type": "m.space"})
        deep = create_room(c, token, preset="public_chat", name="deep")
        first = create_room(c, token, preset="public_chat", name="first")
        private = create_room(c, token, preset="private_chat", name="private")
        late = create_room(c, token, preset="public_chat", name="late")
        no_via = create_room(c, token, preset="public_chat", name="no via")
        add_child(c, token, sub, deep, name)
        add_child(c, token, space, sub, name, order="b")
        add_child(c, token, space, private, name)
        add_child(c, token, space, first, name, order="a", suggested=True)
        add_child(c, token, space, late, name)
        put_state(c, token, space, "m.space.child", {"via": []}, state_key=no_via)
    return {"space": space, "sub": sub, "deep": deep, "first": first, "private": private, "late": late,
            "no_via": no_via}


@spec(HIERARCHY)
@spec(ORDERING)
def test_walk_is_depth_first_in_the_spec_order(client, bob, tree):
    _, token = bob
    body = hierarchy(client, token, tree["space"])
    # Ordered children first by `order`, then by the child event's timestamp; "private" is
    # invite-only and bob is not invited, "no via" is not a child.
    assert room_ids(body) == [tree["space"], tree["first"], tree["sub"], tree["deep"], tree["late"]]
    assert "next_batch" not in body
    space = body["rooms"][0]
    assert space["room_type"] == "m.space" and space["name"] == "space" and space["join_rule"] == "public"
    assert space["num_joined_members"] == 1 and space["world_readable"] is False
    states = {event["state_key"]: event for event in space["children_state"]}
    assert set(states) == {tree["sub"], tree["first"], tree["private"], tree["late"]}
    for event in states.values():
        assert event["type"] == "m.space.child"
        assert isinstance(event["origin_server_ts"], int) and event["sender"].startswith("@alice:")


@spec(HIERARCHY)
def test_invited_user_sees_the_private_child(client, alice, carol, tree):
    _, alice_token = alice
    carol_id, carol_token = carol
    invite(client, alice_token, tree["private"], carol_id)
    assert tree["private"] in room_ids(hierarchy(client, carol_token, tree["space"]))


@spec(HIERARCHY)
def test_suggested_only(client, bob, tree):
    _, token = bob
    body = hierarchy(client, token, tree["space"], suggested_only="true")
    assert room_ids(body) == [tree["space"], tree["first"]]
    assert [e["state_key"] for e in body["rooms"][0]["children_state"]] == [tree["first"]]


@spec(HIERARCHY)
def test_max_depth(client, bob, tree):
    _, token = bob
    assert room_ids(hierarchy(client, token, tree["space"], max_depth=0)) == [tree["space"]]
    assert room_ids(hierarchy(client, token, tree["space"], max_depth=1)) == [
        tree["space"], tree["first"], tree["sub"], tree["late"]]


@spec(HIERARCHY)
def test_pages_cover_the_walk_once(client, bob, tree):
    _, token = bob
    seen, query = [], {"limit": 2}
    for _ in range(10):
        body = hierarchy(client, token, tree["space"], **query)
        assert len(body["rooms"]) <= 2
        seen += room_ids(body)
        if "next_batch" not in body:
            break
        query = {"limit": 2, "from": body["next_batch"]}
    assert seen == [tree["space"], tree["first"], tree["sub"], tree["deep"], tree["late"]]


@spec(HIERARCHY)
def test_pagination_errors(client, bob, tree):
    _, token = bob
    token_page = hierarchy(client, token, tree["space"], limit=1)["next_batch"]
    changed = client.get(v1("rooms", tree["space"], "hierarchy", query={"from": token_page, "suggested_only": "true"}),
                         token=token)
    assert_matrix_error(changed, 400, "M_INVALID_PARAM")
    unknown = client.get(v1("rooms", tree["space"], "hierarchy", query={"from": "nonsense"}), token=token)
    assert_matrix_error(unknown, 400, "M_INVALID_PARAM")
    zero = client.get(v1("rooms", tree["space"], "hierarchy", query={"limit": 0}), token=token)
    assert_matrix_error(zero, 400, "M_INVALID_PARAM")


@spec(HIERARCHY)
def test_room_the_user_cannot_see_is_forbidden(client, bob, tree):
    _, token = bob
    response = client.get(v1("rooms", tree["private"], "hierarchy"), token=token)
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    unknown = client.get(v1("rooms", "!unknown:localhost", "hierarchy"), token=token)
    assert_matrix_error(unknown, 403, "M_FORBIDDEN")


@spec(HIERARCHY)
def test_banned_user_cannot_see_the_space(client, alice):
    _, alice_token = alice
    mallory_id, mallory_token = new_user(client, "mallory_spaces")
    space = create_room(client, alice_token, preset="public_chat", creation_content={"type": "m.space"})
    join(client, mallory_token, space)
    assert_json_response(client.post(path("rooms", space, "ban"), token=alice_token, json_body={"user_id": mallory_id}))
    response = client.get(v1("rooms", space, "hierarchy"), token=mallory_token)
    assert_matrix_error(response, 403, "M_FORBIDDEN")


@spec(SUMMARY)
def test_summary_of_a_public_room_without_a_token(client, alice, tree):
    body = assert_json_response(client.get(v1("room_summary", tree["first"])))
    assert body["room_id"] == tree["first"] and body["name"] == "first" and body["join_rule"] == "public"
    assert body["room_version"] and body["num_joined_members"] == 1
    assert "membership" not in body


@spec(SUMMARY)
def test_summary_names_the_callers_membership(client, alice, bob, tree):
    _, alice_token = alice
    _, bob_token = bob
    assert assert_json_response(client.get(v1("room_summary", tree["first"]), token=alice_token))["membership"] == "join"
    assert assert_json_response(client.get(v1("room_summary", tree["first"]), token=bob_token))["membership"] == "leave"


@spec(SUMMARY)
def test_summary_of_a_private_room(client, alice, bob):
    _, alice_token = alice
    _, bob_token = bob
    room_id = create_room(client, alice_token, preset="private_chat")
    assert_matrix_error(client.get(v1("room_summary", room_id)), 404, "M_NOT_FOUND")
    assert_matrix_error(client.get(v1("room_summary", room_id), token=bob_token), 404, "M_NOT_FOUND")
    frank_id, frank_token = new_user(client, "frank_summary")
    invite(client, alice_token, room_id, frank_id)
    body = assert_json_response(client.get(v1("room_summary", room_id), token=frank_token))
    assert body["membership"] == "invite" and body["join_rule"] == "invite"


@spec(SUMMARY)
def test_summary_by_alias_and_unknown_rooms(server, client, alice):
    _, token = alice
    room_id = create_room(client, token, preset="public_chat", room_alias_name="summary-alias", topic="about")
    alias = f"#summary-alias:{server.server_name}"
    body = assert_json_response(client.get(v1("room_summary", alias), token=token))
    assert body["room_id"] == room_id and body["topic"] == "about" and body["canonical_alias"] == alias
    assert_matrix_error(client.get(v1("room_summary", "!nowhere:localhost"), token=token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.get(v1("room_summary", f"#nothing:{server.server_name}"), token=token), 404,
                        "M_NOT_FOUND")


@spec(MUTUAL)
def test_mutual_rooms(client):
    _, dan_token = new_user(client, "dan_mutual")
    erin_id, erin_token = new_user(client, "erin_mutual")
    shared = sorted(create_room(client, dan_token, preset="public_chat") for _ in range(2))
    for room_id in shared:
        join(client, erin_token, room_id)
    create_room(client, dan_token, preset="public_chat")  # dan only
    left = create_room(client, dan_token, preset="public_chat")
    join(client, erin_token, left)
    assert_json_response(client.post(path("rooms", left, "leave"), token=erin_token, json_body={}))
    body = assert_json_response(client.get(v1("mutual_rooms", query={"user_id": erin_id}), token=dan_token))
    assert body == {"joined": shared, "count": 2}
    nobody = assert_json_response(client.get(v1("mutual_rooms", query={"user_id": "@nobody:localhost"}),
                                             token=dan_token))
    assert nobody == {"joined": [], "count": 0}


@spec(MUTUAL)
def test_mutual_rooms_errors(client, alice):
    alice_id, token = alice
    assert_matrix_error(client.get(v1("mutual_rooms", query={"user_id": alice_id}), token=token), 400,
                        "M_INVALID_PARAM")
    assert_matrix_error(client.get(v1("mutual_rooms", query={"user_id": "not a user"}), token=token), 400,
                        "M_INVALID_PARAM")
    assert_matrix_error(client.get(v1("mutual_rooms", query={"user_id": "@bob:localhost", "from": "x"}),
                                   token=token), 400, "M_INVALID_PARAM")
    assert_matrix_error(client.get(v1("mutual_rooms", query={"user_id": "@bob:localhost"})), 401, "M_MISSING_TOKEN")


@spec(ONE_EVENT)
def test_deprecated_get_event(client, alice, bob):
    _, alice_token = alice
    _, bob_token = bob
    room_id = create_room(client, alice_token, preset="private_chat")
    event_id = text(client, alice_token, room_id, "hello")
    body = assert_json_response(client.get(path("events", event_id), token=alice_token))
    assert body["event_id"] == event_id and body["room_id"] == room_id and body["content"]["body"] == "hello"
    assert_matrix_error(client.get(path("events", event_id), token=bob_token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.get(path("events", "$" + "A" * 43), token=alice_token), 404, "M_NOT_FOUND")

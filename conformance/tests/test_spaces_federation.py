"""Previewing rooms of other servers (two Ranvier servers, tools/mesh): a space joined over
federation whose children this server is not in (their summaries come from the server named
in `via`, server-server GET /hierarchy), and the room summary of a room elsewhere."""

import time

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.mesh import mesh_fixture, server_name
from harness.rooms import create_room, new_user, path, put_state

HIERARCHY = "client-server-api/#get_matrixclientv1roomsroomidhierarchy"
SUMMARY = "client-server-api/#get_matrixclientv1room_summaryroomidoralias"


def v1(*parts: str, query=None) -> str:
    return path(*parts, query=query).replace("/_matrix/client/v3/", "/_matrix/client/v1/", 1)


mesh = mesh_fixture(2)


@pytest.fixture(scope="module")
def rooms(mesh):
    """On hs1: a public space with a public child, a private child and a child space holding a
    public room; hs2's user joins the space (only the space) over federation."""
    hs1, hs2 = server_name(1), server_name(2)
    c1, c2 = mesh.client(hs1), mesh.client(hs2)
    _, owner = new_user(c1, "owner")
    user_id, token = new_user(c2, "visitor")
    made = {}
    made["space"] = create_room(c1, owner, preset="public_chat", name="space", creation_content={"type": "m.space"})
    made["child"] = create_room(c1, owner, preset="public_chat", name="child", topic="public child")
    made["private"] = create_room(c1, owner, preset="private_chat", name="private")
    made["sub"] = create_room(c1, owner, preset="public_chat", name="sub", creation_content={"type": "m.space"})
    made["grandchild"] = create_room(c1, owner, preset="public_chat", name="grandchild")
    put_state(c1, owner, made["sub"], "m.space.child", {"via": [hs1]}, state_key=made["grandchild"])
    put_state(c1, owner, made["space"], "m.space.child", {"via": [hs1], "order": "1"}, state_key=made["child"])
    put_state(c1, owner, made["space"], "m.space.child", {"via": [hs1], "order": "2"}, state_key=made["private"])
    put_state(c1, owner, made["space"], "m.space.child", {"via": [hs1], "order": "3"}, state_key=made["sub"])
    assert_json_response(c2.post(path("join", made["space"], query={"via": hs1}), token=token, json_body={}))
    yield made, (c2, user_id, token)
    c1.close()
    c2.close()


def wait_for_children_state(client, token, space, count, timeout=20.0):
    """The space's hierarchy on hs2 once its joined state shows `count` children."""
    deadline = time.monotonic() + timeout
    body = None
    while time.monotonic() < deadline:
        body = assert_json_response(client.get(v1("rooms", space, "hierarchy", query={"max_depth": 0}), token=token))
        if len(body["rooms"][0]["children_state"]) == count:
            return body
        time.sleep(0.2)
    raise AssertionError(f"children_state never reached {count}: {body}")


@spec(HIERARCHY)
def test_children_on_another_server_are_asked_for(rooms):
    made, (client, _, token) = rooms
    wait_for_children_state(client, token, made["space"], 3)
    body = assert_json_response(client.get(v1("rooms", made["space"], "hierarchy"), token=token))
    ids = [room["room_id"] for room in body["rooms"]]
    # The private child is hidden; the child space is walked into through hs1.
    assert ids == [made["space"], made["child"], made["sub"], made["grandchild"]], body
    child = body["rooms"][1]
    assert child["name"] == "child" and child["topic"] == "public child" and child["join_rule"] == "public"
    assert child["num_joined_members"] == 1 and child["children_state"] == []
    sub = body["rooms"][2]
    assert [e["state_key"] for e in sub["children_state"]] == [made["grandchild"]]


@spec(SUMMARY)
def test_summary_of_a_room_on_another_server(rooms):
    made, (client, _, token) = rooms
    hs1 = server_name(1)
    body = assert_json_response(client.get(v1("room_summary", made["child"], query={"via": hs1}), token=token))
    assert body["room_id"] == made["child"] and body["name"] == "child" and body["membership"] == "leave"
    hidden = client.get(v1("room_summary", made["private"], query={"via": hs1}), token=token)
    assert_matrix_error(hidden, 404, "M_NOT_FOUND")
    # Without `via`, a room of version 12 (no server in its ID) cannot be found elsewhere.
    assert_matrix_error(client.get(v1("room_summary", made["child"]), token=token), 404, "M_NOT_FOUND")

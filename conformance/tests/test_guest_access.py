"""Guest access: guest accounts reach only the endpoints the spec lists for them, join only
rooms whose m.room.guest_access is can_join, and may then read and send there."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import create_room, path, put_state, send, sync, text, user_fixture

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
GUESTS = "client-server-api/#guest-access"

alice = user_fixture("alice")


def new_guest(client):
    body = assert_json_response(client.post(path("register") + "?kind=guest", json_body={}))
    return body["user_id"], body["access_token"]


@spec(GUESTS)
def test_guests_use_only_the_listed_endpoints(client):
    guest_id, token = new_guest(client)
    assert assert_json_response(client.get(path("account", "whoami"), token=token))["is_guest"] is True
    assert "next_batch" in sync(client, token)
    assert_json_response(client.put(path("profile", guest_id, "displayname"), token=token,
                                    json_body={"displayname": "Visitor"}))
    assert_matrix_error(client.put(path("profile", guest_id, "avatar_url"), token=token,
                                   json_body={"avatar_url": "mxc://localhost/a"}), 403, "M_GUEST_ACCESS_FORBIDDEN")
    assert_matrix_error(client.post(path("createRoom"), token=token, json_body={}), 403, "M_GUEST_ACCESS_FORBIDDEN")
    assert_matrix_error(client.get(path("joined_rooms"), token=token), 403, "M_GUEST_ACCESS_FORBIDDEN")


@spec(GUESTS)
def test_guests_join_only_rooms_that_allow_them(client, alice):
    _, token = alice
    guest_id, guest_token = new_guest(client)
    # private_chat sets guest_access can_join; public_chat leaves guests out.
    open_room = create_room(client, token, preset="public_chat")
    assert_matrix_error(client.post(path("join", open_room), token=guest_token, json_body={}),
                        403, "M_GUEST_ACCESS_FORBIDDEN")
    put_state(client, token, open_room, "m.room.guest_access", {"guest_access": "can_join"})
    assert_json_response(client.post(path("join", open_room), token=guest_token, json_body={}))
    event_id = text(client, guest_token, open_room, "hello from a guest")
    mine = assert_json_response(client.get(path("rooms", open_room, "event", event_id), token=guest_token))
    assert mine["content"]["body"] == "hello from a guest"
    # Closing the room to guests makes the guests in it leave.
    put_state(client, token, open_room, "m.room.guest_access", {"guest_access": "forbidden"})
    member = assert_json_response(client.get(path("rooms", open_room, "state", "m.room.member", guest_id),
                                             token=token))
    assert member["membership"] == "leave"

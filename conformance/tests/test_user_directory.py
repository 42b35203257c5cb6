"""User directory search: the users one shares a room with and members of public rooms are
found by user ID or display name (case-insensitive, at word starts), others are not; limit
and `limited`."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import create_room, invite, join, new_user, path, public_room

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
SEARCH = "client-server-api/#post_matrixclientv3user_directorysearch"


def search(client, token, term, **extra):
    return assert_json_response(client.post(path("user_directory", "search"), token=token,
                                            json_body={"search_term": term, **extra}))


def found(body):
    return [r["user_id"] for r in body["results"]]


@spec(SEARCH)
def test_finds_room_mates_and_public_room_members(client):
    me_id, me = new_user(client, "ud_me")
    mate_id, mate = new_user(client, "ud_mate")
    stranger_id, stranger = new_user(client, "ud_stranger")
    public_id, public_member = new_user(client, "ud_public")
    client.put(path("profile", mate_id, "displayname"), token=mate, json_body={"displayname": "Juliet Capulet"})
    private = create_room(client, me, preset="private_chat")
    invite(client, me, private, mate_id)
    join(client, mate, private)
    create_room(client, stranger, preset="private_chat")
    public_room(client, public_member, visibility="public")
    # By display name, at the start of a word, ignoring case.
    body = search(client, me, "capu")
    assert found(body) == [mate_id]
    assert body["results"][0]["display_name"] == "Juliet Capulet"
    assert body["limited"] is False
    # Members of rooms in the public directory are found; people only in private rooms
    # elsewhere are not.
    assert found(search(client, me, "ud_public")) == [public_id]
    assert found(search(client, me, "ud_stranger")) == []
    # Not in the middle of a word.
    assert found(search(client, me, "apulet")) == []


@spec(SEARCH)
def test_limit(client):
    _, owner = new_user(client, "lim_owner")
    room = public_room(client, owner, visibility="public")
    for i in range(4):
        _, token = new_user(client, f"lim_user{i}")
        join(client, token, room)
    body = search(client, owner, "lim_user", limit=2)
    assert len(body["results"]) == 2 and body["limited"] is True
    assert_matrix_error(client.post(path("user_directory", "search"), json_body={"search_term": "x"}),
                        401, "M_MISSING_TOKEN")

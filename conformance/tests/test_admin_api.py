"""Synapse-compatible admin API (docs/admin.md): every endpoint's answer shape, M_FORBIDDEN for
non-admins, M_NOT_FOUND for unknown users, rooms and tokens, 400 for bad bodies and
parameters. Shapes follow Synapse's docs/admin_api/ (element-hq/synapse)."""

from urllib.parse import quote

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import (PASSWORD, create_room, join, login, messages, new_user, public_room, sync,
                           text, timeline_events)
from harness.server import run_ranvier

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
ADMIN = "/_synapse/admin"


def q(part: str) -> str:
    return quote(part, safe="")


@pytest.fixture(scope="module")
def admin_token(server):
    result = run_ranvier(["register-user", "--config", str(server.config_path), "--user", "root",
                          "--password", PASSWORD, "--admin"])
    assert result.returncode == 0, result.stderr
    with server.client() as c:
        return login(c, "root")


@pytest.fixture(scope="module")
def user(server):
    with server.client() as c:
        return new_user(c, "plainuser")


def uid(server, name: str) -> str:
    return f"@{name}:{server.server_name}"


# Every endpoint once, with a body where it takes one: non-admins get M_FORBIDDEN.
ENDPOINTS = [
    ("GET", "/v1/server_version", None),
    ("GET", "/v2/users", None),
    ("GET", "/v2/users/@root:localhost", None),
    ("PUT", "/v2/users/@someone:localhost", {"password": "x"}),
    ("POST", "/v1/reset_password/@root:localhost", {"new_password": "x"}),
    ("POST", "/v1/deactivate/@root:localhost", {}),
    ("GET", "/v1/users/@root:localhost/admin", None),
    ("PUT", "/v1/users/@plainuser:localhost/admin", {"admin": True}),
    ("GET", "/v1/registration_tokens", None),
    ("POST", "/v1/registration_tokens/new", {}),
    ("GET", "/v1/registration_tokens/abc", None),
    ("PUT", "/v1/registration_tokens/abc", {}),
    ("DELETE", "/v1/registration_tokens/abc", None),
    ("GET", "/v1/rooms", None),
    ("GET", "/v1/rooms/!r:localhost", None),
    ("GET", "/v1/rooms/!r:localhost/members", None),
    ("GET", "/v1/rooms/!r:localhost/forward_extremities", None),
    ("POST", "/v1/purge_history/!r:localhost", {"purge_up_to_ts": 1}),
    ("GET", "/v1/purge_history_status/xyz", None),
    ("DELETE", "/v2/rooms/!r:localhost", {}),
    ("GET", "/v2/rooms/!r:localhost/delete_status", None),
    ("GET", "/v2/rooms/delete_status/xyz", None),
]


@spec("ranvier:docs/admin.md")
@pytest.mark.parametrize("method,route,body", ENDPOINTS, ids=[f"{m} {r}" for m, r, _ in ENDPOINTS])
def test_non_admins_are_forbidden(server, client, user, method, route, body):
    response = client.request(method, ADMIN + route.replace("!", "%21"), json_body=body, token=user[1])
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    # Without a token at all: the usual missing-token answer.
    assert_matrix_error(client.request(method, ADMIN + route, json_body=body), 401, "M_MISSING_TOKEN")


@spec("ranvier:docs/admin.md")
def test_server_version(client, admin_token):
    body = assert_json_response(client.get(ADMIN + "/v1/server_version", token=admin_token))
    assert body["server_version"].startswith("Ranvier")


@spec("ranvier:docs/admin.md")
def test_list_users_pages_and_filters(server, client, admin_token, user):
    for name in ("listed1", "listed2", "listed3"):
        new_user(client, name)
    body = assert_json_response(client.get(ADMIN + "/v2/users?limit=2", token=admin_token))
    assert len(body["users"]) == 2 and body["total"] >= 5 and body["next_token"] == "2"
    entry = body["users"][0]
    for key in ("name", "admin", "deactivated", "is_guest", "displayname", "avatar_url", "creation_ts",
                "erased", "shadow_banned", "user_type"):
        assert key in entry, entry
    page2 = assert_json_response(client.get(ADMIN + "/v2/users?limit=2&from=2", token=admin_token))
    assert {u["name"] for u in page2["users"]}.isdisjoint({u["name"] for u in body["users"]})
    listed = assert_json_response(client.get(ADMIN + "/v2/users?name=LISTED", token=admin_token))
    assert [u["name"] for u in listed["users"]] == [uid(server, f"listed{i}") for i in (1, 2, 3)]
    assert listed["total"] == 3 and "next_token" not in listed
    for bad in ("limit=abc", "from=-1", "guests=maybe", "deactivated=1"):
        assert_matrix_error(client.get(ADMIN + "/v2/users?" + bad, token=admin_token), 400, "M_INVALID_PARAM")


@spec("ranvier:docs/admin.md")
def test_query_create_and_modify_user(server, client, admin_token):
    target = uid(server, "made_by_admin")
    url = ADMIN + "/v2/users/" + q(target)
    assert_matrix_error(client.get(url, token=admin_token), 404, "M_NOT_FOUND")
    created = assert_json_response(client.put(url, token=admin_token, json_body={
        "password": "secret1", "displayname": "Made", "admin": False}), 201)
    assert created["name"] == target and created["displayname"] == "Made" and created["admin"] is False
    assert created["deactivated"] is False
    token = assert_json_response(client.post("/_matrix/client/v3/login", json_body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "made_by_admin"},
        "password": "secret1"}))["access_token"]
    changed = assert_json_response(client.put(url, token=admin_token, json_body={
        "displayname": "Changed", "admin": True}))
    assert changed["displayname"] == "Changed" and changed["admin"] is True
    # A new password logs the devices out unless logout_devices is false.
    assert_json_response(client.put(url, token=admin_token, json_body={"password": "secret2"}))
    assert_matrix_error(client.get("/_matrix/client/v3/account/whoami", token=token), 401, "M_UNKNOWN_TOKEN")
    fetched = assert_json_response(client.get(url, token=admin_token))
    assert fetched["displayname"] == "Changed" and isinstance(fetched["creation_ts"], int)


@spec("ranvier:docs/admin.md")
@pytest.mark.parametrize("body,errcode", [
    (b"not json", "M_NOT_JSON"), (b"[1]", "M_BAD_JSON"),
    (b'{"password": 5}', "M_INVALID_PARAM"), (b'{"admin": "yes"}', "M_INVALID_PARAM"),
    (b'{"deactivated": 1}', "M_INVALID_PARAM"),
])
def test_put_user_bad_bodies(server, client, admin_token, body, errcode):
    url = ADMIN + "/v2/users/" + q(uid(server, "badbody"))
    assert_matrix_error(client.put(url, token=admin_token, body=body), 400, errcode)
    assert_matrix_error(client.get(url, token=admin_token), 404, "M_NOT_FOUND")


@spec("ranvier:docs/admin.md")
def test_users_of_other_servers_and_malformed_ids(client, admin_token):
    assert_matrix_error(client.get(ADMIN + "/v2/users/" + q("@x:elsewhere.test"), token=admin_token),
                        400, "M_INVALID_PARAM")
    assert_matrix_error(client.get(ADMIN + "/v2/users/not-a-user", token=admin_token), 400, "M_INVALID_PARAM")


@spec("ranvier:docs/admin.md")
def test_reset_password(server, client, admin_token):
    _, old_token = new_user(client, "resetme")
    url = ADMIN + "/v1/reset_password/" + q(uid(server, "resetme"))
    assert_matrix_error(client.post(url, token=admin_token, json_body={}), 400, "M_MISSING_PARAM")
    assert_matrix_error(client.post(url, token=admin_token, json_body={"new_password": 7}), 400, "M_INVALID_PARAM")
    assert_json_response(client.post(url, token=admin_token, json_body={"new_password": "n1", "logout_devices": False}))
    assert_json_response(client.get("/_matrix/client/v3/account/whoami", token=old_token))
    assert_json_response(client.post(url, token=admin_token, json_body={"new_password": "n2"}))
    assert_matrix_error(client.get("/_matrix/client/v3/account/whoami", token=old_token), 401, "M_UNKNOWN_TOKEN")
    assert_json_response(client.post("/_matrix/client/v3/login", json_body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "resetme"}, "password": "n2"}))
    missing = ADMIN + "/v1/reset_password/" + q(uid(server, "nobody_here"))
    assert_matrix_error(client.post(missing, token=admin_token, json_body={"new_password": "x"}), 404, "M_NOT_FOUND")


@spec("ranvier:docs/admin.md")
def test_admin_flag(server, client, admin_token, user):
    url = ADMIN + "/v1/users/" + q(uid(server, "flagged")) + "/admin"
    assert_matrix_error(client.get(url, token=admin_token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.put(url, token=admin_token, json_body={"admin": True}), 404, "M_NOT_FOUND")
    new_user(client, "flagged")
    assert assert_json_response(client.get(url, token=admin_token)) == {"admin": False}
    assert_matrix_error(client.put(url, token=admin_token, json_body={"admin": "yes"}), 400, "M_INVALID_PARAM")
    assert_matrix_error(client.put(url, token=admin_token, json_body={}), 400, "M_MISSING_PARAM")
    assert assert_json_response(client.put(url, token=admin_token, json_body={"admin": True})) == {}
    assert assert_json_response(client.get(url, token=admin_token)) == {"admin": True}
    own = ADMIN + "/v1/users/" + q(uid(server, "root")) + "/admin"
    assert_matrix_error(client.put(own, token=admin_token, json_body={"admin": False}), 400, "M_INVALID_PARAM")


@spec("ranvier:docs/admin.md")
def test_deactivate_with_erase_leaves_rooms(server, client, admin_token):
    _, watcher = new_user(client, "watcher")
    gone_id, gone = new_user(client, "goner")
    room_id = public_room(client, watcher, gone)
    since = sync(client, watcher)["next_batch"]
    url = ADMIN + "/v1/deactivate/" + q(gone_id)
    assert_matrix_error(client.post(url, token=admin_token, body=b"{"), 400, "M_NOT_JSON")
    assert_matrix_error(client.post(url, token=admin_token, json_body={"erase": "yes"}), 400, "M_INVALID_PARAM")
    body = assert_json_response(client.post(url, token=admin_token, json_body={"erase": True}))
    assert body == {"id_server_unbind_result": "success"}
    events = timeline_events(sync(client, watcher, since=since), room_id)
    leaves = [e for e in events if e["type"] == "m.room.member" and e["state_key"] == gone_id]
    assert leaves and leaves[-1]["content"]["membership"] == "leave", events
    details = assert_json_response(client.get(ADMIN + "/v2/users/" + q(gone_id), token=admin_token))
    assert details["deactivated"] is True and details["erased"] is True and details["displayname"] is None
    assert_matrix_error(client.get("/_matrix/client/v3/account/whoami", token=gone), 401, "M_UNKNOWN_TOKEN")
    missing = ADMIN + "/v1/deactivate/" + q(uid(server, "nobody_here"))
    assert_matrix_error(client.post(missing, token=admin_token, json_body={}), 404, "M_NOT_FOUND")


@spec("ranvier:docs/admin.md")
def test_registration_tokens(client, admin_token):
    base = ADMIN + "/v1/registration_tokens"
    made = assert_json_response(client.post(base + "/new", token=admin_token, json_body={"length": 20}))
    assert len(made["token"]) == 20 and made["uses_allowed"] is None and made["pending"] == 0
    assert made["completed"] == 0 and made["expiry_time"] is None
    named = assert_json_response(client.post(base + "/new", token=admin_token, json_body={
        "token": "given.token", "uses_allowed": 3}))
    assert named["token"] == "given.token" and named["uses_allowed"] == 3
    assert_matrix_error(client.post(base + "/new", token=admin_token, json_body={"token": "given.token"}),
                        400, "M_INVALID_PARAM")
    for bad in ({"token": "no spaces"}, {"uses_allowed": -1}, {"expiry_time": 1}, {"length": 65},
                {"uses_allowed": "3"}):
        assert_matrix_error(client.post(base + "/new", token=admin_token, json_body=bad), 400, "M_INVALID_PARAM")
    listed = assert_json_response(client.get(base, token=admin_token))["registration_tokens"]
    assert {"given.token", made["token"]} <= {t["token"] for t in listed}
    updated = assert_json_response(client.put(base + "/given.token", token=admin_token,
                                              json_body={"uses_allowed": None, "expiry_time": 4102444800000}))
    assert updated["uses_allowed"] is None and updated["expiry_time"] == 4102444800000
    assert assert_json_response(client.get(base + "/given.token", token=admin_token)) == updated
    assert assert_json_response(client.request("DELETE", base + "/given.token", token=admin_token)) == {}
    for method in ("GET", "DELETE"):
        assert_matrix_error(client.request(method, base + "/given.token", token=admin_token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.put(base + "/given.token", token=admin_token, json_body={}), 404, "M_NOT_FOUND")


@spec("ranvier:docs/admin.md")
def test_rooms_list_details_members(server, client, admin_token):
    owner_id, owner = new_user(client, "roomowner")
    _, guest = new_user(client, "roomguest")
    room_id = public_room(client, owner, guest, name="Admin Listed Room")
    listed = assert_json_response(client.get(ADMIN + "/v1/rooms?search_term=admin%20listed", token=admin_token))
    assert [r["room_id"] for r in listed["rooms"]] == [room_id]
    assert listed["total_rooms"] == 1 and listed["offset"] == 0
    room = listed["rooms"][0]
    assert room["name"] == "Admin Listed Room" and room["joined_members"] == 2
    assert room["joined_local_members"] == 2 and room["creator"] == owner_id and room["join_rules"] == "public"
    everything = assert_json_response(client.get(ADMIN + "/v1/rooms?order_by=joined_members&limit=1",
                                                 token=admin_token))
    assert len(everything["rooms"]) == 1 and everything["next_batch"] == 1
    assert_matrix_error(client.get(ADMIN + "/v1/rooms?order_by=colour", token=admin_token), 400, "M_INVALID_PARAM")
    details = assert_json_response(client.get(ADMIN + "/v1/rooms/" + q(room_id), token=admin_token))
    assert details["version"] and details["state_events"] >= 6 and details["forward_extremities"] == 1
    members = assert_json_response(client.get(ADMIN + "/v1/rooms/" + q(room_id) + "/members", token=admin_token))
    assert members["total"] == 2 and owner_id in members["members"]
    extremities = assert_json_response(client.get(ADMIN + "/v1/rooms/" + q(room_id) + "/forward_extremities",
                                                  token=admin_token))
    assert extremities["count"] == 1 and extremities["results"][0]["event_id"].startswith("$")
    for suffix in ("", "/members", "/forward_extremities"):
        assert_matrix_error(client.get(ADMIN + "/v1/rooms/" + q("!unknown:localhost") + suffix, token=admin_token),
                            404, "M_NOT_FOUND")


@spec("ranvier:docs/admin.md")
def test_purge_history(server, client, admin_token):
    _, owner = new_user(client, "purger")
    room_id = create_room(client, owner)
    for i in range(3):
        text(client, owner, room_id, f"old {i}")
    point = text(client, owner, room_id, "kept 0")
    text(client, owner, room_id, "kept 1")
    url = ADMIN + "/v1/purge_history/" + q(room_id)
    assert_matrix_error(client.post(url, token=admin_token, json_body={}), 400, "M_MISSING_PARAM")
    assert_matrix_error(client.post(url, token=admin_token, json_body={"purge_up_to_ts": "x"}), 400, "M_INVALID_PARAM")
    assert_matrix_error(client.post(url + "/" + q("$nope"), token=admin_token, json_body={}), 404, "M_NOT_FOUND")
    assert_matrix_error(client.post(url, token=admin_token, json_body={"purge_up_to_event_id": 5}), 400,
                        "M_INVALID_PARAM")
    assert_matrix_error(client.post(ADMIN + "/v1/purge_history/" + q("!unknown:localhost"), token=admin_token,
                                    json_body={"purge_up_to_ts": 1}), 404, "M_NOT_FOUND")
    # Local events stay unless delete_local_events.
    kept = assert_json_response(client.post(url + "/" + q(point), token=admin_token, json_body={}))
    status = assert_json_response(client.get(ADMIN + "/v1/purge_history_status/" + kept["purge_id"],
                                             token=admin_token))
    assert status["status"] == "complete" and status["deleted_events"] == 0
    started = assert_json_response(client.post(url, token=admin_token, json_body={
        "delete_local_events": True, "purge_up_to_event_id": point}))
    status = assert_json_response(client.get(ADMIN + "/v1/purge_history_status/" + started["purge_id"],
                                             token=admin_token))
    assert status["status"] == "complete" and status["deleted_events"] == 3
    chunk = messages(client, owner, room_id, limit=50)["chunk"]
    bodies = [e["content"].get("body") for e in chunk if e["type"] == "m.room.message"]
    assert bodies == ["kept 1", "kept 0"]
    assert any(e["type"] == "m.room.create" for e in chunk), "state events must stay"
    assert_matrix_error(client.get(ADMIN + "/v1/purge_history_status/unknown", token=admin_token), 404, "M_NOT_FOUND")


@spec("ranvier:docs/admin.md")
def test_delete_room_blocks_and_moves_users(server, client, admin_token):
    owner_id, owner = new_user(client, "shutowner")
    member_id, member = new_user(client, "shutmember")
    room_id = public_room(client, owner, member, name="To be shut")
    url = ADMIN + "/v2/rooms/" + q(room_id)
    assert_matrix_error(client.request("DELETE", url, token=admin_token, json_body={"block": "yes"}),
                        400, "M_INVALID_PARAM")
    started = assert_json_response(client.request("DELETE", url, token=admin_token, json_body={
        "block": True, "new_room_user_id": owner_id, "room_name": "Moved", "message": "This room is closed"}))
    status = assert_json_response(client.get(url + "/delete_status", token=admin_token))["results"][0]
    assert status["delete_id"] == started["delete_id"] and status["status"] == "complete"
    shutdown = status["shutdown_room"]
    assert sorted(shutdown["kicked_users"]) == sorted([owner_id, member_id])
    assert shutdown["failed_to_kick_users"] == [] and shutdown["new_room_id"].startswith("!")
    by_id = assert_json_response(client.get(ADMIN + "/v2/rooms/delete_status/" + started["delete_id"],
                                            token=admin_token))
    assert by_id["shutdown_room"] == shutdown
    assert room_id not in assert_json_response(client.get("/_matrix/client/v3/joined_rooms", token=member))["joined_rooms"]
    assert shutdown["new_room_id"] in assert_json_response(
        client.get("/_matrix/client/v3/joined_rooms", token=member))["joined_rooms"]
    assert_matrix_error(client.post("/_matrix/client/v3/rooms/" + q(room_id) + "/join", token=member, json_body={}),
                        403, "M_FORBIDDEN")
    assert_matrix_error(client.request("DELETE", ADMIN + "/v2/rooms/" + q("!unknown:localhost"), token=admin_token,
                                       json_body={}), 404, "M_NOT_FOUND")
    assert_matrix_error(client.get(ADMIN + "/v2/rooms/" + q("!unknown:localhost") + "/delete_status",
                                   token=admin_token), 404, "M_NOT_FOUND")


@spec("ranvier:docs/admin.md")
def test_display_name_change_reaches_rooms(server, client, admin_token):
    _, owner = new_user(client, "renamed_owner")
    renamed_id, renamed = new_user(client, "renamed_member")
    room_id = public_room(client, owner, renamed)
    since = sync(client, owner)["next_batch"]
    assert_json_response(client.put(ADMIN + "/v2/users/" + q(renamed_id), token=admin_token,
                                    json_body={"displayname": "New Name"}))
    events = [e for e in timeline_events(sync(client, owner, since=since), room_id)
              if e["type"] == "m.room.member" and e["state_key"] == renamed_id]
    assert events, "no new member event"
    assert events[-1]["content"]["membership"] == "join"
    assert events[-1]["content"]["displayname"] == "New Name"

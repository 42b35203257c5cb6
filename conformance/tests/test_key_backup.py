"""Server-side key backup: creating, reading, updating and deleting backup versions, and
storing, reading and deleting session keys in the current version (all, per room, per
session) with `etag` and `count`; of two copies of a session key the better one is kept
(verified, then lower first_message_index, then lower forwarded_count); keys go only into the
current version."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import new_user, path

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2"
VERSION = path("room_keys", "version")
KEYS = path("room_keys", "keys")


def create(client, token, auth_data=None):
    body = assert_json_response(client.post(VERSION, token=token, json_body={
        "algorithm": ALGORITHM, "auth_data": auth_data or {"public_key": "abc"}}))
    assert isinstance(body["version"], str)
    return body["version"]


def session_key(index=0, forwarded=0, verified=False, data="x"):
    return {"first_message_index": index, "forwarded_count": forwarded, "is_verified": verified,
            "session_data": {"ciphertext": data, "ephemeral": "e", "mac": "m"}}


def keys_path(version, *parts):
    return path("room_keys", "keys", *parts, query={"version": version})


@spec("client-server-api/#post_matrixclientv3room_keysversion")
def test_versions_create_read_update_delete(client):
    _, token = new_user(client, "backup_versions")
    assert_matrix_error(client.get(VERSION, token=token), 404, "M_NOT_FOUND")
    first = create(client, token)
    second = create(client, token, {"public_key": "def"})
    assert int(second) > int(first)
    current = assert_json_response(client.get(VERSION, token=token))
    assert current == {"algorithm": ALGORITHM, "auth_data": {"public_key": "def"}, "count": 0,
                       "etag": current["etag"], "version": second}
    assert assert_json_response(client.get(path("room_keys", "version", first), token=token))["version"] == first
    assert_json_response(client.put(path("room_keys", "version", first), token=token, json_body={
        "algorithm": ALGORITHM, "auth_data": {"public_key": "new"}, "version": first}))
    assert assert_json_response(client.get(path("room_keys", "version", first), token=token))["auth_data"] == \
        {"public_key": "new"}
    assert_matrix_error(client.put(path("room_keys", "version", first), token=token, json_body={
        "algorithm": "other.algorithm", "auth_data": {}}), 400, ("M_INVALID_PARAM", "M_BAD_JSON"))
    assert_matrix_error(client.put(path("room_keys", "version", first), token=token, json_body={
        "algorithm": ALGORITHM, "auth_data": {}, "version": second}), 400, "M_INVALID_PARAM")
    assert_json_response(client.request("DELETE", path("room_keys", "version", second), token=token))
    assert_matrix_error(client.get(path("room_keys", "version", second), token=token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.request("DELETE", path("room_keys", "version", second), token=token), 404,
                        "M_NOT_FOUND")
    assert assert_json_response(client.get(VERSION, token=token))["version"] == first
    # Deleted numbers are not handed out again; other users' versions are not visible.
    assert int(create(client, token)) > int(second)
    _, other = new_user(client, "backup_versions_other")
    assert_matrix_error(client.get(path("room_keys", "version", first), token=other), 404, "M_NOT_FOUND")
    assert_matrix_error(client.get(path("room_keys", "version", "notanumber"), token=token), 404, "M_NOT_FOUND")


@spec("client-server-api/#put_matrixclientv3room_keyskeys")
def test_keys_put_get_delete_at_every_level(client):
    _, token = new_user(client, "backup_keys")
    version = create(client, token)
    put_all = assert_json_response(client.put(keys_path(version), token=token, json_body={"rooms": {
        "!a:localhost": {"sessions": {"s1": session_key(), "s2": session_key()}}}}))
    assert put_all["count"] == 2
    put_room = assert_json_response(client.put(keys_path(version, "!b:localhost"), token=token,
                                               json_body={"sessions": {"s1": session_key()}}))
    assert put_room["count"] == 3 and put_room["etag"] != put_all["etag"]
    put_one = assert_json_response(client.put(keys_path(version, "!b:localhost", "s2"), token=token,
                                              json_body=session_key(data="y")))
    assert put_one["count"] == 4
    everything = assert_json_response(client.get(keys_path(version), token=token))["rooms"]
    assert sorted(everything) == ["!a:localhost", "!b:localhost"]
    assert sorted(everything["!a:localhost"]["sessions"]) == ["s1", "s2"]
    room = assert_json_response(client.get(keys_path(version, "!b:localhost"), token=token))
    assert sorted(room["sessions"]) == ["s1", "s2"]
    one = assert_json_response(client.get(keys_path(version, "!b:localhost", "s2"), token=token))
    assert one == session_key(data="y")
    assert_matrix_error(client.get(keys_path(version, "!b:localhost", "nosuch"), token=token), 404, "M_NOT_FOUND")
    assert assert_json_response(client.get(keys_path(version, "!empty:localhost"), token=token)) == {"sessions": {}}
    current = assert_json_response(client.get(VERSION, token=token))
    assert current["count"] == 4 and current["etag"] == put_one["etag"]
    deleted_one = assert_json_response(client.request("DELETE", keys_path(version, "!b:localhost", "s2"),
                                                      token=token))
    assert deleted_one["count"] == 3 and deleted_one["etag"] != put_one["etag"]
    assert assert_json_response(client.request("DELETE", keys_path(version, "!a:localhost"),
                                               token=token))["count"] == 1
    assert assert_json_response(client.request("DELETE", keys_path(version), token=token))["count"] == 0
    assert assert_json_response(client.get(keys_path(version), token=token)) == {"rooms": {}}


@spec("client-server-api/#put_matrixclientv3room_keyskeysroomidsessionid")
def test_the_better_session_key_is_kept(client):
    _, token = new_user(client, "backup_better")
    version = create(client, token)
    at = keys_path(version, "!r:localhost", "s")

    def stored():
        return assert_json_response(client.get(at, token=token))

    assert_json_response(client.put(at, token=token, json_body=session_key(index=5, forwarded=2, data="first")))
    # Worse: higher index; then equal index but more forwards: both ignored (etag unchanged).
    etag = assert_json_response(client.get(VERSION, token=token))["etag"]
    assert_json_response(client.put(at, token=token, json_body=session_key(index=9, data="later")))
    assert_json_response(client.put(at, token=token, json_body=session_key(index=5, forwarded=3, data="fwd")))
    assert stored()["session_data"]["ciphertext"] == "first"
    assert assert_json_response(client.get(VERSION, token=token))["etag"] == etag
    # Better: fewer forwards, then a lower index, then verified beats everything unverified.
    assert_json_response(client.put(at, token=token, json_body=session_key(index=5, forwarded=1, data="b1")))
    assert stored()["session_data"]["ciphertext"] == "b1"
    assert_json_response(client.put(at, token=token, json_body=session_key(index=2, forwarded=4, data="b2")))
    assert stored()["session_data"]["ciphertext"] == "b2"
    assert_json_response(client.put(at, token=token, json_body=session_key(index=50, verified=True, data="b3")))
    assert stored()["session_data"]["ciphertext"] == "b3"
    assert_json_response(client.put(at, token=token, json_body=session_key(index=0, data="unverified")))
    assert stored() == session_key(index=50, verified=True, data="b3")


@spec("client-server-api/#put_matrixclientv3room_keyskeys")
def test_keys_go_only_into_the_current_version(client):
    _, token = new_user(client, "backup_wrong")
    assert_matrix_error(client.put(keys_path("1", "!r:localhost", "s"), token=token, json_body=session_key()),
                        404, "M_NOT_FOUND")
    old = create(client, token)
    current = create(client, token)
    wrong = assert_matrix_error(client.put(keys_path(old, "!r:localhost", "s"), token=token,
                                           json_body=session_key()), 403, "M_WRONG_ROOM_KEYS_VERSION")
    assert wrong["current_version"] == current
    assert_matrix_error(client.get(keys_path("999"), token=token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.request("DELETE", keys_path("999"), token=token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.put(keys_path(current, "!r:localhost", "s"), token=token,
                                   json_body=dict(session_key(), first_message_index=-1)), 400,
                        ("M_BAD_JSON", "M_INVALID_PARAM"))
    assert_matrix_error(client.put(keys_path(current), token=token, json_body={"rooms": {"!r:x": {}}}), 400,
                        ("M_BAD_JSON", "M_INVALID_PARAM"))
    assert assert_json_response(client.get(VERSION, token=token))["count"] == 0

"""End-to-end encryption keys: uploading device, one-time and fallback keys (checked against
the device's own signature, for the caller's own user and device, at most 100 one-time keys per
request), querying them with display names, claiming one-time keys once each and fallback keys
after them, device-list changes in /keys/changes and /sync, and the keys leaving with a
deleted device."""

import pytest

nacl = pytest.importorskip("nacl.signing", reason="the key suites sign with PyNaCl (python3-nacl)")

from harness.checks import assert_json_response, assert_matrix_error, spec  # noqa: E402
from harness.e2e import KEYS_CLAIM, KEYS_QUERY, KEYS_UPLOAD, Device, device_id_of  # noqa: E402
from harness.rooms import (BackgroundSync, create_room, join, leave, login, new_user, path,  # noqa: E402
                           run_concurrently, sync, PASSWORD)

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
UPLOAD = "client-server-api/#post_matrixclientv3keysupload"
QUERY = "client-server-api/#post_matrixclientv3keysquery"
CLAIM = "client-server-api/#post_matrixclientv3keysclaim"
CHANGES = "client-server-api/#get_matrixclientv3keyschanges"
SYNC_EXTENSIONS = "client-server-api/#extensions-to-sync"


def device_for(client, name):
    user_id, token = new_user(client, name)
    return Device(user_id, device_id_of(client, token)), token


def upload(client, token, **body):
    return client.post(KEYS_UPLOAD, token=token, json_body=body)


def query(client, token, users):
    return assert_json_response(client.post(KEYS_QUERY, token=token, json_body={"device_keys": users}))


def claim(client, token, wanted):
    return assert_json_response(client.post(KEYS_CLAIM, token=token, json_body={"one_time_keys": wanted}))


@spec(UPLOAD)
def test_upload_device_keys_and_query_them(client):
    alice, alice_token = device_for(client, "keys_alice")
    _, bob_token = new_user(client, "keys_bob")
    keys = alice.device_keys()
    assert_json_response(client.put(path("devices", alice.device_id), token=alice_token,
                                    json_body={"display_name": "Alice's phone"}))
    body = assert_json_response(upload(client, alice_token, device_keys=keys))
    assert body["one_time_key_counts"].get("signed_curve25519", 0) == 0
    result = query(client, bob_token, {alice.user_id: []})
    served = result["device_keys"][alice.user_id][alice.device_id]
    assert served["keys"] == keys["keys"]
    assert served["signatures"] == keys["signatures"]
    assert served["unsigned"] == {"device_display_name": "Alice's phone"}
    # Asking for one device by ID gives that device only; unknown devices are left out.
    only = query(client, bob_token, {alice.user_id: [alice.device_id, "NOSUCH"]})
    assert list(only["device_keys"][alice.user_id]) == [alice.device_id]
    # Re-uploading the same keys is fine.
    assert_json_response(upload(client, alice_token, device_keys=keys))


@spec(UPLOAD)
def test_upload_refuses_bad_device_keys(client):
    alice, token = device_for(client, "bad_keys")
    other = Device(alice.user_id, alice.device_id)
    # Signed by a different key than the one in `keys`.
    forged = alice.device_keys()
    forged["signatures"] = other.device_keys()["signatures"]
    assert_matrix_error(upload(client, token, device_keys=forged), 400, "M_INVALID_PARAM")
    # Changed after signing.
    tampered = alice.device_keys()
    tampered["algorithms"] = ["m.megolm.v1.aes-sha2"]
    assert_matrix_error(upload(client, token, device_keys=tampered), 400, "M_INVALID_PARAM")
    # Somebody else's user ID or another device ID, even when correctly signed.
    stranger = Device("@someone_else:localhost", alice.device_id)
    assert_matrix_error(upload(client, token, device_keys=stranger.device_keys()), 400, "M_INVALID_PARAM")
    elsewhere = Device(alice.user_id, "OTHERDEVICE")
    assert_matrix_error(upload(client, token, device_keys=elsewhere.device_keys()), 400, "M_INVALID_PARAM")
    # Not a key object at all.
    assert_matrix_error(upload(client, token, device_keys={"user_id": alice.user_id}), 400, "M_BAD_JSON")
    assert_matrix_error(upload(client, token, device_keys="keys"), 400, "M_BAD_JSON")
    # Nothing was stored.
    _, bob_token = new_user(client, "bad_keys_watcher")
    assert query(client, bob_token, {alice.user_id: []})["device_keys"][alice.user_id] == {}


@spec(UPLOAD)
def test_one_time_keys_are_counted_and_bounded(client):
    alice, token = device_for(client, "otk_counts")
    body = assert_json_response(upload(client, token, one_time_keys=alice.one_time_keys(5)))
    assert body["one_time_key_counts"]["signed_curve25519"] == 5
    # The same keys again change nothing; the same ID with other content is refused whole.
    assert assert_json_response(upload(client, token, one_time_keys=alice.one_time_keys(5))) == body
    clash = alice.one_time_keys(1, start=10)
    clash.update({"signed_curve25519:AAAA0": alice.one_time_keys(1, start=7)["signed_curve25519:AAAA7"]})
    assert_matrix_error(upload(client, token, one_time_keys=clash), 400, "M_INVALID_PARAM")
    # More than 100 in one request is refused and stores nothing.
    assert_matrix_error(upload(client, token, one_time_keys=alice.one_time_keys(101, start=100)), 400,
                        "M_INVALID_PARAM")
    assert_matrix_error(upload(client, token, one_time_keys={"no_colon": "k"}), 400, "M_INVALID_PARAM")
    assert_matrix_error(upload(client, token, one_time_keys={"curve25519:A": 5}), 400, "M_BAD_JSON")
    counts = assert_json_response(upload(client, token))["one_time_key_counts"]
    assert counts["signed_curve25519"] == 5


@spec(CLAIM)
def test_claim_takes_each_one_time_key_once_then_the_fallback_key(client):
    alice, alice_token = device_for(client, "claim_alice")
    _, bob_token = new_user(client, "claim_bob")
    fallback = alice.one_time_keys(1, start=99)
    fallback = {key_id: dict(value, fallback=True) for key_id, value in fallback.items()}
    assert_json_response(upload(client, alice_token, device_keys=alice.device_keys(),
                                one_time_keys=alice.one_time_keys(2), fallback_keys=fallback))
    wanted = {alice.user_id: {alice.device_id: "signed_curve25519"}}
    first = claim(client, bob_token, wanted)["one_time_keys"][alice.user_id][alice.device_id]
    second = claim(client, bob_token, wanted)["one_time_keys"][alice.user_id][alice.device_id]
    assert len(first) == 1 and len(second) == 1
    assert set(first) | set(second) == {"signed_curve25519:AAAA0", "signed_curve25519:AAAA1"}
    # Then the fallback key, as often as asked, until the device replaces it.
    for _ in range(2):
        third = claim(client, bob_token, wanted)["one_time_keys"][alice.user_id][alice.device_id]
        assert third == fallback
    own = sync(client, alice_token)
    assert own["device_one_time_keys_count"]["signed_curve25519"] == 0
    assert own["device_unused_fallback_key_types"] == []
    assert_json_response(upload(client, alice_token, fallback_keys=alice.one_time_keys(1, start=200)))
    assert sync(client, alice_token)["device_unused_fallback_key_types"] == ["signed_curve25519"]
    # Unknown users and devices are simply absent; other servers are failures.
    none = claim(client, bob_token, {"@nobody:localhost": {"X": "signed_curve25519"},
                                     alice.user_id: {"NOSUCH": "signed_curve25519"},
                                     "@remote:elsewhere.example": {"D": "signed_curve25519"}})
    assert none["one_time_keys"] == {}
    assert "elsewhere.example" in none["failures"]
    assert_matrix_error(client.post(KEYS_CLAIM, token=bob_token, json_body={"one_time_keys": {"bad": {}}}), 400,
                        "M_INVALID_PARAM")


@spec(CLAIM)
def test_racing_claims_never_share_a_one_time_key(server, client):
    alice, alice_token = device_for(client, "race_alice")
    _, bob_token = new_user(client, "race_bob")
    assert_json_response(upload(client, alice_token, one_time_keys=alice.one_time_keys(12)))
    wanted = {alice.user_id: {alice.device_id: "signed_curve25519"}}

    def claim_one(c, _):
        body = claim(c, bob_token, wanted)["one_time_keys"]
        return list(body.get(alice.user_id, {}).get(alice.device_id, {}))

    claimed = run_concurrently(server, claim_one, range(16), together=True)
    handed_out = [key_id for keys in claimed for key_id in keys]
    # Twelve keys for sixteen claims: each key once, four claims empty-handed (no fallback key).
    assert len(handed_out) == 12 and len(set(handed_out)) == 12
    assert sync(client, alice_token)["device_one_time_keys_count"]["signed_curve25519"] == 0


@spec(QUERY)
def test_query_unknown_and_remote_users(client):
    _, token = new_user(client, "query_asker")
    body = query(client, token, {"@nobody_here:localhost": [], "@someone:remote.example": []})
    assert body["device_keys"] == {"@nobody_here:localhost": {}}
    assert "remote.example" in body["failures"]
    assert_matrix_error(client.post(KEYS_QUERY, token=token, json_body={"device_keys": {"x": []}}), 400,
                        "M_INVALID_PARAM")
    assert_matrix_error(client.post(KEYS_QUERY, token=token, json_body={"device_keys": {token: "x"}}), 400,
                        ("M_INVALID_PARAM", "M_BAD_JSON"))


@spec(SYNC_EXTENSIONS)
def test_sync_reports_device_list_changes_of_room_mates(server, client):
    alice, alice_token = device_for(client, "dl_alice")
    bob, bob_token = device_for(client, "dl_bob")
    _, carol_token = new_user(client, "dl_carol")
    room = create_room(client, alice_token, preset="public_chat")
    join(client, bob_token, room)
    since = sync(client, alice_token)["next_batch"]
    # Carol shares no room with Alice: her changes are not Alice's business.
    assert_json_response(upload(client, carol_token, device_keys=Device(
        "@dl_carol:localhost", device_id_of(client, carol_token)).device_keys()))
    poll = BackgroundSync(server, alice_token, since)
    assert_json_response(upload(client, bob_token, device_keys=bob.device_keys()))
    body, waited = poll.finish()
    assert waited < 5
    assert body["device_lists"]["changed"] == [bob.user_id]
    changes = assert_json_response(client.get(path("keys", "changes", query={"from": since,
                                                                            "to": body["next_batch"]}),
                                              token=alice_token))
    assert changes == {"changed": [bob.user_id], "left": []}
    # Bob leaves the only room they shared: he is in `left` now.
    since = body["next_batch"]
    leave(client, bob_token, room)
    body = sync(client, alice_token, since=since)
    assert body["device_lists"]["left"] == [bob.user_id]
    assert bob.user_id not in body["device_lists"]["changed"]
    # A user joining a shared room is a change: the client has not tracked them yet.
    since = body["next_batch"]
    join(client, carol_token, room)
    assert "@dl_carol:localhost" in sync(client, alice_token, since=since)["device_lists"]["changed"]
    assert_matrix_error(client.get(path("keys", "changes", query={"from": "x", "to": since}), token=alice_token),
                        400, "M_INVALID_PARAM")


@spec(SYNC_EXTENSIONS)
def test_sync_counts_one_time_keys_and_reads_old_tokens(client):
    alice, token = device_for(client, "otk_sync")
    first = sync(client, token)
    assert first["device_one_time_keys_count"]["signed_curve25519"] == 0
    assert first["device_lists"] == {"changed": [], "left": []}
    assert_json_response(upload(client, token, one_time_keys=alice.one_time_keys(3)))
    assert sync(client, token)["device_one_time_keys_count"]["signed_curve25519"] == 3
    # A token without the device-list part (from an older version) is still accepted.
    old = "_".join(first["next_batch"].split("_")[:6])
    assert_json_response(client.get(path("sync", query={"since": old, "timeout": 0}), token=token))


@spec("client-server-api/#delete_matrixclientv3devicesdeviceid")
def test_deleting_a_device_removes_its_keys_and_is_a_change(client):
    alice, alice_token = device_for(client, "gone_alice")
    _, bob_token = new_user(client, "gone_bob")
    second = login(client, "gone_alice")
    laptop = Device(alice.user_id, device_id_of(client, second))
    assert_json_response(upload(client, second, device_keys=laptop.device_keys(),
                                one_time_keys=laptop.one_time_keys(2)))
    room = create_room(client, bob_token, preset="public_chat")
    join(client, alice_token, room)
    since = sync(client, bob_token)["next_batch"]
    auth = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": alice.user_id},
            "password": PASSWORD}
    assert_json_response(client.request("DELETE", path("devices", laptop.device_id), token=alice_token,
                                       json_body={"auth": auth}))
    assert query(client, bob_token, {alice.user_id: []})["device_keys"][alice.user_id] == {}
    wanted = {alice.user_id: {laptop.device_id: "signed_curve25519"}}
    assert claim(client, bob_token, wanted)["one_time_keys"] == {}
    assert alice.user_id in sync(client, bob_token, since=since)["device_lists"]["changed"]

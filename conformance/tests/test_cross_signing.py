"""Cross-signing: uploading master, self-signing and user-signing keys (signed by the master
key; replacing them needs the password again), signatures over one's own devices and master
key and over other users' master keys, each verified (bad ones come back under `failures`), and
who sees which signature in /keys/query."""

import pytest

nacl = pytest.importorskip("nacl.signing", reason="the key suites sign with PyNaCl (python3-nacl)")

from harness.checks import assert_json_response, assert_matrix_error, spec  # noqa: E402
from harness.e2e import KEYS_QUERY, KEYS_UPLOAD, CrossSigningKey, Device, device_id_of, sign  # noqa: E402
from harness.rooms import PASSWORD, new_user, path  # noqa: E402

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
DEVICE_SIGNING = "client-server-api/#post_matrixclientv3keysdevice_signingupload"
SIGNATURES = "client-server-api/#post_matrixclientv3keyssignaturesupload"
SIGNING_UPLOAD = path("keys", "device_signing", "upload")
SIGNATURES_UPLOAD = path("keys", "signatures", "upload")


class User:
    """A user with one device that uploaded its keys, and a fresh set of cross-signing keys."""

    def __init__(self, client, name):
        self.user_id, self.token = new_user(client, name)
        self.device = Device(self.user_id, device_id_of(client, self.token))
        assert_json_response(client.post(KEYS_UPLOAD, token=self.token,
                                         json_body={"device_keys": self.device.device_keys()}))
        self.master = CrossSigningKey(self.user_id, "master")
        self.self_signing = CrossSigningKey(self.user_id, "self_signing")
        self.user_signing = CrossSigningKey(self.user_id, "user_signing")

    def keys_body(self):
        return {"master_key": self.master.json(),
                "self_signing_key": self.self_signing.json(signed_by=self.master),
                "user_signing_key": self.user_signing.json(signed_by=self.master)}

    def password_auth(self):
        return {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": self.user_id},
                "password": PASSWORD}


def query(client, token, user_id):
    return assert_json_response(client.post(KEYS_QUERY, token=token, json_body={"device_keys": {user_id: []}}))


@spec(DEVICE_SIGNING)
def test_first_upload_needs_no_password_and_replacing_does(client):
    alice = User(client, "xs_alice")
    assert assert_json_response(client.post(SIGNING_UPLOAD, token=alice.token, json_body=alice.keys_body())) == {}
    # The same keys again: nothing changes, no password needed.
    assert_json_response(client.post(SIGNING_UPLOAD, token=alice.token, json_body=alice.keys_body()))
    own = query(client, alice.token, alice.user_id)
    assert own["master_keys"][alice.user_id]["keys"] == alice.master.json()["keys"]
    assert own["self_signing_keys"][alice.user_id]["keys"] == alice.self_signing.json()["keys"]
    assert own["user_signing_keys"][alice.user_id]["keys"] == alice.user_signing.json()["keys"]
    # Others see master and self-signing keys, never the user-signing key.
    bob = User(client, "xs_bob")
    seen = query(client, bob.token, alice.user_id)
    assert alice.user_id in seen["master_keys"] and alice.user_id in seen["self_signing_keys"]
    assert seen["user_signing_keys"] == {}
    # Once there is a master key, adding a key of a kind not stored yet needs the password too.
    carol = User(client, "xs_carol")
    assert_json_response(client.post(SIGNING_UPLOAD, token=carol.token, json_body={"master_key": carol.master.json()}))
    more = {"master_key": carol.master.json(), "self_signing_key": carol.self_signing.json(signed_by=carol.master)}
    assert client.post(SIGNING_UPLOAD, token=carol.token, json_body=more).status == 401
    assert_json_response(client.post(SIGNING_UPLOAD, token=carol.token, json_body=dict(more, auth=carol.password_auth())))
    # New keys replace the old only with the password.
    alice.master = CrossSigningKey(alice.user_id, "master")
    alice.self_signing = CrossSigningKey(alice.user_id, "self_signing")
    alice.user_signing = CrossSigningKey(alice.user_id, "user_signing")
    challenge = client.post(SIGNING_UPLOAD, token=alice.token, json_body=alice.keys_body())
    assert challenge.status == 401
    assert {"stages": ["m.login.password"]} in challenge.json()["flows"]
    wrong = dict(alice.keys_body(), auth=dict(alice.password_auth(), password="wrong"))
    assert client.post(SIGNING_UPLOAD, token=alice.token, json_body=wrong).status == 401
    right = dict(alice.keys_body(), auth=alice.password_auth())
    assert_json_response(client.post(SIGNING_UPLOAD, token=alice.token, json_body=right))
    assert query(client, bob.token, alice.user_id)["master_keys"][alice.user_id]["keys"] == \
        alice.master.json()["keys"]


@spec(DEVICE_SIGNING)
def test_cross_signing_keys_with_bad_signatures_or_owners_are_refused(client):
    alice = User(client, "xs_bad")
    unsigned = alice.keys_body()
    unsigned["self_signing_key"] = alice.self_signing.json()
    assert_matrix_error(client.post(SIGNING_UPLOAD, token=alice.token, json_body=unsigned), 400,
                        "M_INVALID_SIGNATURE")
    other_master = CrossSigningKey(alice.user_id, "master")
    forged = alice.keys_body()
    forged["user_signing_key"] = alice.user_signing.json(signed_by=other_master)
    assert_matrix_error(client.post(SIGNING_UPLOAD, token=alice.token, json_body=forged), 400,
                        "M_INVALID_SIGNATURE")
    stranger = CrossSigningKey("@stranger:localhost", "master")
    assert_matrix_error(client.post(SIGNING_UPLOAD, token=alice.token, json_body={"master_key": stranger.json()}),
                        400, "M_INVALID_PARAM")
    wrong_usage = alice.master.json()
    wrong_usage["usage"] = ["self_signing"]
    assert_matrix_error(client.post(SIGNING_UPLOAD, token=alice.token, json_body={"master_key": wrong_usage}),
                        400, "M_INVALID_PARAM")
    lone = {"self_signing_key": alice.self_signing.json(signed_by=alice.master)}
    assert_matrix_error(client.post(SIGNING_UPLOAD, token=alice.token, json_body=lone), 400, "M_INVALID_PARAM")
    # Nothing was stored by any of these.
    assert query(client, alice.token, alice.user_id)["master_keys"] == {}


@spec(SIGNATURES)
def test_signing_own_device_and_another_users_master_key(client):
    alice = User(client, "sig_alice")
    bob = User(client, "sig_bob")
    carol = User(client, "sig_carol")
    for user in (alice, bob):
        assert_json_response(client.post(SIGNING_UPLOAD, token=user.token, json_body=user.keys_body()))
    signed_device = alice.self_signing.sign(alice.device.device_keys())
    signed_bob = alice.user_signing.sign(bob.master.json(), user_id=alice.user_id)
    signed_master = sign(alice.master.json(), alice.user_id, alice.device.key_id, alice.device.key)
    body = assert_json_response(client.post(SIGNATURES_UPLOAD, token=alice.token, json_body={
        alice.user_id: {alice.device.device_id: signed_device, alice.master.public: signed_master},
        bob.user_id: {bob.master.public: signed_bob}}))
    assert body["failures"] == {}
    # Everyone sees Alice's self-signing signature on her device.
    for viewer in (alice, bob, carol):
        device = query(client, viewer.token, alice.user_id)["device_keys"][alice.user_id][alice.device.device_id]
        assert alice.self_signing.key_id in device["signatures"][alice.user_id]
        assert alice.device.key_id in device["signatures"][alice.user_id]
    # Her device's signature on her master key is public.
    master = query(client, carol.token, alice.user_id)["master_keys"][alice.user_id]
    assert alice.device.key_id in master["signatures"][alice.user_id]
    # Alice's signature on Bob's master key is visible to Alice only.
    alice_view = query(client, alice.token, bob.user_id)["master_keys"][bob.user_id]["signatures"]
    assert alice_view[alice.user_id][alice.user_signing.key_id] == \
        signed_bob["signatures"][alice.user_id][alice.user_signing.key_id]
    assert alice.user_id not in query(client, carol.token, bob.user_id)["master_keys"][bob.user_id].get(
        "signatures", {})


@spec(SIGNATURES)
def test_bad_signatures_are_reported_per_key(client):
    alice = User(client, "sigbad_alice")
    bob = User(client, "sigbad_bob")
    for user in (alice, bob):
        assert_json_response(client.post(SIGNING_UPLOAD, token=user.token, json_body=user.keys_body()))
    # Signed with the wrong key, signed over other content, and a key that does not exist.
    wrong_key = alice.master.sign(alice.device.device_keys())
    tampered = alice.self_signing.sign(alice.device.device_keys(algorithms=["m.megolm.v1.aes-sha2"]))
    impostor = CrossSigningKey(alice.user_id, "user_signing").sign(bob.master.json(), user_id=alice.user_id)
    body = assert_json_response(client.post(SIGNATURES_UPLOAD, token=alice.token, json_body={
        alice.user_id: {alice.device.device_id: wrong_key, "NOSUCHDEVICE": wrong_key},
        bob.user_id: {bob.master.public: impostor},
        "@carol_nobody:localhost": {"somekey": impostor}}))
    failures = body["failures"]
    assert failures[alice.user_id][alice.device.device_id]["errcode"] == "M_INVALID_SIGNATURE"
    assert failures[alice.user_id]["NOSUCHDEVICE"]["errcode"] == "M_NOT_FOUND"
    assert failures[bob.user_id][bob.master.public]["errcode"] == "M_INVALID_SIGNATURE"
    assert failures["@carol_nobody:localhost"]["somekey"]["errcode"] == "M_NOT_FOUND"
    body = assert_json_response(client.post(SIGNATURES_UPLOAD, token=alice.token, json_body={
        alice.user_id: {alice.device.device_id: tampered}}))
    assert body["failures"][alice.user_id][alice.device.device_id]["errcode"] == "M_INVALID_PARAM"
    device = query(client, bob.token, alice.user_id)["device_keys"][alice.user_id][alice.device.device_id]
    assert list(device["signatures"][alice.user_id]) == [alice.device.key_id]
    assert_matrix_error(client.post(SIGNATURES_UPLOAD, token=alice.token, json_body={"not-a-user": {}}), 400,
                        "M_INVALID_PARAM")

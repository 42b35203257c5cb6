"""Devices, end-to-end keys, presence, to-device messages and OpenID between two Ranvier servers
(tools/mesh, loopback relays): a user of hs1 and a user of hs2 share a room; hs1's clients
query and claim hs2's keys through hs2's /user/keys/query and /user/keys/claim, hear of hs2's
device changes through m.device_list_update, see hs2's presence through m.presence, send
to-device messages to hs2 through m.direct_to_device, and hs2 answers /openid/userinfo."""

import time

import pytest

nacl = pytest.importorskip("nacl.signing", reason="the key suites sign with PyNaCl (python3-nacl)")

from harness.checks import assert_json_response, assert_matrix_error, spec  # noqa: E402
from harness.e2e import KEYS_CLAIM, KEYS_QUERY, KEYS_UPLOAD, CrossSigningKey, Device, device_id_of  # noqa: E402
from harness.mesh import Mesh, server_name, wait_for  # noqa: E402
from harness.rooms import create_room, login, new_user, path, sync, txn  # noqa: E402

USER_KEYS_QUERY = "server-server-api/#post_matrixfederationv1userkeysquery"
USER_KEYS_CLAIM = "server-server-api/#post_matrixfederationv1userkeysclaim"
DEVICE_LIST_UPDATE = "server-server-api/#device-management"
PRESENCE = "server-server-api/#presence"
SEND_TO_DEVICE = "server-server-api/#send-to-device-messaging"
OPENID = "server-server-api/#openid"
SIGNING_UPLOAD = path("keys", "device_signing", "upload")
SIGNATURES_UPLOAD = path("keys", "signatures", "upload")


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    instance = Mesh(tmp_path_factory.mktemp("mesh"), 2,
                    overrides={"rate_limits": {"enabled": False},
                               "password_hashing": {"memory_kib": 8, "iterations": 1}})
    try:
        instance.start()
        yield instance
    finally:
        instance.close()


class Person:
    """A user on one mesh server with one device whose keys are uploaded."""

    def __init__(self, mesh, server: str, name: str):
        self.server = server
        self.client = mesh.client(server)
        self.user_id, self.token = new_user(self.client, name)
        self.device = Device(self.user_id, device_id_of(self.client, self.token))
        assert_json_response(self.client.post(KEYS_UPLOAD, token=self.token,
                                              json_body={"device_keys": self.device.device_keys()}))

    def query(self, users: dict, **extra) -> dict:
        return assert_json_response(self.client.post(KEYS_QUERY, token=self.token,
                                                      json_body={"device_keys": users, **extra}))

    def claim(self, wanted: dict, **extra) -> dict:
        return assert_json_response(self.client.post(KEYS_CLAIM, token=self.token,
                                                     json_body={"one_time_keys": wanted, **extra}))


@pytest.fixture(scope="module")
def people(mesh):
    """Alice on hs1 and Bob on hs2, both joined to a room on hs1."""
    alice = Person(mesh, server_name(1), "alice")
    bob = Person(mesh, server_name(2), "bob")
    room_id = create_room(alice.client, alice.token, preset="public_chat")
    assert_json_response(bob.client.post(path("join", room_id, query={"via": alice.server}), token=bob.token,
                                         json_body={}))
    wait_for(lambda: bob.user_id in alice.client.get(path("rooms", room_id, "joined_members"), token=alice.token)
             .json().get("joined", {}), "Bob's join on hs1")
    yield alice, bob
    alice.client.close()
    bob.client.close()


@spec(USER_KEYS_QUERY)
def test_query_returns_remote_device_and_cross_signing_keys(people):
    alice, bob = people
    master = CrossSigningKey(bob.user_id, "master")
    self_signing = CrossSigningKey(bob.user_id, "self_signing")
    assert_json_response(bob.client.post(SIGNING_UPLOAD, token=bob.token, json_body={
        "master_key": master.json(), "self_signing_key": self_signing.json(signed_by=master)}))
    # Bob's self-signing key signs his device: hs1 must serve that signature too.
    signed_device = self_signing.sign(bob.device.device_keys())
    body = assert_json_response(bob.client.post(SIGNATURES_UPLOAD, token=bob.token,
                                                json_body={bob.user_id: {bob.device.device_id: signed_device}}))
    assert body["failures"] == {}
    result = alice.query({bob.user_id: []})
    assert result["failures"] == {}
    served = result["device_keys"][bob.user_id][bob.device.device_id]
    assert served["keys"] == bob.device.device_keys()["keys"]
    assert served["signatures"][bob.user_id][bob.device.key_id] == \
        bob.device.device_keys()["signatures"][bob.user_id][bob.device.key_id]
    assert self_signing.key_id in served["signatures"][bob.user_id]
    assert result["master_keys"][bob.user_id]["keys"] == master.json()["keys"]
    assert result["self_signing_keys"][bob.user_id]["keys"] == self_signing.json()["keys"]
    assert bob.user_id not in result["user_signing_keys"]
    # Asking for one device by ID, and for a user hs2 does not have.
    only = alice.query({bob.user_id: [bob.device.device_id, "NOSUCH"], f"@nobody:{bob.server}": []})
    assert list(only["device_keys"][bob.user_id]) == [bob.device.device_id]
    assert only["device_keys"].get(f"@nobody:{bob.server}", {}) == {}


@spec(USER_KEYS_CLAIM)
def test_claim_takes_remote_one_time_keys_then_the_fallback_key(people):
    alice, bob = people
    fallback = {key_id: dict(value, fallback=True)
                for key_id, value in bob.device.one_time_keys(1, start=50).items()}
    assert_json_response(bob.client.post(KEYS_UPLOAD, token=bob.token, json_body={
        "one_time_keys": bob.device.one_time_keys(1), "fallback_keys": fallback}))
    wanted = {bob.user_id: {bob.device.device_id: "signed_curve25519"}}
    first = alice.claim(wanted)
    assert first["failures"] == {}
    assert first["one_time_keys"][bob.user_id][bob.device.device_id] == bob.device.one_time_keys(1)
    for _ in range(2):
        assert alice.claim(wanted)["one_time_keys"][bob.user_id][bob.device.device_id] == fallback
    counts = sync(bob.client, bob.token)
    assert counts["device_one_time_keys_count"].get("signed_curve25519", 0) == 0


@spec(DEVICE_LIST_UPDATE)
def test_a_new_remote_device_reaches_device_lists_and_queries(mesh, people):
    alice, bob = people
    since = sync(alice.client, alice.token)["next_batch"]
    phone_token = login(bob.client, "bob")
    phone = Device(bob.user_id, device_id_of(bob.client, phone_token))
    assert_json_response(bob.client.post(KEYS_UPLOAD, token=phone_token,
                                         json_body={"device_keys": phone.device_keys()}))

    def changed():
        body = sync(alice.client, alice.token, since=since, timeout=1000)
        return bob.user_id in body.get("device_lists", {}).get("changed", [])

    wait_for(changed, "Bob in hs1's device_lists.changed")
    devices = alice.query({bob.user_id: []})["device_keys"][bob.user_id]
    assert set(devices) == {bob.device.device_id, phone.device_id}
    # The device logs out: hs1 hears of that too, and the device is gone from queries.
    since = sync(alice.client, alice.token)["next_batch"]
    assert_json_response(bob.client.post(path("logout"), token=phone_token, json_body={}))
    wait_for(changed, "Bob's logout in hs1's device_lists.changed")
    assert set(alice.query({bob.user_id: []})["device_keys"][bob.user_id]) == {bob.device.device_id}


@spec(PRESENCE)
def test_presence_set_on_hs2_reaches_hs1(people):
    alice, bob = people
    assert_json_response(bob.client.put(path("presence", bob.user_id, "status"), token=bob.token,
                                        json_body={"presence": "online", "status_msg": "on hs2"}))

    def seen():
        events = sync(alice.client, alice.token).get("presence", {}).get("events", [])
        return [e for e in events if e["sender"] == bob.user_id and e["content"].get("status_msg") == "on hs2"]

    event = wait_for(seen, "Bob's presence on hs1")[0]
    assert event["content"]["presence"] == "online"


@spec(SEND_TO_DEVICE)
def test_to_device_message_reaches_the_remote_device(people):
    alice, bob = people
    since = sync(bob.client, bob.token)["next_batch"]
    content = {"note": "from hs1", "n": 1}
    assert_json_response(alice.client.put(path("sendToDevice", "m.test.fed", txn()), token=alice.token,
                                          json_body={"messages": {bob.user_id: {bob.device.device_id: content}}}))

    def arrived():
        events = sync(bob.client, bob.token, since=since, timeout=1000).get("to_device", {}).get("events", [])
        return [e for e in events if e["type"] == "m.test.fed"]

    event = wait_for(arrived, "the to-device message on hs2")[0]
    assert event["sender"] == alice.user_id
    assert event["content"] == content


@spec(OPENID)
def test_openid_userinfo_answers_for_issued_tokens_only(mesh, people):
    _, bob = people
    token = assert_json_response(bob.client.post(path("user", bob.user_id, "openid", "request_token"),
                                                 token=bob.token, json_body={}))["access_token"]
    with mesh.servers[bob.server].federation() as federation:
        userinfo = "/_matrix/federation/v1/openid/userinfo?access_token="
        assert assert_json_response(federation.get(userinfo + token)) == {"sub": bob.user_id}
        assert_matrix_error(federation.get(userinfo + "not-a-token"), 401, "M_UNKNOWN_TOKEN")
        # The key endpoints want a signed request.
        unsigned = federation.post("/_matrix/federation/v1/user/keys/query",
                                   json_body={"device_keys": {bob.user_id: []}})
        assert_matrix_error(unsigned, 401, "M_UNAUTHORIZED")


@spec(USER_KEYS_QUERY)
def test_unreachable_servers_are_failures(people):
    alice, bob = people
    started = time.monotonic()
    result = alice.query({bob.user_id: [], "@ghost:unreachable.invalid": []}, timeout=3000)
    assert time.monotonic() - started < 10
    assert "unreachable.invalid" in result["failures"]
    assert bob.device.device_id in result["device_keys"][bob.user_id]
    claimed = alice.claim({"@ghost:unreachable.invalid": {"D": "signed_curve25519"}}, timeout=3000)
    assert "unreachable.invalid" in claimed["failures"]
    assert claimed["one_time_keys"] == {}

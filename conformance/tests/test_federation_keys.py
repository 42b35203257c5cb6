"""Devices, end-to-end keys, presence, to-device messages and OpenID over federation.

Between two Ranvier servers (tools/mesh, loopback relays): a user of hs1 and a user of hs2 share
a room; hs1's clients query and claim hs2's keys through hs2's /user/keys/query and
/user/keys/claim, hear of hs2's device changes through m.device_list_update, see hs2's presence
through m.presence, send to-device messages to hs2 through m.direct_to_device, and hs2 answers
/openid/userinfo.

Against a fake remote server (harness/federation.py), for what a Ranvier peer would not show:
the exact EDUs Ranvier sends, the endpoints' answers and errors to a signed request, inbound
device-list updates from the user's own server only, and forged keys in an answer dropped."""

import os
import subprocess
import time
from pathlib import Path

import pytest

nacl = pytest.importorskip("nacl.signing", reason="the key suites sign with PyNaCl (python3-nacl)")

from harness.checks import assert_json_response, assert_matrix_error, spec  # noqa: E402
from harness.e2e import KEYS_CLAIM, KEYS_QUERY, KEYS_UPLOAD, CrossSigningKey, Device, device_id_of  # noqa: E402
from harness.federation import CertificateAuthority, FakeHomeserver, federation_config  # noqa: E402
from harness.federation_events import join, quote, send_transaction  # noqa: E402
from harness.mesh import mesh_fixture, server_name, wait_for  # noqa: E402
from harness.server import RanvierServer  # noqa: E402
from harness.rooms import PASSWORD, create_room, login, new_user, path, sync, txn  # noqa: E402

USER_KEYS_QUERY = "server-server-api/#post_matrixfederationv1userkeysquery"
USER_KEYS_CLAIM = "server-server-api/#post_matrixfederationv1userkeysclaim"
DEVICE_LIST_UPDATE = "server-server-api/#device-management"
PRESENCE = "server-server-api/#presence"
SEND_TO_DEVICE = "server-server-api/#send-to-device-messaging"
OPENID = "server-server-api/#openid"
SIGNING_UPLOAD = path("keys", "device_signing", "upload")
SIGNATURES_UPLOAD = path("keys", "signatures", "upload")


mesh = mesh_fixture(2)


class Person:
    """A user on one server with one device whose keys are uploaded."""

    def __init__(self, client, name: str):
        self.client = client
        self.user_id, self.token = new_user(self.client, name)
        self.server = self.user_id.split(":", 1)[1]
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
    alice = Person(mesh.client(server_name(1)), "alice")
    bob = Person(mesh.client(server_name(2)), "bob")
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


NIO_SCRIPT = Path(__file__).resolve().parent.parent / "clients" / "nio_e2ee.py"


@spec("client-server-api/#end-to-end-encryption")
def test_encrypted_conversation_between_two_servers_with_matrix_nio(mesh, people):
    """Two matrix-nio clients, Alice on hs1 and Bob on hs2: the invite, both key queries and
    claims and the to-device messages with the Megolm sessions cross servers; each decrypts the
    other's message."""
    probe = subprocess.run(["/usr/bin/python3", "-c", "import nio, olm"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("needs Debian's python3-matrix-nio and python3-olm")
    hs1, hs2 = (mesh.servers[server_name(i)] for i in (1, 2))
    env = dict(os.environ, RANVIER_URL=f"http://{hs1.host}:{hs1.client_port}",
               RANVIER_URL_BOB=f"http://{hs2.host}:{hs2.client_port}", RANVIER_STEP_TIMEOUT_MS="30000")
    run = subprocess.run(["/usr/bin/python3", str(NIO_SCRIPT)], env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]


# --- against a fake remote server ------------------------------------------------------------

REMOTE = "remote.keys.test"
CAROL = f"@carol:{REMOTE}"
USER_DEVICES = "server-server-api/#get_matrixfederationv1userdevicesuserid"


class Remote(FakeHomeserver):
    """A fake server that accepts every transaction (kept in `received`)."""

    def _answer(self, method, target, body):
        path_only = target.split("?", 1)[0]
        if method == "PUT" and path_only.startswith("/_matrix/federation/v1/send/"):
            self.requests.append((method, path_only))
            return 200, {"pdus": {}}
        return super()._answer(method, target, body)

    def edus(self, edu_type: str) -> list:
        """The contents of every EDU of this type received so far, in order."""
        return [edu["content"] for request in list(self.received)
                if request.method == "PUT" and request.target.startswith("/_matrix/federation/v1/send/")
                for edu in (request.body or {}).get("edus", []) if edu.get("edu_type") == edu_type]


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    """Ranvier with Alice (device keys uploaded) in a room Carol of the fake server joined."""
    folder = tmp_path_factory.mktemp("federation_keys")
    ca = CertificateAuthority(folder / "ca")
    remote = Remote(REMOTE, ca).start()
    server = RanvierServer(folder / "ranvier", server_name="ranvier.keys.test")
    try:
        server.init()
        server.configure({"rate_limits": {"enabled": False}, **federation_config(ca, [remote])})
        server.start()
        client = server.client()
        alice = Person(client, "alice")
        room = create_room(client, alice.token, preset="public_chat", room_version="12")
        join(remote, server, room, CAROL)
        yield server, remote, alice
        client.close()
    finally:
        remote.stop()
        if server.alive():
            server.stop()
        server.cleanup()


def fed(*parts: str) -> str:
    return "/_matrix/federation/v1/" + "/".join(quote(p) for p in parts)


@spec(USER_DEVICES)
def test_user_devices_lists_keys_names_and_cross_signing_keys(single):
    server, remote, alice = single
    assert_json_response(alice.client.put(path("devices", alice.device.device_id), token=alice.token,
                                          json_body={"display_name": "Alice's laptop"}))
    master = CrossSigningKey(alice.user_id, "master")
    self_signing = CrossSigningKey(alice.user_id, "self_signing")
    assert_json_response(alice.client.post(SIGNING_UPLOAD, token=alice.token, json_body={
        "master_key": master.json(), "self_signing_key": self_signing.json(signed_by=master)}))
    body = assert_json_response(remote.request(server, "GET", fed("user", "devices", alice.user_id)))
    assert body["user_id"] == alice.user_id
    assert isinstance(body["stream_id"], int) and body["stream_id"] > 0
    (device,) = body["devices"]
    assert device["device_id"] == alice.device.device_id
    assert device["device_display_name"] == "Alice's laptop"
    assert device["keys"]["keys"] == alice.device.device_keys()["keys"]
    assert "unsigned" not in device["keys"]
    assert body["master_key"]["keys"] == master.json()["keys"]
    assert body["self_signing_key"]["keys"] == self_signing.json()["keys"]
    # Only this server's users; the request must be signed.
    assert_matrix_error(remote.request(server, "GET", fed("user", "devices", CAROL)), 400, "M_INVALID_PARAM")
    assert_matrix_error(remote.request(server, "GET", fed("user", "devices", "@nobody:ranvier.keys.test")), 404,
                        "M_NOT_FOUND")
    assert_matrix_error(remote.request(server, "GET", fed("user", "devices", alice.user_id), sign=False), 401,
                        "M_UNAUTHORIZED")


@spec(USER_KEYS_QUERY)
def test_user_keys_query_and_claim_answer_other_servers(single):
    server, remote, alice = single
    answer = assert_json_response(remote.request(server, "POST", fed("user", "keys", "query"),
                                                 {"device_keys": {alice.user_id: []}}))
    served = answer["device_keys"][alice.user_id][alice.device.device_id]
    assert served["signatures"][alice.user_id][alice.device.key_id] == \
        alice.device.device_keys()["signatures"][alice.user_id][alice.device.key_id]
    assert served["unsigned"] == {"device_display_name": "Alice's laptop"}
    assert alice.user_id in answer["master_keys"] and alice.user_id in answer["self_signing_keys"]
    assert "user_signing_keys" not in answer
    assert_matrix_error(remote.request(server, "POST", fed("user", "keys", "query"), {"device_keys": {CAROL: []}}),
                        400, "M_INVALID_PARAM")
    assert_json_response(alice.client.post(KEYS_UPLOAD, token=alice.token,
                                           json_body={"one_time_keys": alice.device.one_time_keys(1)}))
    wanted = {"one_time_keys": {alice.user_id: {alice.device.device_id: "signed_curve25519"}}}
    claimed = assert_json_response(remote.request(server, "POST", fed("user", "keys", "claim"), wanted))
    assert claimed["one_time_keys"] == {alice.user_id: {alice.device.device_id: alice.device.one_time_keys(1)}}
    again = assert_json_response(remote.request(server, "POST", fed("user", "keys", "claim"), wanted))
    assert again["one_time_keys"] == {}
    assert_matrix_error(remote.request(server, "POST", fed("user", "keys", "claim"),
                                       {"one_time_keys": {CAROL: {"D": "signed_curve25519"}}}), 400, "M_INVALID_PARAM")


@spec(DEVICE_LIST_UPDATE)
def test_device_changes_are_sent_as_a_chain_of_device_list_updates(single):
    server, remote, alice = single
    before = len(remote.edus("m.device_list_update"))
    phone_token = login(alice.client, "alice")
    phone = Device(alice.user_id, device_id_of(alice.client, phone_token))
    assert_json_response(alice.client.post(KEYS_UPLOAD, token=phone_token,
                                           json_body={"device_keys": phone.device_keys()}))
    assert_json_response(alice.client.put(path("devices", phone.device_id), token=alice.token,
                                          json_body={"display_name": "Alice's phone"}))
    assert_json_response(alice.client.post(path("logout"), token=phone_token, json_body={}))
    updates = wait_for(lambda: len(remote.edus("m.device_list_update")) >= before + 3 and
                       remote.edus("m.device_list_update")[before:], "three device-list updates at the fake server")
    uploaded, renamed, deleted = updates[:3]
    assert all(u["user_id"] == alice.user_id and u["device_id"] == phone.device_id
               for u in (uploaded, renamed, deleted))
    assert uploaded["keys"]["keys"] == phone.device_keys()["keys"] and not uploaded.get("deleted", False)
    assert renamed["device_display_name"] == "Alice's phone"
    assert deleted["deleted"] is True and "keys" not in deleted
    # Each update names the one before it.
    assert uploaded["stream_id"] < renamed["stream_id"] < deleted["stream_id"]
    assert renamed["prev_id"] == [uploaded["stream_id"]] and deleted["prev_id"] == [renamed["stream_id"]]


@spec("server-server-api/#mdevice_list_update")
def test_cross_signing_presence_and_to_device_go_out_as_edus(single):
    server, remote, alice = single
    master = CrossSigningKey(alice.user_id, "master")
    self_signing = CrossSigningKey(alice.user_id, "self_signing")
    assert_json_response(alice.client.post(SIGNING_UPLOAD, token=alice.token, json_body={
        "master_key": master.json(), "self_signing_key": self_signing.json(signed_by=master),
        "auth": {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": alice.user_id},
                 "password": PASSWORD}}))
    signing = wait_for(lambda: [u for u in remote.edus("m.signing_key_update")
                                if u.get("master_key", {}).get("keys") == master.json()["keys"]],
                       "m.signing_key_update with the new master key")[0]
    assert signing["user_id"] == alice.user_id
    assert signing["self_signing_key"]["keys"] == self_signing.json()["keys"]
    assert_json_response(alice.client.put(path("presence", alice.user_id, "status"), token=alice.token,
                                          json_body={"presence": "unavailable", "status_msg": "away"}))
    pushed = wait_for(lambda: [p for u in remote.edus("m.presence") for p in u["push"]
                               if p["user_id"] == alice.user_id and p.get("status_msg") == "away"],
                      "m.presence at the fake server")[0]
    assert pushed["presence"] == "unavailable" and isinstance(pushed["last_active_ago"], int)
    content = {"secret": "for Carol"}
    assert_json_response(alice.client.put(path("sendToDevice", "m.test.fed", txn()), token=alice.token,
                                          json_body={"messages": {CAROL: {"CAROLDEV": content},
                                                                  alice.user_id: {alice.device.device_id: {}}}}))
    sent = wait_for(lambda: remote.edus("m.direct_to_device"), "m.direct_to_device at the fake server")[0]
    assert sent["sender"] == alice.user_id and sent["type"] == "m.test.fed"
    assert sent["messages"] == {CAROL: {"CAROLDEV": content}}
    assert isinstance(sent["message_id"], str) and sent["message_id"]


@spec(DEVICE_LIST_UPDATE)
def test_inbound_device_list_updates_reach_room_mates_sync(single):
    server, remote, alice = single
    since = sync(alice.client, alice.token)["next_batch"]
    edus = [{"edu_type": "m.device_list_update",
             "content": {"user_id": CAROL, "device_id": "CAROLDEV", "stream_id": 1, "prev_id": []}},
            # A server speaks only for its own users.
            {"edu_type": "m.device_list_update",
             "content": {"user_id": "@eve:elsewhere.test", "device_id": "E", "stream_id": 1, "prev_id": []}}]
    assert_json_response(send_transaction(remote, server, txn(), [], edus))
    changed = sync(alice.client, alice.token, since=since)["device_lists"]["changed"]
    assert CAROL in changed and "@eve:elsewhere.test" not in changed
    since = sync(alice.client, alice.token)["next_batch"]
    signing = {"edu_type": "m.signing_key_update", "content": {"user_id": CAROL}}
    assert_json_response(send_transaction(remote, server, txn(), [], [signing]))
    assert CAROL in sync(alice.client, alice.token, since=since)["device_lists"]["changed"]


@spec(USER_KEYS_QUERY)
def test_forged_keys_in_a_remote_answer_are_dropped(single):
    server, remote, alice = single
    carol = Device(CAROL, "CAROLDEV")
    forged = Device(CAROL, "FORGED").device_keys()
    forged["keys"]["ed25519:FORGED"] = carol.public  # someone else's key, signature no longer matches
    mallory = Device("@mallory:ranvier.keys.test", "M")  # not a user of the answering server
    answer = {"device_keys": {CAROL: {"CAROLDEV": carol.device_keys(), "FORGED": forged,
                                      "MISFILED": carol.device_keys()},
                              mallory.user_id: {"M": mallory.device_keys()}}}
    remote.route("POST", "/_matrix/federation/v1/user/keys/query", lambda method, target, body: (200, answer))
    result = alice.query({CAROL: []})
    assert result["failures"] == {}
    assert list(result["device_keys"][CAROL]) == ["CAROLDEV"]
    assert "@mallory:ranvier.keys.test" not in result["device_keys"]
    asked = [r for r in remote.received if r.target == "/_matrix/federation/v1/user/keys/query"][-1]
    assert asked.body == {"device_keys": {CAROL: []}}
    # An error answer is a failure.
    remote.route("POST", "/_matrix/federation/v1/user/keys/query",
                 lambda method, target, body: (500, {"errcode": "M_UNKNOWN", "error": "down"}))
    assert alice.query({CAROL: []})["failures"][REMOTE]["status"] == 500

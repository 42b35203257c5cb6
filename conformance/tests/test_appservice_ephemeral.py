"""Ephemeral data for application services (application service API, "Pushing ephemeral data",
spec v1.13; docs/appservices.md): a service registered with `receive_ephemeral: true` gets
m.typing and m.receipt (with `room_id`) of the rooms it is interested in and m.presence of the
users it is interested in, in the `ephemeral` array of its transactions; a service without it
gets none. Two fake services in this process record what they are sent; one can be taken down
to check that the data waits and arrives in order, once."""

import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest

from harness.checks import assert_json_response, spec
from harness.rooms import create_room, path, send, user_fixture

SERVER_NAME = "localhost"
EPHEMERAL = "application-service-api/#pushing-ephemeral-data"


class FakeService:
    """Records (txn ID, body, status) of every transaction; answers 503 while `down`."""

    def __init__(self, hs_token):
        self.transactions = []
        self.down = False
        self.lock = threading.Condition()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                assert self.headers.get("Authorization") == f"Bearer {hs_token}"
                prefix = "/_matrix/app/v1/transactions/"
                assert self.path.startswith(prefix), self.path
                with fake.lock:
                    status = 503 if fake.down else 200
                    fake.transactions.append((unquote(self.path[len(prefix):]), body, status))
                    fake.lock.notify_all()
                payload = json.dumps({} if status == 200 else {"errcode": "M_UNKNOWN", "error": "down"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def accepted(self):
        with self.lock:
            return [(t, b) for t, b, status in self.transactions if status == 200]

    def edus(self):
        """Every ephemeral item of the accepted transactions, in the order sent."""
        return [e for _, b in self.accepted() for e in b.get("ephemeral", [])]

    def wait_for(self, predicate, what, timeout=15.0, since=0):
        """The first accepted ephemeral item `predicate` holds for (among the transactions
        recorded from index `since` on)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for _, body, status in self.transactions[since:]:
                    if status == 200:
                        for edu in body.get("ephemeral", []):
                            if predicate(edu):
                                return edu
                left = deadline - time.monotonic()
                assert left > 0, f"{what} never arrived: {self.transactions[-5:]}"
                self.lock.wait(left)

    def wait_for_event(self, event_id, timeout=15.0):
        deadline = time.monotonic() + timeout
        with self.lock:
            while not any(s == 200 and any(e.get("event_id") == event_id for e in b["events"])
                          for _, b, s in self.transactions):
                left = deadline - time.monotonic()
                assert left > 0, f"{event_id} never arrived"
                self.lock.wait(left)


EPH = FakeService("hs-eph")
PLAIN = FakeService("hs-plain")
_folder = Path(tempfile.mkdtemp(prefix="ranvier-appservice-ephemeral-"))


def _registration(name, text):
    file = _folder / name
    file.write_text(text)
    return str(file)


CONFIG_OVERRIDES = {
    "app_services": [
        _registration("eph.yaml", f"""
id: eph
url: "{EPH.url}"
as_token: as-eph
hs_token: hs-eph
sender_localpart: ephbot
rate_limited: false
receive_ephemeral: true
namespaces:
  users: [{{exclusive: true, regex: "@eph_.*"}}]
"""),
        _registration("plain.yaml", f"""
id: plain
url: "{PLAIN.url}"
as_token: as-plain
hs_token: hs-plain
sender_localpart: plainbot
rate_limited: false
namespaces:
  users: [{{exclusive: true, regex: "@plain_.*"}}]
"""),
    ],
}

alice = user_fixture("alice")


@pytest.fixture(scope="module", autouse=True)
def fakes(server):
    yield
    for fake in (EPH, PLAIN):
        fake.http.shutdown()
        fake.http.server_close()


def service_user(client, token, localpart):
    body = assert_json_response(client.post(path("register"), token=token, json_body={
        "type": "m.login.application_service", "username": localpart}))
    return body["user_id"]


@pytest.fixture(scope="module")
def rooms(server, alice):
    """A public room with alice and a user of each service, and a room of alice's alone."""
    _, alice_token = alice
    with server.client() as client:
        bridged = create_room(client, alice_token, preset="public_chat")
        for token, localpart in (("as-eph", "eph_bob"), ("as-plain", "plain_bob")):
            user = service_user(client, token, localpart)
            assert_json_response(client.post(path("join", bridged) + "?user_id=" + user, token=token,
                                             json_body={}))
        lonely = create_room(client, alice_token)
    return bridged, lonely


def typing(client, token, user_id, room_id, on):
    assert_json_response(client.put(path("rooms", room_id, "typing", user_id), token=token,
                                    json_body={"typing": on, "timeout": 30000} if on else {"typing": False}))


def is_typing(room_id, users):
    return lambda e: e["type"] == "m.typing" and e.get("room_id") == room_id and e["content"]["user_ids"] == users


@spec(EPHEMERAL)
def test_typing_receipts_and_presence_arrive(client, alice, rooms):
    alice_id, alice_token = alice
    bridged, _ = rooms
    typing(client, alice_token, alice_id, bridged, True)
    EPH.wait_for(is_typing(bridged, [alice_id]), "alice typing")
    event = send(client, alice_token, bridged, {"msgtype": "m.text", "body": "read me"})
    assert_json_response(client.post(path("rooms", bridged, "receipt", "m.read", event), token=alice_token,
                                     json_body={}))
    receipt = EPH.wait_for(lambda e: e["type"] == "m.receipt" and event in e["content"], "the receipt")
    assert receipt["room_id"] == bridged
    assert alice_id in receipt["content"][event]["m.read"]
    assert_json_response(client.put(path("presence", alice_id, "status"), token=alice_token,
                                    json_body={"presence": "online", "status_msg": "bridging"}))
    presence = EPH.wait_for(lambda e: e["type"] == "m.presence" and e["sender"] == alice_id
                            and e["content"].get("status_msg") == "bridging", "alice's presence")
    assert presence["content"]["presence"] == "online"
    assert isinstance(presence["content"]["last_active_ago"], int)
    assert "room_id" not in presence
    typing(client, alice_token, alice_id, bridged, False)
    EPH.wait_for(is_typing(bridged, []), "alice stopped typing")


@spec(EPHEMERAL)
def test_rooms_the_service_is_not_in_are_not_sent(client, alice, rooms):
    alice_id, alice_token = alice
    bridged, lonely = rooms
    with EPH.lock:
        before = len(EPH.transactions)
    typing(client, alice_token, alice_id, lonely, True)
    typing(client, alice_token, alice_id, bridged, True)  # after the other: a marker
    EPH.wait_for(is_typing(bridged, [alice_id]), "the marker", since=before)
    assert not [e for e in EPH.edus() if e.get("room_id") == lonely]
    with EPH.lock:
        before = len(EPH.transactions)
    typing(client, alice_token, alice_id, lonely, False)
    typing(client, alice_token, alice_id, bridged, False)
    EPH.wait_for(is_typing(bridged, []), "the marker's end", since=before)


@spec(EPHEMERAL)
def test_no_ephemeral_without_receive_ephemeral(client, alice, rooms):
    alice_id, alice_token = alice
    bridged, _ = rooms
    typing(client, alice_token, alice_id, bridged, True)
    event = send(client, alice_token, bridged, {"msgtype": "m.text", "body": "for both"})
    assert_json_response(client.post(path("rooms", bridged, "receipt", "m.read", event), token=alice_token,
                                     json_body={}))
    EPH.wait_for(lambda e: e["type"] == "m.receipt" and event in e["content"], "the receipt")
    PLAIN.wait_for_event(event)
    with EPH.lock:
        before = len(EPH.transactions)
    typing(client, alice_token, alice_id, bridged, False)
    EPH.wait_for(is_typing(bridged, []), "the end of typing", since=before)
    assert PLAIN.accepted()
    assert not [b for _, b in PLAIN.accepted() if "ephemeral" in b]


@spec(EPHEMERAL)
def test_ephemeral_data_waits_for_a_service_that_was_down(client, alice, rooms):
    alice_id, alice_token = alice
    bridged, _ = rooms
    with EPH.lock:
        EPH.down = True
        before = len(EPH.transactions)
    typing(client, alice_token, alice_id, bridged, True)
    deadline = time.monotonic() + 15
    with EPH.lock:
        # Refused at least once (typing is a state: had it stopped before the worker looked,
        # the service would only ever hear that nobody types).
        while not any(s != 200 and any(is_typing(bridged, [alice_id])(e) for e in b.get("ephemeral", []))
                      for _, b, s in EPH.transactions[before:]):
            left = deadline - time.monotonic()
            assert left > 0
            EPH.lock.wait(left)
    event = send(client, alice_token, bridged, {"msgtype": "m.text", "body": "during the outage"})
    assert_json_response(client.post(path("rooms", bridged, "receipt", "m.read", event), token=alice_token,
                                     json_body={}))
    typing(client, alice_token, alice_id, bridged, False)
    with EPH.lock:
        EPH.down = False
    EPH.wait_for(is_typing(bridged, []), "the end of typing", timeout=30, since=before)
    with EPH.lock:
        after = EPH.transactions[before:]
    accepted = [(t, b) for t, b, s in after if s == 200]
    ids = [int(t) for t, _ in accepted]
    assert ids == sorted(ids) and len(ids) == len(set(ids)), after
    # Every refused transaction was accepted later under its own ID, with the same body.
    refused = {t: b for t, b, s in after if s != 200}
    for txn_id, body in refused.items():
        assert (txn_id, body) in accepted
    edus = [e for _, b in accepted for e in b.get("ephemeral", []) if e.get("room_id") == bridged]

    def first(predicate):
        found = [i for i, e in enumerate(edus) if predicate(e)]
        assert found, after
        return found[0]

    started = first(is_typing(bridged, [alice_id]))
    read = first(lambda e: e["type"] == "m.receipt" and event in e["content"])
    stopped = first(is_typing(bridged, []))
    assert started < read < stopped
    assert len([e for e in edus if e["type"] == "m.receipt" and event in e["content"]]) == 1

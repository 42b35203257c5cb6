"""Delivery to an HTTP push gateway (push gateway API, `POST /_matrix/push/v1/notify`): a
message notifies the other members' http pushers with the event, counts, device data and
tweaks; a gateway that fails is retried with back-off; pushkeys the gateway rejects lose their
pusher. The gateway is a small Python HTTP server on the loopback interface."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.checks import assert_json_response, spec
from harness.rooms import path, public_room, send, text, user_fixture

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
NOTIFY = "push-gateway-api/#post_matrixpushv1notify"

alice = user_fixture("alice")
bob = user_fixture("bob")
carol = user_fixture("carol")


class Gateway:
    """Records notify requests; `answers` (status, body) are used in order, then 200."""

    def __init__(self):
        self.requests = []
        self.answers = []
        self.lock = threading.Condition()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with gateway.lock:
                    gateway.requests.append((self.path, body))
                    status, answer = gateway.answers.pop(0) if gateway.answers else (200, {"rejected": []})
                    gateway.lock.notify_all()
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/_matrix/push/v1/notify"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=15.0):
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"gateway got {len(self.requests)} of {count} requests: {self.requests}"
                self.lock.wait(left)
            return list(self.requests)


@pytest.fixture
def gateway():
    g = Gateway()
    yield g
    g.server.shutdown()
    g.server.server_close()


def remove_pusher(client, token, pushkey):
    assert_json_response(client.post(path("pushers", "set"), token=token, json_body={
        "kind": None, "app_id": "org.example.push", "pushkey": pushkey}))


def set_pusher(client, token, url, pushkey, **data):
    assert_json_response(client.post(path("pushers", "set"), token=token, json_body={
        "kind": "http", "app_id": "org.example.push", "app_display_name": "Push", "device_display_name": "Phone",
        "pushkey": pushkey, "lang": "en", "data": {"url": url, **data}}))


@spec(NOTIFY)
def test_messages_reach_the_gateway(client, alice, bob, carol, gateway):
    alice_id, token = alice
    _, bob_token = bob
    _, carol_token = carol
    room = public_room(client, token, bob_token, carol_token, name="Gateway room")
    set_pusher(client, bob_token, gateway.url, "bob-key", extra="kept")
    event = send(client, token, room, {"msgtype": "m.text", "body": "ping", "m.mentions": {"user_ids": [bob[0]]}})
    (target, body), = gateway.wait_for(1)
    assert target == "/_matrix/push/v1/notify"
    n = body["notification"]
    assert n["event_id"] == event and n["room_id"] == room
    assert n["type"] == "m.room.message" and n["sender"] == alice_id
    assert n["content"]["body"] == "ping"
    assert n["room_name"] == "Gateway room" and n["sender_display_name"] == "alice"
    assert n["prio"] == "high"
    assert n["counts"]["unread"] == 1
    device = n["devices"][0]
    assert device["app_id"] == "org.example.push" and device["pushkey"] == "bob-key"
    assert device["data"] == {"extra": "kept"}
    assert device["tweaks"].get("highlight") is True
    assert isinstance(device["pushkey_ts"], int)
    # The sender's own messages and members without pushers send nothing more.
    time.sleep(1.0)
    assert len(gateway.requests) == 1
    remove_pusher(client, bob_token, "bob-key")


@spec(NOTIFY)
def test_event_id_only_format(client, alice, bob, carol, gateway):
    _, token = alice
    _, bob_token = bob
    _, carol_token = carol
    room = public_room(client, token, bob_token, carol_token)
    set_pusher(client, carol_token, gateway.url, "carol-key", format="event_id_only")
    event = text(client, token, room, "quiet details")
    (_, body), = gateway.wait_for(1)
    n = body["notification"]
    assert n["event_id"] == event and "content" not in n and "sender" not in n
    assert n["devices"][0]["data"] == {"format": "event_id_only"}
    remove_pusher(client, carol_token, "carol-key")


@spec(NOTIFY)
def test_failed_deliveries_are_retried_and_rejected_pushkeys_removed(client, alice, bob, carol, gateway):
    _, token = alice
    _, bob_token = bob
    _, carol_token = carol
    room = public_room(client, token, bob_token, carol_token)
    set_pusher(client, carol_token, gateway.url, "flaky-key")
    gateway.answers = [(500, {}), (200, {"rejected": ["flaky-key"]})]
    event = text(client, token, room, "try again")
    started = time.monotonic()
    requests = gateway.wait_for(2)
    # The second attempt waited for the back-off.
    assert time.monotonic() - started >= 0.9
    assert [b["notification"]["event_id"] for _, b in requests] == [event, event]
    # The gateway rejected the pushkey: the pusher is gone and nothing more is sent.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pushers = assert_json_response(client.get(path("pushers"), token=carol_token))["pushers"]
        if not pushers:
            break
        time.sleep(0.1)
    assert pushers == []
    text(client, token, room, "after rejection")
    time.sleep(1.0)
    assert len(gateway.requests) == 2

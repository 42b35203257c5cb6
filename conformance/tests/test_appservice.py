"""The homeserver side of the application service API (docs/appservices.md), against a fake
application service: a small Python HTTP server in this process that records the transactions
it is sent and answers user and alias queries. Its registration files (one with a URL, one with
`url: null`, one pointing at a closed port) go into the config's `app_services`."""

import json
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import PASSWORD, create_room, path, send, txn, user_fixture
from harness.server import serve_once

AS_TOKEN = "as-token-bridge"
HS_TOKEN = "hs-token-bridge"
SERVER_NAME = "localhost"

REGISTRATION = "application-service-api/#registration"
IDENTITY_ASSERTION = "application-service-api/#identity-assertion"
SERVER_ADMIN = "application-service-api/#server-admin-style-permissions"
PUSHING = "application-service-api/#pushing-events"
QUERYING = "application-service-api/#querying"
PING = "client-server-api/#post_matrixclientv1appserviceappserviceidping"
AS_DIRECTORY = "application-service-api/#put_matrixclientv3directorylistappservicenetworkidroomid"
APPSERVICE_LOGIN = "client-server-api/#appservice-login"


class FakeAppservice:
    """Records transactions (txn ID, body, status answered) and queries; the first transaction
    with a message whose body is `fail_once_body` is answered 500, everything else 200."""

    def __init__(self):
        self.transactions = []
        self.queries = []
        self.pings = []
        self.fail_once_body = None
        self.unauthorized = 0
        self.server_client = None  # set once Ranvier runs: the fake creates rooms through it
        self.lock = threading.Condition()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, status, body):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def authorized(self):
                if self.headers.get("Authorization") != f"Bearer {HS_TOKEN}":
                    with fake.lock:
                        fake.unauthorized += 1
                    self.answer(403, {"errcode": "M_FORBIDDEN", "error": "bad hs_token"})
                    return False
                return True

            def do_PUT(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not self.authorized():
                    return
                prefix = "/_matrix/app/v1/transactions/"
                assert self.path.startswith(prefix), self.path
                with fake.lock:
                    status = 200
                    bodies = [e.get("content", {}).get("body") for e in body["events"]]
                    if fake.fail_once_body is not None and fake.fail_once_body in bodies:
                        fake.fail_once_body = None
                        status = 500
                    fake.transactions.append((unquote(self.path[len(prefix):]), body, status))
                    fake.lock.notify_all()
                self.answer(status, {} if status == 200 else {"errcode": "M_UNKNOWN", "error": "try later"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0")) or b"{}"))
                if not self.authorized():
                    return
                assert self.path == "/_matrix/app/v1/ping", self.path
                with fake.lock:
                    fake.pings.append(body)
                self.answer(200, {})

            def do_GET(self):
                if not self.authorized():
                    return
                with fake.lock:
                    fake.queries.append(unquote(self.path))
                if self.path.startswith("/_matrix/app/v1/rooms/"):
                    alias = unquote(self.path[len("/_matrix/app/v1/rooms/"):])
                    if alias.startswith("#bridge_ondemand"):
                        # The service creates the room with its own token, then says yes.
                        local = alias[1:].split(":")[0]
                        with fake.server_client() as c:
                            create_room(c, AS_TOKEN, room_alias_name=local, preset="public_chat")
                        self.answer(200, {})
                        return
                if self.path.startswith("/_matrix/app/v1/users/"):
                    user = unquote(self.path[len("/_matrix/app/v1/users/"):])
                    if user.startswith("@bridge_ondemand"):
                        # The service registers the user, then says yes.
                        with fake.server_client() as c:
                            as_user(c, user[1:].split(":")[0])
                        self.answer(200, {})
                        return
                if self.path.startswith("/_matrix/app/v1/thirdparty/protocol/gitter"):
                    self.answer(200, {"user_fields": ["username"], "location_fields": ["room"], "icon": "mxc://x/y",
                                      "field_types": {}, "instances": [{"desc": "Gitter", "fields": {},
                                                                        "network_id": "gitter"}]})
                    return
                if self.path.startswith("/_matrix/app/v1/thirdparty/location/gitter"):
                    self.answer(200, [{"alias": f"#bridge_gitter:{SERVER_NAME}", "protocol": "gitter",
                                       "fields": {"room": self.path.split("room=")[-1]}}])
                    return
                self.answer(404, {"errcode": "M_NOT_FOUND", "error": "no"})

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def wait_for_event(self, event_id, timeout=15.0):
        """The transaction that carried `event_id` (its ID and body)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for txn_id, body, status in self.transactions:
                    if status == 200 and any(e.get("event_id") == event_id for e in body["events"]):
                        return txn_id, body
                left = deadline - time.monotonic()
                assert left > 0, f"{event_id} never reached the service: {self.transactions}"
                self.lock.wait(left)


class LegacyAppservice:
    """A service of the time before /_matrix/app/v1: it knows `/transactions/{txnId}` only (404
    without a Matrix errcode elsewhere) and reads the token from `?access_token=`."""

    def __init__(self):
        self.transactions = []
        self.lock = threading.Condition()
        legacy = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not self.path.startswith("/transactions/"):
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with legacy.lock:
                    legacy.transactions.append((self.path, body))
                    legacy.lock.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


FAKE = FakeAppservice()
LEGACY = LegacyAppservice()
_folder = Path(tempfile.mkdtemp(prefix="ranvier-appservice-"))


def _registration(name, text):
    file = _folder / name
    file.write_text(text)
    return str(file)


CONFIG_OVERRIDES = {
    # Only registration is limited here (6 at once, then one every two seconds).
    "rate_limits": {"enabled": True, "per_second": 1000, "burst": 1000,
                    "endpoints": {"register": {"per_second": 0.5, "burst": 6}}},
    "app_services": [
        _registration("bridge.yaml", f"""
id: bridge
url: "{FAKE.url}"
as_token: {AS_TOKEN}
hs_token: {HS_TOKEN}
sender_localpart: bridgebot
rate_limited: false
receive_ephemeral: true
protocols: [gitter]
namespaces:
  users:
    - exclusive: true
      regex: "@bridge_.*"
  aliases:
    - exclusive: true
      regex: "#bridge_.*"
  rooms: []
"""),
        _registration("nourl.yaml", """
id: nourl
url: null
as_token: as-token-nourl
hs_token: hs-token-nourl
sender_localpart: nourlbot
namespaces:
  users:
    - exclusive: false
      regex: "@shared_.*"
"""),
        _registration("legacy.yaml", f"""
id: legacy
url: "{LEGACY.url}"
as_token: as-token-legacy
hs_token: hs-token-legacy
sender_localpart: legacybot
rate_limited: false
namespaces:
  users:
    - exclusive: true
      regex: "@legacy_.*"
"""),
        _registration("gone.yaml", f"""
id: gone
url: "http://127.0.0.1:{closed_port()}"
as_token: as-token-gone
hs_token: hs-token-gone
sender_localpart: gonebot
"""),
    ],
}

alice = user_fixture("alice")


@pytest.fixture(scope="module", autouse=True)
def fake_as(server, alice):
    # `alice` first: her registration must not meet the registration rate limit tested below.
    FAKE.server_client = server.client
    yield FAKE
    for fake in (FAKE, LEGACY):
        fake.http.shutdown()
        fake.http.server_close()


def as_register(client, username, token=AS_TOKEN, **extra):
    return client.post(path("register"), token=token,
                       json_body={"type": "m.login.application_service", "username": username, **extra})


def as_user(client, localpart):
    """Registers `@localpart` through the service; returns its user ID."""
    body = assert_json_response(as_register(client, localpart))
    assert body["user_id"] == f"@{localpart}:{SERVER_NAME}"
    return body["user_id"]


@spec(SERVER_ADMIN)
def test_register_users_with_the_as_token(client):
    body = assert_json_response(as_register(client, "bridge_alice"))
    assert body["user_id"] == f"@bridge_alice:{SERVER_NAME}"
    assert isinstance(body["access_token"], str)
    inhibited = assert_json_response(as_register(client, "bridge_quiet", inhibit_login=True))
    assert "access_token" not in inhibited
    assert_matrix_error(as_register(client, "bridge_alice"), 400, "M_USER_IN_USE")
    # A name outside the namespace, an unknown token, no token.
    assert_matrix_error(as_register(client, "carol"), 400, "M_EXCLUSIVE")
    assert_matrix_error(as_register(client, "bridge_x", token="not-a-token"), 401, "M_UNKNOWN_TOKEN")
    assert_matrix_error(client.post(path("register"), json_body={
        "type": "m.login.application_service", "username": "bridge_y"}), 401, "M_MISSING_TOKEN")


@spec(SERVER_ADMIN)
def test_exclusive_namespace_refuses_ordinary_registration(client):
    response = client.post(path("register"), json_body={
        "username": "bridge_squatter", "password": PASSWORD, "auth": {"type": "m.login.dummy"}})
    assert_matrix_error(response, 400, "M_EXCLUSIVE")
    assert_matrix_error(client.get(path("register", "available", query={"username": "bridge_other"})),
                        400, "M_EXCLUSIVE")
    # The sender's own name is the service's too.
    assert_matrix_error(client.get(path("register", "available", query={"username": "bridgebot"})),
                        400, "M_EXCLUSIVE")
    # A non-exclusive namespace leaves names free for everyone.
    assert assert_json_response(client.get(path("register", "available",
                                                query={"username": "shared_zed"})))["available"]


@spec(IDENTITY_ASSERTION)
def test_as_token_acts_as_sender_or_asserted_user(client, alice):
    user = as_user(client, "bridge_bob")
    whoami = assert_json_response(client.get(path("account", "whoami"), token=AS_TOKEN))
    assert whoami["user_id"] == f"@bridgebot:{SERVER_NAME}"
    whoami = assert_json_response(client.get(path("account", "whoami") + "?user_id=" + user, token=AS_TOKEN))
    assert whoami["user_id"] == user
    # Outside the namespace, and in the namespace but never registered.
    assert_matrix_error(client.get(path("account", "whoami") + "?user_id=" + alice[0], token=AS_TOKEN),
                        403, "M_FORBIDDEN")
    assert_matrix_error(client.get(path("account", "whoami") + f"?user_id=@bridge_nobody:{SERVER_NAME}",
                                   token=AS_TOKEN), 403, "M_FORBIDDEN")
    # Masquerading users can act: create a room and send with transaction IDs.
    room = create_room(client, AS_TOKEN)
    invite = client.post(path("rooms", room, "invite"), token=AS_TOKEN, json_body={"user_id": user})
    assert_json_response(invite)
    joined = client.post(path("join", room) + "?user_id=" + user, token=AS_TOKEN, json_body={})
    assert_json_response(joined)
    sent_path = path("rooms", room, "send", "m.room.message", txn()) + "?user_id=" + user
    first = assert_json_response(client.put(sent_path, token=AS_TOKEN, json_body={"msgtype": "m.text", "body": "hi"}))
    again = assert_json_response(client.put(sent_path, token=AS_TOKEN, json_body={"msgtype": "m.text", "body": "hi"}))
    assert first["event_id"] == again["event_id"]
    # Device masquerading: the named device of the user.
    whoami = assert_json_response(client.get(path("account", "whoami") + f"?user_id={user}&device_id=BRIDGEDEV",
                                             token=AS_TOKEN))
    assert whoami["user_id"] == user and whoami["device_id"] == "BRIDGEDEV"


@spec("client-server-api/#post_matrixclientv3accountdeactivate")
def test_service_deactivates_its_users_without_uia(client):
    user = as_user(client, "bridge_leaving")
    deactivate = path("account", "deactivate") + "?user_id=" + user
    assert_json_response(client.post(deactivate, token=AS_TOKEN, json_body={}))
    assert_matrix_error(client.get(path("account", "whoami") + "?user_id=" + user, token=AS_TOKEN),
                        403, "M_FORBIDDEN")


@spec(REGISTRATION)
def test_rate_limited_false_is_not_limited(client, alice):
    # The suite's limit is 6 at once then one every two seconds; the service's token is exempt.
    for _ in range(12):
        as_user(client, f"bridge_many{txn()}")
    limited = [client.post(path("register"), json_body={"username": f"plain{txn()}", "password": PASSWORD,
                                                          "auth": {"type": "m.login.dummy"}}).status
               for _ in range(10)]
    assert 429 in limited, limited


@spec(APPSERVICE_LOGIN)
def test_login_with_the_as_token(client):
    user = as_user(client, "bridge_login")
    flows = assert_json_response(client.get(path("login")))["flows"]
    assert {"type": "m.login.application_service"} in flows
    body = assert_json_response(client.post(path("login"), token=AS_TOKEN, json_body={
        "type": "m.login.application_service", "identifier": {"type": "m.id.user", "user": user}}))
    assert body["user_id"] == user
    assert_matrix_error(client.post(path("login"), token=AS_TOKEN, json_body={
        "type": "m.login.application_service", "identifier": {"type": "m.id.user", "user": "alice"}}),
        403, "M_FORBIDDEN")


@spec(PUSHING)
def test_events_of_rooms_with_service_users_arrive_as_transactions(client, alice, fake_as):
    alice_id, alice_token = alice
    user = as_user(client, "bridge_carol")
    room = create_room(client, alice_token, preset="public_chat")
    joined = client.post(path("join", room) + "?user_id=" + user, token=AS_TOKEN, json_body={})
    assert_json_response(joined)
    first = send(client, alice_token, room, {"msgtype": "m.text", "body": "one"})
    second = send(client, alice_token, room, {"msgtype": "m.text", "body": "two"})
    first_txn, body = fake_as.wait_for_event(first)
    second_txn, _ = fake_as.wait_for_event(second)
    event = next(e for e in body["events"] if e["event_id"] == first)
    assert event["room_id"] == room and event["sender"] == alice_id
    assert event["type"] == "m.room.message" and event["content"] == {"msgtype": "m.text", "body": "one"}
    assert "origin_server_ts" in event and "auth_events" not in event  # client format
    assert int(second_txn) >= int(first_txn)
    # The transactions carry IDs that only grow, and no event twice.
    seen = [e["event_id"] for _, b, status in fake_as.transactions if status == 200 for e in b["events"]]
    assert len(seen) == len(set(seen))
    ids = [int(t) for t, _, _ in fake_as.transactions]
    assert ids == sorted(ids)
    assert fake_as.unauthorized == 0


@spec("application-service-api/#pushing-edus")
def test_receipts_arrive_as_ephemeral_data(client, alice, fake_as):
    alice_id, alice_token = alice
    user = as_user(client, "bridge_reader")
    room = create_room(client, alice_token, preset="public_chat")
    assert_json_response(client.post(path("join", room) + "?user_id=" + user, token=AS_TOKEN, json_body={}))
    event = send(client, alice_token, room, {"msgtype": "m.text", "body": "read this"})
    assert_json_response(client.post(path("rooms", room, "receipt", "m.read", event), token=alice_token,
                                     json_body={}))
    deadline = time.monotonic() + 15
    with fake_as.lock:
        while True:
            edus = [e for _, b, s in fake_as.transactions if s == 200 for e in b.get("ephemeral", [])
                    if e["type"] == "m.receipt" and e["room_id"] == room]
            if edus:
                break
            left = deadline - time.monotonic()
            assert left > 0, fake_as.transactions[-3:]
            fake_as.lock.wait(left)
    assert alice_id in edus[0]["content"][event]["m.read"]
    assert isinstance(edus[0]["content"][event]["m.read"][alice_id]["ts"], int)


@spec(PUSHING)
def test_rooms_without_service_users_are_not_sent(client, alice, fake_as):
    _, alice_token = alice
    room = create_room(client, alice_token)
    private = send(client, alice_token, room, {"msgtype": "m.text", "body": "not for bridges"})
    marker_room = create_room(client, AS_TOKEN)
    marker = send(client, AS_TOKEN, marker_room, {"msgtype": "m.text", "body": "marker"})
    fake_as.wait_for_event(marker)
    sent = [e["event_id"] for _, b, _ in fake_as.transactions for e in b["events"]]
    assert private not in sent


@spec(PUSHING)
def test_failed_transaction_is_retried_with_the_same_id(client, fake_as):
    room = create_room(client, AS_TOKEN)
    with fake_as.lock:
        fake_as.fail_once_body = "retry me"
        before = len(fake_as.transactions)
    event = send(client, AS_TOKEN, room, {"msgtype": "m.text", "body": "retry me"})
    txn_id, _ = fake_as.wait_for_event(event)
    attempts = [(t, status) for t, b, status in fake_as.transactions[before:]
                if any(e["event_id"] == event for e in b["events"])]
    assert attempts == [(txn_id, 500), (txn_id, 200)], attempts


@spec("application-service-api/#legacy-routes")
def test_legacy_service_gets_transactions_on_the_legacy_route(client):
    room = create_room(client, "as-token-legacy")
    event = send(client, "as-token-legacy", room, {"msgtype": "m.text", "body": "old school"})
    deadline = time.monotonic() + 15
    with LEGACY.lock:
        while not any(e["event_id"] == event for _, b in LEGACY.transactions for e in b["events"]):
            left = deadline - time.monotonic()
            assert left > 0, LEGACY.transactions
            LEGACY.lock.wait(left)
        target = next(p for p, b in LEGACY.transactions if any(e["event_id"] == event for e in b["events"]))
    assert target.split("?")[0].startswith("/transactions/")
    assert "access_token=hs-token-legacy" in target


@spec(QUERYING)
def test_unknown_alias_is_asked_of_the_service(client, alice, fake_as):
    _, alice_token = alice
    alias = f"#bridge_ondemand1:{SERVER_NAME}"
    body = assert_json_response(client.get(path("directory", "room", alias), token=alice_token))
    assert body["room_id"].startswith("!")
    assert f"/_matrix/app/v1/rooms/{alias}" in fake_as.queries
    # The room exists now: asking again needs no query.
    count = len(fake_as.queries)
    assert assert_json_response(client.get(path("directory", "room", alias), token=alice_token)) == body
    assert len(fake_as.queries) == count
    # The service says no: 404, as for any unknown alias.
    assert_matrix_error(client.get(path("directory", "room", f"#bridge_nothing:{SERVER_NAME}"), token=alice_token),
                        404, "M_NOT_FOUND")
    assert f"/_matrix/app/v1/rooms/#bridge_nothing:{SERVER_NAME}" in fake_as.queries
    # Joining by an alias nobody created yet asks the same way.
    joined = assert_json_response(client.post(path("join", f"#bridge_ondemand2:{SERVER_NAME}"), token=alice_token,
                                              json_body={}))
    assert joined["room_id"].startswith("!") and joined["room_id"] != body["room_id"]
    # Aliases in an exclusive namespace are the service's to create.
    room = create_room(client, alice_token)
    assert_matrix_error(client.put(path("directory", "room", f"#bridge_mine:{SERVER_NAME}"), token=alice_token,
                                   json_body={"room_id": room}), 400, "M_EXCLUSIVE")
    assert_matrix_error(client.post(path("createRoom"), token=alice_token, json_body={"room_alias_name": "bridge_x"}),
                        400, "M_EXCLUSIVE")


@spec(QUERYING)
def test_unknown_user_is_asked_of_the_service(client, alice, fake_as):
    _, alice_token = alice
    user = f"@bridge_ondemand_user:{SERVER_NAME}"
    profile = assert_json_response(client.get(path("profile", user), token=alice_token))
    assert profile.get("displayname") == "bridge_ondemand_user"
    assert f"/_matrix/app/v1/users/{user}" in fake_as.queries
    assert_matrix_error(client.get(path("profile", f"@bridge_nobody_here:{SERVER_NAME}"), token=alice_token),
                        404, "M_NOT_FOUND")
    # Users outside every namespace are not asked about.
    count = len(fake_as.queries)
    assert_matrix_error(client.get(path("profile", f"@nobody:{SERVER_NAME}"), token=alice_token), 404, "M_NOT_FOUND")
    assert len(fake_as.queries) == count


@spec("client-server-api/#third-party-networks")
def test_third_party_lookups_ask_the_bridge(client, alice):
    _, alice_token = alice
    protocols = assert_json_response(client.get(path("thirdparty", "protocols"), token=alice_token))
    assert list(protocols) == ["gitter"]
    assert protocols["gitter"]["instances"][0]["network_id"] == "gitter"
    one = assert_json_response(client.get(path("thirdparty", "protocol", "gitter"), token=alice_token))
    assert one["location_fields"] == ["room"]
    assert_matrix_error(client.get(path("thirdparty", "protocol", "irc"), token=alice_token), 404, "M_NOT_FOUND")
    locations = client.get(path("thirdparty", "location", "gitter", query={"room": "matrix"}), token=alice_token)
    body = json.loads(locations.body)
    assert locations.status == 200 and body[0]["fields"]["room"] == "matrix", locations
    assert_matrix_error(client.get(path("thirdparty", "user", "irc"), token=alice_token), 404, "M_NOT_FOUND")


@spec(PING)
def test_ping(client, fake_as):
    ping_path = "/_matrix/client/v1/appservice/bridge/ping"
    body = assert_json_response(client.post(ping_path, token=AS_TOKEN, json_body={"transaction_id": "abc"}))
    assert isinstance(body["duration_ms"], int)
    assert {"transaction_id": "abc"} in fake_as.pings
    assert_matrix_error(client.post("/_matrix/client/v1/appservice/gone/ping", token="as-token-gone",
                                    json_body={}), 502, "M_CONNECTION_FAILED")
    assert_matrix_error(client.post("/_matrix/client/v1/appservice/nourl/ping", token="as-token-nourl",
                                    json_body={}), 400, "M_URL_NOT_SET")
    # Another service's ID, and an ordinary user's token.
    assert_matrix_error(client.post("/_matrix/client/v1/appservice/gone/ping", token=AS_TOKEN, json_body={}),
                        403, "M_FORBIDDEN")


@spec(AS_DIRECTORY)
def test_appservice_room_directory(client, alice):
    _, alice_token = alice
    room = create_room(client, AS_TOKEN)
    list_path = path("directory", "list", "appservice", "irc", room)
    assert_json_response(client.put(list_path, token=AS_TOKEN, json_body={"visibility": "public"}))
    visibility = assert_json_response(client.get(path("directory", "list", "room", room)))
    assert visibility["visibility"] == "public"
    assert_matrix_error(client.put(list_path, token=alice_token, json_body={"visibility": "private"}),
                        403, "M_FORBIDDEN")


GOOD = "id: ok\nurl: null\nas_token: tok-a\nhs_token: tok-b\nsender_localpart: okbot\n"
BAD_REGISTRATIONS = {
    # name: (registration files' texts, words one of which the message must contain)
    "bad_regex": ([GOOD.replace("id: ok", "id: r").replace("tok-a", "t1").replace("tok-b", "t2")
                   .replace("okbot", "rbot") + "namespaces:\n  users:\n    - exclusive: true\n"
                   "      regex: \"@(unclosed\"\n"], ("namespaces.users[0].regex",)),
    "duplicate_id": ([GOOD, GOOD.replace("tok-a", "t3").replace("tok-b", "t4").replace("okbot", "b2")], ("id",)),
    "duplicate_as_token": ([GOOD, GOOD.replace("id: ok", "id: two").replace("tok-b", "t5")
                            .replace("okbot", "b3")], ("as_token",)),
    "token_reused_across_kinds": ([GOOD, GOOD.replace("id: ok", "id: two").replace("tok-a", "tok-b")
                                   .replace("tok-b\nsender", "t6\nsender").replace("okbot", "b4")],
                                  ("as_token", "hs_token")),
    "missing_sender": (["id: x\nurl: null\nas_token: a\nhs_token: b\n"], ("sender_localpart",)),
    "not_yaml": (["id: [unclosed\n"], ("yaml",)),
    "bad_url": ([GOOD.replace("url: null", "url: ftp://example.org/")], ("url",)),
}


@spec("ranvier:docs/appservices.md")
@pytest.mark.parametrize("name", sorted(BAD_REGISTRATIONS) + ["missing_file", "not_a_list"])
def test_bad_registration_stops_start_up(server, tmp_path, name):
    config = server.read_config()
    config.pop("app_services", None)
    if name == "missing_file":
        config["app_services"] = [str(tmp_path / "nowhere.yaml")]
        mentions = ("nowhere.yaml",)
    elif name == "not_a_list":
        config["app_services"] = "bridge.yaml"
        mentions = ("app_services",)
    else:
        texts, mentions = BAD_REGISTRATIONS[name]
        config["app_services"] = []
        for i, text in enumerate(texts):
            file = tmp_path / f"reg{i}.yaml"
            file.write_text(text)
            config["app_services"].append(str(file))
    # The suite's server holds the database and ports: this one must stop before using them.
    # Beside the suite's config, so its relative paths (signing key, TLS files) still resolve.
    variant = server.workdir / f"bad_registration_{name}.yaml"
    variant.write_text(yaml.safe_dump(config, sort_keys=False))
    outcome = serve_once(variant)
    assert not outcome.ready and not outcome.hung and not outcome.crashed(), outcome
    assert outcome.code == 2, outcome
    assert "app_services" in outcome.output, outcome
    lowered = outcome.output.lower()
    assert any(m.lower() in lowered for m in mentions), outcome

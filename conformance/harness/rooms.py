"""Helpers for the room suites: accounts, rooms, events and sync, each request checked for
success so a test body reads as the scenario it checks. Every helper takes the test's
`Client` and an access token; paths are built with `path()` so room IDs, aliases and event IDs
are percent-encoded the way clients send them."""

from __future__ import annotations

import itertools
import json
import re
import threading
from typing import Any, Callable, Iterable, Optional
from urllib.parse import quote, urlencode

import pytest

from .checks import assert_json_response

API = "/_matrix/client/v3"
PASSWORD = "pw"

# Fields of the federation (PDU) format that the client format never carries
# (client-server-api/#room-event-format).
PDU_ONLY_FIELDS = ("auth_events", "prev_events", "hashes", "signatures", "depth", "prev_state")

# Room ID of room version 12: `!` + URL-safe unpadded base64 of a SHA-256 reference hash, no
# server name (rooms/v12#room-ids).
V12_ROOM_ID = re.compile(r"^![A-Za-z0-9_-]{43}$")

_txn_ids = itertools.count(1)


def path(*parts: str, query: Optional[dict[str, Any]] = None) -> str:
    """`API/part/part...` with every part percent-encoded, plus an optional query string."""
    text = API + "".join("/" + quote(part, safe="") for part in parts)
    if query:
        text += "?" + urlencode(query)
    return text


def txn() -> str:
    """A transaction ID not used before in this process."""
    return f"txn{next(_txn_ids)}"


def new_user(client, name: str) -> tuple[str, str]:
    """Registers `name` (m.login.dummy) and returns (user_id, access_token)."""
    body = assert_json_response(client.post(path("register"), json_body={
        "username": name, "password": PASSWORD, "auth": {"type": "m.login.dummy"}}))
    return body["user_id"], body["access_token"]


def user_fixture(name: str):
    """A module-scoped fixture named `name`: that account's (user_id, access_token), registered
    once per suite (`alice = user_fixture("alice")` at module level)."""
    @pytest.fixture(scope="module", name=name)
    def account(server):
        with server.client() as c:
            return new_user(c, name)
    return account


def login(client, name: str) -> str:
    """A password login as `name`: a new device with its own access token."""
    body = assert_json_response(client.post(path("login"), json_body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": name},
        "password": PASSWORD}))
    return body["access_token"]


def create_room(client, token: str, **request: Any) -> str:
    """POST /createRoom with `request` as the body; returns the room ID."""
    body = assert_json_response(client.post(path("createRoom"), token=token, json_body=request))
    assert isinstance(body.get("room_id"), str) and body["room_id"].startswith("!"), body
    return body["room_id"]


def public_room(client, owner_token: str, *joiner_tokens: str, **request: Any) -> str:
    """A public_chat room created by the holder of `owner_token` and joined by the others."""
    room_id = create_room(client, owner_token, preset="public_chat", **request)
    for token in joiner_tokens:
        join(client, token, room_id)
    return room_id


def send(client, token: str, room_id: str, content: Optional[dict] = None,
         event_type: str = "m.room.message", txn_id: Optional[str] = None) -> str:
    """PUT /rooms/{roomId}/send/{eventType}/{txnId}; returns the event ID."""
    if content is None:
        content = {"msgtype": "m.text", "body": "hello"}
    response = client.put(path("rooms", room_id, "send", event_type, txn_id or txn()),
                          token=token, json_body=content)
    event_id = assert_json_response(response)["event_id"]
    assert isinstance(event_id, str) and event_id.startswith("$"), event_id
    return event_id


def text(client, token: str, room_id: str, body: str) -> str:
    """Sends an m.text message with `body`; returns the event ID."""
    return send(client, token, room_id, {"msgtype": "m.text", "body": body})


def put_state(client, token: str, room_id: str, event_type: str, content: dict,
              state_key: str = "") -> str:
    """PUT /rooms/{roomId}/state/{eventType}/{stateKey}; returns the event ID."""
    response = client.put(path("rooms", room_id, "state", event_type, state_key),
                          token=token, json_body=content)
    return assert_json_response(response)["event_id"]


def get_state(client, token: str, room_id: str, event_type: str, state_key: str = "") -> dict:
    """The content of one state event (GET /rooms/{roomId}/state/{eventType}/{stateKey})."""
    return assert_json_response(client.get(path("rooms", room_id, "state", event_type, state_key),
                                           token=token))


def state_event(client, token: str, room_id: str, event_type: str, state_key: str = "") -> dict:
    """The whole client-format state event, picked out of GET /rooms/{roomId}/state."""
    events = assert_json_response_list(client.get(path("rooms", room_id, "state"), token=token))
    found = [e for e in events if e.get("type") == event_type and e.get("state_key") == state_key]
    assert len(found) == 1, f"expected one ({event_type}, {state_key!r}) in {events}"
    return found[0]


def assert_json_response_list(response) -> list:
    """A 200 response whose body is a JSON array (GET /rooms/{roomId}/state)."""
    assert response.status == 200, f"expected 200, got {response!r}"
    content_type = (response.header("content-type") or "").split(";")[0].strip().lower()
    assert content_type == "application/json", f"Content-Type {content_type!r}: {response!r}"
    body = response.json()
    assert isinstance(body, list), f"expected a JSON array: {response!r}"
    return body


def membership(client, token: str, room_id: str, user_id: str) -> Optional[str]:
    """`membership` of `user_id` as seen by the holder of `token`, or None without a member event."""
    response = client.get(path("rooms", room_id, "state", "m.room.member", user_id), token=token)
    if response.status == 404:
        return None
    return assert_json_response(response)["membership"]


def invite(client, token: str, room_id: str, user_id: str) -> None:
    assert_json_response(client.post(path("rooms", room_id, "invite"), token=token,
                                     json_body={"user_id": user_id}))


def join(client, token: str, room_id_or_alias: str) -> str:
    """POST /join/{roomIdOrAlias}; returns the joined room ID."""
    body = assert_json_response(client.post(path("join", room_id_or_alias), token=token,
                                            json_body={}))
    return body["room_id"]


def leave(client, token: str, room_id: str) -> None:
    assert_json_response(client.post(path("rooms", room_id, "leave"), token=token, json_body={}))


def joined_rooms(client, token: str) -> list[str]:
    return assert_json_response(client.get(path("joined_rooms"), token=token))["joined_rooms"]


def messages(client, token: str, room_id: str, **query: Any) -> dict:
    """GET /rooms/{roomId}/messages with `query` (dir defaults to b); dict values are sent as JSON."""
    query.setdefault("dir", "b")
    query = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in query.items()}
    return assert_json_response(client.get(path("rooms", room_id, "messages", query=query),
                                           token=token))


def all_messages(client, token: str, room_id: str, dir: str = "b", limit: int = 5,
                 max_pages: int = 100, **query: Any) -> list[dict]:
    """Every event /messages gives, following `end` until it is left out."""
    events: list[dict] = []
    page = messages(client, token, room_id, dir=dir, limit=limit, **query)
    for _ in range(max_pages):
        events += page["chunk"]
        if "end" not in page:
            return events
        page = messages(client, token, room_id, dir=dir, limit=limit, **{"from": page["end"]}, **query)
    raise AssertionError(f"/messages still returned `end` after {max_pages} pages")


def sync(client, token: str, **query: Any) -> dict:
    """GET /sync with `query` (timeout defaults to 0); dict values (filters) are sent as JSON."""
    query.setdefault("timeout", 0)
    query = {k: json.dumps(v) if isinstance(v, dict) else
             ("true" if v is True else "false" if v is False else v) for k, v in query.items()}
    body = assert_json_response(client.get(path("sync", query=query), token=token))
    assert isinstance(body.get("next_batch"), str), body
    return body


def timeline_events(sync_body: dict, room_id: str, section: str = "join") -> list[dict]:
    """The timeline events of one room in one section of a sync response ([] if absent)."""
    room = sync_body.get("rooms", {}).get(section, {}).get(room_id)
    if room is None:
        return []
    return room.get("timeline", {}).get("events", [])


def bodies(events: Iterable[dict]) -> list[str]:
    """`content.body` of the m.room.message events among `events`, in order."""
    return [e["content"].get("body") for e in events if e.get("type") == "m.room.message"]


def assert_client_event(event: dict, room_id: Optional[str] = None) -> None:
    """The client event format (client-server-api/#room-event-format): the required fields with
    their types, and none of the federation-only fields."""
    for key, kind in (("event_id", str), ("type", str), ("sender", str),
                      ("origin_server_ts", int), ("content", dict)):
        assert isinstance(event.get(key), kind), f"{key} missing or not {kind.__name__}: {event}"
    assert event["event_id"].startswith("$") and event["sender"].startswith("@"), event
    if "unsigned" in event:
        assert isinstance(event["unsigned"], dict), event
    leaked = [key for key in PDU_ONLY_FIELDS if key in event]
    assert not leaked, f"federation-only fields {leaked} in a client event: {event}"
    if room_id is not None:
        assert event.get("room_id") == room_id, event


def run_concurrently(server, work: Callable[[Any, Any], Any], arguments: Iterable[Any],
                     together: bool = False, timeout: float = 60.0) -> list:
    """Calls `work(client, argument)` for every argument at once, each on its own thread with
    its own connection, and returns the results in argument order. With `together`, every
    thread connects first and then waits at a barrier, so the requests race as closely as
    possible. Fails the test with every error the calls raised."""
    arguments = list(arguments)
    start = threading.Barrier(len(arguments)) if together else None
    results: list = [None] * len(arguments)
    errors: list = []

    def run(index: int, argument: Any) -> None:
        try:
            with server.client() as c:
                if start is not None:
                    c.get("/_matrix/client/versions")
                    start.wait(timeout=10)
                results[index] = work(c, argument)
        except Exception as error:  # collected: every thread's failure is reported together
            errors.append(error)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "concurrent calls did not finish"
    assert not errors, errors
    return results


class BackgroundSync:
    """A long-polling /sync on its own connection and thread, started at once and parked for
    half a second (so the change under test happens while it waits). `finish()` joins it and
    returns (body, seconds it waited)."""

    def __init__(self, server, token: str, since: str, timeout_ms: int = 10000):
        import time
        self._time = time
        self._result: dict[str, Any] = {}

        def poll():
            with server.client() as poller:
                started = time.monotonic()
                try:
                    self._result["body"] = sync(poller, token, since=since, timeout=timeout_ms)
                finally:
                    self._result["waited"] = time.monotonic() - started

        self._thread = threading.Thread(target=poll)
        self._thread.start()
        time.sleep(0.5)

    def finish(self, limit: float = 15.0) -> tuple[dict, float]:
        self._thread.join(timeout=limit)
        assert not self._thread.is_alive(), "the long poll did not return"
        assert "body" in self._result, "the long poll failed"
        return self._result["body"], self._result["waited"]

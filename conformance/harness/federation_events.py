"""Events made by a fake remote homeserver (harness/federation.py) for the federation room
tests: hashing, redaction, signing and event IDs as the spec defines them for room versions 11
and 12 (appendices "Signing Events", rooms/v11 "Redactions", server-server API "Calculating
the reference hash"), and the join/leave/knock dance (make_* → sign → send_*).

The redaction rules below are those of room version 11 (used by 11 and 12); tests create their
rooms in those versions."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from typing import Any, Optional

from .checks import assert_json_response
from .federation import FakeHomeserver, now_ms
from .keys import canonical_json, unpadded_b64

TOP_LEVEL_KEPT = {"event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
                  "prev_events", "auth_events", "origin_server_ts"}
CONTENT_KEPT = {
    "m.room.member": {"membership", "join_authorised_via_users_server", "third_party_invite"},
    "m.room.join_rules": {"join_rule", "allow"},
    "m.room.power_levels": {"ban", "events", "events_default", "invite", "kick", "redact", "state_default", "users",
                            "users_default"},
    "m.room.history_visibility": {"history_visibility"},
    "m.room.redaction": {"redacts"},
}


def quote(part: str) -> str:
    return urllib.parse.quote(part, safe="")


def redact(event: dict) -> dict:
    """The room version 11 redaction algorithm."""
    out = {k: v for k, v in event.items() if k in TOP_LEVEL_KEPT}
    content = event.get("content", {})
    if event.get("type") == "m.room.create":
        out["content"] = content
    else:
        kept = CONTENT_KEPT.get(event.get("type"), set())
        out["content"] = {k: v for k, v in content.items() if k in kept}
        if "third_party_invite" in out["content"]:
            signed = out["content"]["third_party_invite"].get("signed")
            out["content"]["third_party_invite"] = {"signed": signed} if signed is not None else {}
    return out


def event_id(event: dict) -> str:
    """`$` + URL-safe unpadded base64 of the reference hash (room versions 4 and later)."""
    redacted = redact(event)
    redacted.pop("signatures", None)
    redacted.pop("unsigned", None)
    digest = hashlib.sha256(canonical_json(redacted)).digest()
    return "$" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def sign_event(remote: FakeHomeserver, event: dict) -> dict:
    """`event` with its content hash and `remote`'s signature over the redacted form."""
    event = {k: v for k, v in event.items() if k not in ("signatures", "hashes", "unsigned", "event_id")}
    event["hashes"] = {"sha256": unpadded_b64(hashlib.sha256(canonical_json(event)).digest())}
    signature = remote.sign_json(redact(event))["signatures"][remote.server_name][remote.key_id]
    event["signatures"] = {remote.server_name: {remote.key_id: signature}}
    return event


def fed_path(*parts: str, version: str = "v1", query: Optional[str] = None) -> str:
    path = f"/_matrix/federation/{version}/" + "/".join(quote(p) for p in parts)
    return path + (f"?{query}" if query else "")


def make_membership(remote, server, kind: str, room_id: str, user_id: str, ver=("11", "12")) -> dict:
    """make_join / make_leave / make_knock: the event template."""
    query = "&".join(f"ver={v}" for v in ver) if kind != "leave" else None
    body = assert_json_response(remote.request(server, "GET", fed_path(f"make_{kind}", room_id, user_id, query=query)))
    return body["event"]


def send_membership(remote, server, kind: str, template: dict):
    """Signs a make_* template and sends it with send_* (v2 for join and leave)."""
    template = dict(template)
    template["origin_server_ts"] = now_ms()
    signed = sign_event(remote, template)
    eid = event_id(signed)
    version = "v1" if kind == "knock" else "v2"
    response = remote.request(server, "PUT", fed_path(f"send_{kind}", template["room_id"], eid, version=version), signed)
    return eid, signed, response


def join(remote, server, room_id: str, user_id: str) -> tuple[str, dict]:
    """The whole remote join: make_join, sign, send_join; returns (event ID, send_join body)."""
    template = make_membership(remote, server, "join", room_id, user_id)
    eid, _, response = send_membership(remote, server, "join", template)
    return eid, assert_json_response(response)


def build_event(remote, server, room_id: str, sender: str, event_type: str, content: dict,
                state_key: Optional[str] = None, prev_events: Optional[list] = None) -> dict:
    """A signed event on the room's current frontier, its auth events taken from a make_leave
    template of the sender (which cites the sender's membership, the power levels and create)."""
    template = make_membership(remote, server, "leave", room_id, sender)
    event: dict[str, Any] = {"type": event_type, "room_id": room_id, "sender": sender, "content": content,
                             "origin_server_ts": now_ms(), "depth": template["depth"],
                             "prev_events": prev_events if prev_events is not None else template["prev_events"],
                             "auth_events": template["auth_events"]}
    if state_key is not None:
        event["state_key"] = state_key
    return sign_event(remote, event)


def send_transaction(remote, server, txn_id: str, pdus: list, edus: Optional[list] = None):
    body = {"origin": remote.server_name, "origin_server_ts": now_ms(), "pdus": pdus}
    if edus is not None:
        body["edus"] = edus
    return remote.request(server, "PUT", fed_path("send", txn_id), body)

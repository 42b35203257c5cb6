"""The v1 invite API (server-server API, "Inviting to a room", PUT /v1/invite/{roomId}/{eventId})
for rooms of versions 1 and 2, both ways, with fake remote homeservers (harness/federation.py):

- inbound: the body is the event itself (stripped state in its `unsigned`); Ranvier answers
  `[200, {"event": ...}]` with its signature added and keeps the invite for /sync;
- outbound: inviting a user of a server that does not know /v2/invite (404 M_UNRECOGNIZED, as
  servers from before the v2 API answer) falls back to /v1/invite for rooms of versions 1 and 2.

Events of room versions 1 and 2 carry their own `event_id` and cite other events as
[event ID, {"sha256": reference hash}]; their redaction keeps more top-level keys than later
versions (rooms/v1 "Redactions"). The helpers below build and sign them."""

import hashlib
import json
import urllib.parse

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.federation import CertificateAuthority, FakeHomeserver, now_ms, ranvier_with_fakes
from harness.federation_events import fed_path, quote
from harness.keys import canonical_json, unpadded_b64, verify_signed_json
from harness.rooms import create_room, new_user, path, state_event, sync
from harness.server import RanvierServer

REMOTE = "remote.invitev1.test"
OLD = "old.invitev1.test"
BOB = f"@bob:{REMOTE}"

V1_TOP_LEVEL_KEPT = {"event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
                     "prev_events", "prev_state", "auth_events", "origin", "origin_server_ts", "membership"}


def redact_v1(event: dict) -> dict:
    """The redaction algorithm of room versions 1 and 2, for member events and the others
    these tests use (content of member events keeps `membership` only)."""
    out = {k: v for k, v in event.items() if k in V1_TOP_LEVEL_KEPT}
    content = event.get("content", {})
    if event.get("type") == "m.room.member":
        out["content"] = {k: v for k, v in content.items() if k == "membership"}
    elif event.get("type") == "m.room.create":
        out["content"] = {k: v for k, v in content.items() if k == "creator"}
    else:
        out["content"] = {}
    return out


def signature_v1(remote: FakeHomeserver, event: dict) -> str:
    return remote.sign_json(redact_v1(event))["signatures"][remote.server_name][remote.key_id]


def sign_v1(remote: FakeHomeserver, event: dict) -> dict:
    """A version 1 event: content hash over everything but signatures/unsigned/hashes, then
    `remote`'s signature over the redacted form."""
    event = {k: v for k, v in event.items() if k not in ("signatures", "hashes", "unsigned")}
    event["hashes"] = {"sha256": unpadded_b64(hashlib.sha256(canonical_json(event)).digest())}
    event["signatures"] = {remote.server_name: {remote.key_id: signature_v1(remote, event)}}
    return event


def reference(event_id: str) -> list:
    """A citation of an event this test never shows Ranvier: its ID and some hash."""
    return [event_id, {"sha256": unpadded_b64(hashlib.sha256(event_id.encode()).digest())}]


def invite_event(remote: FakeHomeserver, room: str, invitee: str, **extra) -> dict:
    event = {"type": "m.room.member", "room_id": room, "sender": BOB, "state_key": invitee,
             "content": {"membership": "invite"}, "origin": REMOTE, "origin_server_ts": now_ms(),
             "depth": 7, "event_id": f"$invite{now_ms()}:{REMOTE}",
             "prev_events": [reference(f"$prev:{REMOTE}")], "auth_events": [reference(f"$create:{REMOTE}")]}
    event.update(extra)
    return sign_v1(remote, event)


def stripped_create(version: str = "1") -> dict:
    content = {"creator": BOB}
    if version != "1":
        content["room_version"] = version
    return {"type": "m.room.create", "state_key": "", "sender": BOB, "content": content}


def server_verify_key(remote: FakeHomeserver, server: RanvierServer) -> tuple[str, str]:
    document = assert_json_response(remote.request(server, "GET", "/_matrix/key/v2/server", sign=False))
    ((key_id, key),) = document["verify_keys"].items()
    return key_id, key["key"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Ranvier with alice; `remote` invites her, `old` is a server without /v2/invite."""
    folder = tmp_path_factory.mktemp("federation_invites_v1")
    ca = CertificateAuthority(folder / "ca")
    remote = FakeHomeserver(REMOTE, ca).start()
    old = PreV2Homeserver(OLD, ca).start()
    with ranvier_with_fakes(folder, "ranvier.invitev1.test", ca, [remote, old]) as server:
        with server.client() as client:
            alice = new_user(client, "alice")
        yield server, remote, old, alice


@spec("server-server-api/#put_matrixfederationv1inviteroomideventid")
def test_v1_invite_is_countersigned_and_reaches_sync(setup):
    server, remote, _, (alice_id, alice) = setup
    room = f"!v1room:{REMOTE}"
    stripped = [stripped_create("2"),
                {"type": "m.room.name", "state_key": "", "sender": BOB, "content": {"name": "Old room"}}]
    invite = invite_event(remote, room, alice_id)
    invite["unsigned"] = {"invite_room_state": stripped}
    response = remote.request(server, "PUT", fed_path("invite", room, invite["event_id"]), invite)
    assert response.status == 200, response
    answer = json.loads(response.body)
    # The answer is the array [200, {"event": ...}], not an object.
    assert isinstance(answer, list) and len(answer) == 2 and answer[0] == 200
    signed = answer[1]["event"]
    without = lambda e: {k: v for k, v in e.items() if k not in ("signatures", "unsigned")}  # noqa: E731
    assert without(signed) == without(invite)
    assert signed["signatures"][REMOTE] == invite["signatures"][REMOTE]
    key_id, key = server_verify_key(remote, server)
    ours = redact_v1(signed)
    ours["signatures"] = {server.server_name: signed["signatures"][server.server_name]}
    assert verify_signed_json(ours, server.server_name, key_id, key) is True
    with server.client() as client:
        invited = sync(client, alice)["rooms"]["invite"]
        assert room in invited
        events = invited[room]["invite_state"]["events"]
        assert any(e["type"] == "m.room.member" and e["state_key"] == alice_id for e in events)
        assert any(e["type"] == "m.room.name" and e["content"] == {"name": "Old room"} for e in events)


@spec("server-server-api/#put_matrixfederationv1inviteroomideventid")
def test_v1_invite_refusals(setup):
    server, remote, _, (alice_id, _) = setup
    room = f"!refused:{REMOTE}"

    def put(event):
        return remote.request(server, "PUT", fed_path("invite", event["room_id"], event["event_id"]), event)

    # Room versions other than 1 and 2 are not for the v1 API.
    newer = invite_event(remote, room, alice_id)
    newer["unsigned"] = {"invite_room_state": [stripped_create("10")]}
    assert_matrix_error(put(newer), 400, "M_INCOMPATIBLE_ROOM_VERSION")
    # Not an invite; an invitee of another server; a sender of another server.
    assert_matrix_error(put(invite_event(remote, room, alice_id, content={"membership": "join"})), 400, "M_INVALID_PARAM")
    assert_matrix_error(put(invite_event(remote, room, f"@carol:{REMOTE}")), 400, "M_INVALID_PARAM")
    assert_matrix_error(put(invite_event(remote, room, alice_id, sender=f"@mallory:{OLD}")), 400, "M_INVALID_PARAM")
    # A signature that does not verify; an event ID other than the path's.
    forged = invite_event(remote, room, alice_id)
    forged["depth"] = 8
    assert_matrix_error(put(forged), 403, "M_FORBIDDEN")
    other = invite_event(remote, room, alice_id)
    response = remote.request(server, "PUT", fed_path("invite", room, f"$else:{REMOTE}"), other)
    assert_matrix_error(response, 400, "M_BAD_JSON")
    # Unsigned requests.
    plain = invite_event(remote, room, alice_id)
    response = remote.request(server, "PUT", fed_path("invite", room, plain["event_id"]), plain, sign=False)
    assert_matrix_error(response, 401, "M_UNAUTHORIZED")


class PreV2Homeserver(FakeHomeserver):
    """A server from before the v2 invite API: /v2/invite is unknown (404 M_UNRECOGNIZED, the
    fake's answer to any unregistered path) and /v1/invite countersigns whatever it is sent,
    answering with the array [200, {"event": ...}]."""

    def _answer(self, method, target, body):
        if method == "PUT" and target.startswith("/_matrix/federation/v1/invite/"):
            self.requests.append((method, target))
            signed = {k: v for k, v in body.items() if k != "unsigned"}
            signed["signatures"] = {**body["signatures"], self.server_name: {self.key_id: signature_v1(self, body)}}
            return 200, [200, {"event": signed}]
        return super()._answer(method, target, body)


@spec("server-server-api/#put_matrixfederationv1inviteroomideventid")
def test_outbound_invite_falls_back_to_v1(setup):
    server, _, old, (_, alice) = setup
    dave = f"@dave:{OLD}"
    with server.client() as client:
        room = create_room(client, alice, room_version="2")
        old.received.clear()
        response = client.post(path("rooms", room, "invite"), json_body={"user_id": dave},
                               token=alice)
        assert_json_response(response)
        assert state_event(client, alice, room, "m.room.member", dave)["content"]["membership"] == "invite"
    invites = [r for r in old.received if r.method == "PUT" and "/invite/" in r.target]
    assert [r.target.split("/")[3] for r in invites] == ["v2", "v1"]
    v1 = invites[1].body
    # The v1 body is the event itself, the room's stripped state in its `unsigned`.
    assert v1["type"] == "m.room.member" and v1["state_key"] == dave and v1["room_id"] == room
    assert urllib.parse.unquote(invites[1].target).endswith("/" + v1["event_id"])
    assert any(e["type"] == "m.room.create" for e in v1["unsigned"]["invite_room_state"])


@spec("server-server-api/#put_matrixfederationv2inviteroomideventid")
def test_no_v1_fallback_for_newer_rooms(setup):
    server, _, old, (_, alice) = setup
    with server.client() as client:
        room = create_room(client, alice, room_version="11")
        old.received.clear()
        response = client.post(path("rooms", room, "invite"), json_body={"user_id": f"@erin:{OLD}"},
                               token=alice)
        assert_matrix_error(response, 403, "M_FORBIDDEN")
    targets = [r.target for r in old.received if r.method == "PUT"]
    assert targets and all("/v2/invite/" in t for t in targets)

"""An event first known as an outlier and later received live (server-server API, "Retrieving
events" / "PDUs": gaps are filled with the state before an event, whose events are outliers,
"events which are not part of the DAG"; a PDU later received through PUT /send takes its
place in the room's graph). A fake remote homeserver (harness/federation.py) joins a Ranvier
room, changes bob's display name in event A and sends B on top of A without sending A: Ranvier
gets the state before B from the remote (GET /state), which holds A, and keeps A as an outlier.
When A arrives through /send it is promoted: /messages serves it from then on."""


import pytest

from harness.checks import assert_json_response, spec
from harness.federation import CertificateAuthority, FakeHomeserver, now_ms, ranvier_with_fakes
from harness.federation_events import build_event, event_id, fed_path, join, send_transaction, sign_event
from harness.rooms import all_messages, create_room, new_user, text

REMOTE = "remote.outliers.test"
BOB = f"@bob:{REMOTE}"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("federation_outlier_promotion")
    ca = CertificateAuthority(folder / "ca")
    remote = FakeHomeserver(REMOTE, ca).start()
    with ranvier_with_fakes(folder, "ranvier.outliers.test", ca, [remote]) as server:
        with server.client() as client:
            alice = new_user(client, "alice")
        yield server, remote, alice


def display_names(server, token, room):
    with server.client() as client:
        events = all_messages(client, token, room)
    return [e["content"].get("displayname") for e in events
            if e["type"] == "m.room.member" and e["state_key"] == BOB]


@spec("server-server-api/#put_matrixfederationv1sendtxnid")
def test_outlier_received_live_joins_the_timeline(setup):
    server, remote, (_, alice) = setup
    with server.client() as client:
        room = create_room(client, alice, preset="public_chat", room_version="12")
    join(remote, server, room, BOB)
    with server.client() as client:
        latest = text(client, alice, room, "before the rename")
    rename = build_event(remote, server, room, BOB, "m.room.member", {"membership": "join", "displayname": "Bobby"},
                         state_key=BOB)
    on_top = sign_event(remote, {
        "type": "m.room.message", "room_id": room, "sender": BOB, "origin_server_ts": now_ms(),
        "content": {"msgtype": "m.text", "body": "after the rename"}, "depth": rename["depth"] + 1,
        "prev_events": [event_id(rename)], "auth_events": rename["auth_events"]})
    # The state before `on_top`: the room's state at alice's message with bob's rename in it.
    state = assert_json_response(remote.request(server, "GET", fed_path("state", room, query=f"event_id={latest}")))
    before = [e for e in state["pdus"] if not (e["type"] == "m.room.member" and e["state_key"] == BOB)]
    before.append(rename)
    remote.route("POST", fed_path("get_missing_events", room), lambda *_: (200, {"events": []}))
    remote.route("GET", fed_path("state", room), lambda *_: (200, {"pdus": before, "auth_chain": state["auth_chain"]}))
    body = assert_json_response(send_transaction(remote, server, "outlier-1", [on_top]))
    assert body == {"pdus": {event_id(on_top): {}}}
    # The rename is known, but only as an outlier: no timeline shows it.
    assert "Bobby" not in display_names(server, alice, room)
    # Received live, it takes its place in the room's graph and /messages serves it.
    body = assert_json_response(send_transaction(remote, server, "outlier-2", [rename]))
    assert body == {"pdus": {event_id(rename): {}}}
    assert "Bobby" in display_names(server, alice, room)
    # Sent once more, it is simply known.
    body = assert_json_response(send_transaction(remote, server, "outlier-3", [rename]))
    assert body == {"pdus": {event_id(rename): {}}}
    assert display_names(server, alice, room).count("Bobby") == 1

"""Reading a Ranvier room from another server (/event, /state, /state_ids, /event_auth,
/backfill, /get_missing_events, /timestamp_to_event) with history visibility for servers,
invites to Ranvier's users (/v2/invite), and the query endpoints (/query/profile,
/query/directory, /publicRooms), all from fake remote homeservers (harness/federation.py)."""

import signal

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.federation import CertificateAuthority, FakeHomeserver, federation_config, now_ms
from harness.federation_events import build_event, event_id, fed_path, join, quote, send_transaction, sign_event
from harness.rooms import create_room, new_user, put_state, sync, text
from harness.server import RanvierServer, describe_exit

REMOTE = "remote.reads.test"
OTHER = "other.reads.test"
BOB = f"@bob:{REMOTE}"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Ranvier with alice, a shared room bob (of `remote`) joined with a few messages, and
    `other`, a server with nobody in the room."""
    folder = tmp_path_factory.mktemp("federation_reads")
    ca = CertificateAuthority(folder / "ca")
    remote = FakeHomeserver(REMOTE, ca).start()
    other = FakeHomeserver(OTHER, ca).start()
    server = RanvierServer(folder / "ranvier", server_name="ranvier.reads.test")
    try:
        server.init()
        server.configure({"rate_limits": {"enabled": False}, "presence": {"enabled": False},
                          **federation_config(ca, [remote, other])})
        server.start()
        with server.client() as client:
            alice_id, alice = new_user(client, "alice")
            room = create_room(client, alice, preset="public_chat", room_version="12",
                               room_alias_name="reads")
            join(remote, server, room, BOB)
            messages = [text(client, alice, room, f"m{i}") for i in range(5)]
        yield server, remote, other, (alice_id, alice), room, messages
        code = server.stop(signal.SIGTERM)
        assert code == 0, f"SIGTERM: expected exit 0, got {describe_exit(code)}"
    finally:
        remote.stop()
        other.stop()
        server.cleanup()


@spec("server-server-api/#get_matrixfederationv1eventeventid")
def test_event_is_served_to_servers_in_the_room(setup):
    server, remote, other, _, room, messages = setup
    body = assert_json_response(remote.request(server, "GET", fed_path("event", messages[0])))
    assert body["origin"] == server.server_name and isinstance(body["origin_server_ts"], int)
    (pdu,) = body["pdus"]
    assert pdu["content"]["body"] == "m0" and pdu["room_id"] == room
    assert "unsigned" not in pdu and server.server_name in pdu["signatures"]
    assert event_id(pdu) == messages[0]
    # A server with nobody in the room sees nothing.
    assert_matrix_error(other.request(server, "GET", fed_path("event", messages[0])), 403, "M_FORBIDDEN")
    assert_matrix_error(remote.request(server, "GET", fed_path("event", "$" + "x" * 43)), 404, "M_NOT_FOUND")
    assert_matrix_error(remote.request(server, "GET", fed_path("event", messages[0]), sign=False), 401,
                        "M_UNAUTHORIZED")


@spec("server-server-api/#get_matrixfederationv1state_idsroomid")
def test_state_and_state_ids_at_an_event(setup):
    server, remote, other, (alice_id, _), room, messages = setup
    query = f"event_id={quote(messages[-1])}"
    ids = assert_json_response(remote.request(server, "GET", fed_path("state_ids", room, query=query)))
    full = assert_json_response(remote.request(server, "GET", fed_path("state", room, query=query)))
    assert sorted(ids["pdu_ids"]) == sorted(event_id(e) for e in full["pdus"])
    assert sorted(ids["auth_chain_ids"]) == sorted(event_id(e) for e in full["auth_chain"])
    keys = {(e["type"], e["state_key"]) for e in full["pdus"]}
    assert {("m.room.create", ""), ("m.room.member", alice_id), ("m.room.member", BOB)} <= keys
    assert_matrix_error(other.request(server, "GET", fed_path("state_ids", room, query=query)), 403, "M_FORBIDDEN")
    assert_matrix_error(remote.request(server, "GET", fed_path("state_ids", "!unknown:ranvier.reads.test",
                                                                query=query)), 404, "M_NOT_FOUND")


@spec("server-server-api/#get_matrixfederationv1event_authroomideventid")
def test_event_auth_is_the_auth_chain(setup):
    server, remote, _, _, room, messages = setup
    body = assert_json_response(remote.request(server, "GET", fed_path("event_auth", room, messages[0])))
    types = {e["type"] for e in body["auth_chain"]}
    # Room version 12: the create event is named by the room ID, never cited in auth_events.
    assert {"m.room.power_levels", "m.room.member"} <= types
    assert "m.room.message" not in types


@spec("server-server-api/#get_matrixfederationv1backfillroomid")
def test_backfill_walks_back_from_the_given_events(setup):
    server, remote, other, _, room, messages = setup
    query = f"v={quote(messages[-1])}&limit=3"
    body = assert_json_response(remote.request(server, "GET", fed_path("backfill", room, query=query)))
    assert [event_id(e) for e in body["pdus"]] == [messages[4], messages[3], messages[2]]
    assert_matrix_error(other.request(server, "GET", fed_path("backfill", room, query=query)), 403, "M_FORBIDDEN")


@spec("server-server-api/#post_matrixfederationv1get_missing_eventsroomid")
def test_get_missing_events_between_earliest_and_latest(setup):
    server, remote, _, _, room, messages = setup
    request = {"earliest_events": [messages[1]], "latest_events": [messages[4]], "limit": 10}
    body = assert_json_response(remote.request(server, "POST", fed_path("get_missing_events", room), request))
    assert [event_id(e) for e in body["events"]] == [messages[2], messages[3]]


@spec("server-server-api/#get_matrixfederationv1timestamp_to_eventroomid")
def test_timestamp_to_event(setup):
    server, remote, _, _, room, messages = setup
    body = assert_json_response(remote.request(server, "GET", fed_path(
        "timestamp_to_event", room, query=f"dir=b&ts={now_ms() + 60_000}")))
    assert body["event_id"] == messages[-1] and isinstance(body["origin_server_ts"], int)
    assert_matrix_error(remote.request(server, "GET", fed_path("timestamp_to_event", room, query="dir=b&ts=1")),
                        404, "M_NOT_FOUND")


@spec("server-server-api/#history-visibility")
def test_joined_visibility_hides_history_before_the_servers_join(setup):
    server, remote, _, (_, alice), _, _ = setup
    with server.client() as client:
        room = create_room(client, alice, preset="public_chat", room_version="12",
                           initial_state=[{"type": "m.room.history_visibility", "content":
                                           {"history_visibility": "joined"}}])
        secret = text(client, alice, room, "before bob")
    join(remote, server, room, BOB)
    with server.client() as client:
        later = text(client, alice, room, "after bob")
    assert_matrix_error(remote.request(server, "GET", fed_path("event", secret)), 404, "M_NOT_FOUND")
    assert assert_json_response(remote.request(server, "GET", fed_path("event", later)))["pdus"]
    # Backfill hands out what bob's server may not see in redacted form only.
    body = assert_json_response(remote.request(server, "GET", fed_path(
        "backfill", room, query=f"v={quote(later)}&limit=20")))
    served = {event_id(e): e for e in body["pdus"]}
    assert served[later]["content"]["body"] == "after bob"
    assert served[secret]["content"] == {}


@spec("server-server-api/#put_matrixfederationv2inviteroomideventid")
def test_invite_to_a_remote_room_reaches_sync(setup):
    server, remote, _, (alice_id, alice), _, _ = setup
    room = f"!remote-room:{REMOTE}"
    invite = sign_event(remote, {
        "type": "m.room.member", "room_id": room, "sender": BOB, "state_key": alice_id,
        "content": {"membership": "invite"}, "origin_server_ts": now_ms(), "depth": 5,
        "prev_events": ["$" + "p" * 43], "auth_events": ["$" + "a" * 43]})
    eid = event_id(invite)
    stripped = [{"type": "m.room.name", "state_key": "", "sender": BOB, "content": {"name": "Bob's room"}}]
    body = assert_json_response(remote.request(server, "PUT", fed_path("invite", room, eid, version="v2"), {
        "event": invite, "room_version": "11", "invite_room_state": stripped}))
    signed = body["event"]
    assert server.server_name in signed["signatures"] and REMOTE in signed["signatures"]
    assert event_id(signed) == eid
    with server.client() as client:
        invited = sync(client, alice)["rooms"]["invite"]
    assert room in invited
    events = invited[room]["invite_state"]["events"]
    assert any(e["type"] == "m.room.member" and e["state_key"] == alice_id for e in events)
    # The inviting server's description of the room comes along.
    assert {"type": "m.room.name", "state_key": "", "sender": BOB, "content": {"name": "Bob's room"}} in events
    # Unsupported room versions, invitees of other servers.
    response = remote.request(server, "PUT", fed_path("invite", room, eid, version="v2"),
                              {"event": invite, "room_version": "99"})
    assert_matrix_error(response, 400, "M_INCOMPATIBLE_ROOM_VERSION")
    foreign = sign_event(remote, dict(invite, state_key=f"@carol:{REMOTE}"))
    response = remote.request(server, "PUT", fed_path("invite", room, event_id(foreign), version="v2"),
                              {"event": foreign, "room_version": "11"})
    # invites-v2: servers SHOULD return M_INVALID_PARAM when the state_key is not one of theirs.
    assert_matrix_error(response, 400, "M_INVALID_PARAM")


@spec("server-server-api/#get_matrixfederationv1queryprofile")
def test_query_profile(setup):
    server, remote, _, (alice_id, _), _, _ = setup
    body = assert_json_response(remote.request(server, "GET", fed_path("query", "profile",
                                                                       query=f"user_id={quote(alice_id)}")))
    assert body.get("displayname") == "alice"
    body = assert_json_response(remote.request(server, "GET", fed_path(
        "query", "profile", query=f"user_id={quote(alice_id)}&field=displayname")))
    assert body == {"displayname": "alice"}
    response = remote.request(server, "GET", fed_path("query", "profile",
                                                        query=f"user_id={quote('@nobody:ranvier.reads.test')}"))
    assert_matrix_error(response, 404, "M_NOT_FOUND")


@spec("server-server-api/#get_matrixfederationv1querydirectory")
def test_query_directory(setup):
    server, remote, _, _, room, _ = setup
    alias = "#reads:ranvier.reads.test"
    body = assert_json_response(remote.request(server, "GET", fed_path("query", "directory",
                                                                       query=f"room_alias={quote(alias)}")))
    assert body["room_id"] == room
    assert server.server_name in body["servers"] and REMOTE in body["servers"]
    response = remote.request(server, "GET", fed_path("query", "directory",
                                                        query=f"room_alias={quote('#none:ranvier.reads.test')}"))
    assert_matrix_error(response, 404, "M_NOT_FOUND")


@spec("server-server-api/#public-room-directory")
def test_public_rooms(setup):
    server, remote, _, (_, alice), room, _ = setup
    with server.client() as client:
        assert_json_response(client.put(f"/_matrix/client/v3/directory/list/room/{quote(room)}", token=alice,
                                        json_body={"visibility": "public"}))
    body = assert_json_response(remote.request(server, "GET", fed_path("publicRooms")))
    assert room in {r["room_id"] for r in body["chunk"]}
    body = assert_json_response(remote.request(server, "POST", fed_path("publicRooms"),
                                               {"filter": {"generic_search_term": "nothing matches this"}}))
    assert body["chunk"] == []


@spec("server-server-api/#get_matrixfederationv1queryquerytype")
def test_generic_query_endpoint(setup):
    server, remote, _, (alice_id, _), _, _ = setup
    body = assert_json_response(remote.request(server, "GET", fed_path("query", "profile",
                                                                       query=f"user_id={quote(alice_id)}")))
    assert body.get("displayname") == "alice"
    response = remote.request(server, "GET", fed_path("query", "no.such.type", query="x=1"))
    assert_matrix_error(response, 404, "M_UNRECOGNIZED")


@spec("server-server-api/#get_matrixfederationv1hierarchyroomid")
def test_space_hierarchy(setup):
    server, remote, _, (_, alice), _, _ = setup
    with server.client() as client:
        space = create_room(client, alice, preset="public_chat", room_version="12", name="The space",
                            creation_content={"type": "m.space"})
        public_child = create_room(client, alice, preset="public_chat", room_version="12", name="Open")
        private_child = create_room(client, alice, preset="private_chat", room_version="12", name="Closed")
        for child, suggested in ((public_child, True), (private_child, False)):
            put_state(client, alice, space, "m.space.child",
                      {"via": ["ranvier.reads.test"], "suggested": suggested}, state_key=child)
        # Without `via` a child event does not count.
        put_state(client, alice, space, "m.space.child", {}, state_key="!gone:ranvier.reads.test")
    body = assert_json_response(remote.request(server, "GET", fed_path("hierarchy", space)))
    room = body["room"]
    assert room["room_id"] == space and room["room_type"] == "m.space" and room["name"] == "The space"
    assert room["join_rule"] == "public" and room["num_joined_members"] == 1
    assert {e["state_key"] for e in room["children_state"]} == {public_child, private_child}
    assert all(isinstance(e["origin_server_ts"], int) for e in room["children_state"])
    assert [c["room_id"] for c in body["children"]] == [public_child]
    assert body["children"][0]["name"] == "Open"
    assert body["inaccessible_children"] == [private_child]
    body = assert_json_response(remote.request(server, "GET", fed_path("hierarchy", space,
                                                                       query="suggested_only=true")))
    assert {e["state_key"] for e in body["room"]["children_state"]} == {public_child}
    # A room the requesting server can neither peek into nor join is not shown.
    assert_matrix_error(remote.request(server, "GET", fed_path("hierarchy", private_child)), 404, "M_NOT_FOUND")

"""Membership across servers and history from other servers, on a two-server mesh (tools/mesh;
loopback relays and network namespaces): a user of hs1 invites a user of hs2 (the invite
countersigned by hs2 first), hs2's user rejects an invite through hs1 (or alone when hs1 is
unreachable), knocks on an hs1 room and is let in or withdraws, and pages back through history
that hs2 only gets by backfilling from hs1."""

import pytest

from harness.checks import assert_json_response, spec
from harness.mesh import mesh_fixture, server_name, wait_for
from harness.rooms import all_messages, create_room, invite, membership, new_user, path, sync, text

HS1, HS2 = server_name(1), server_name(2)


# Both ways of linking the servers; a cut link in netns mode swallows packets: give up sooner.
mesh = mesh_fixture(2, {"federation": {"request_timeout_ms": 5000}}, modes=("loopback", "netns"))


@pytest.fixture(scope="module")
def clients(mesh):
    made = {name: mesh.client(name) for name in mesh.names}
    yield made
    for client in made.values():
        client.close()


_accounts = iter(range(1, 1000))


def account(clients, server: str) -> tuple[str, str]:
    """A new user on `server`: (user ID, access token)."""
    return new_user(clients[server], f"member{next(_accounts)}")


def section(clients, server: str, token: str, kind: str, room_id: str):
    """The room's entry in one section (join, invite, leave, knock) of an initial /sync."""
    return sync(clients[server], token).get("rooms", {}).get(kind, {}).get(room_id)


def bodies(clients, server: str, token: str, room_id: str) -> list:
    response = clients[server].get(path("rooms", room_id, "messages", query={"dir": "b", "limit": 50}),
                                   token=token)
    if response.status != 200:
        return []
    return [e["content"].get("body") for e in response.json()["chunk"] if e["type"] == "m.room.message"]


@spec("server-server-api/#inviting-to-a-room")
def test_remote_invite_shows_stripped_state_and_can_be_joined(clients):
    alice, alice_token = account(clients, HS1)
    bob, bob_token = account(clients, HS2)
    room_id = create_room(clients[HS1], alice_token, preset="private_chat", name="Invited over federation")
    invite(clients[HS1], alice_token, room_id, bob)
    # hs1 stored the invite only after hs2 countersigned it.
    assert membership(clients[HS1], alice_token, room_id, bob) == "invite"
    invited = wait_for(lambda: section(clients, HS2, bob_token, "invite", room_id), "the invite in hs2's /sync")
    stripped = {(e["type"], e["state_key"]): e for e in invited["invite_state"]["events"]}
    assert stripped[("m.room.name", "")]["content"]["name"] == "Invited over federation"
    assert ("m.room.create", "") in stripped
    assert stripped[("m.room.member", bob)]["content"]["membership"] == "invite"
    assert stripped[("m.room.member", bob)]["sender"] == alice
    assert_json_response(clients[HS2].post(path("join", room_id), token=bob_token, json_body={}))
    wait_for(lambda: membership(clients[HS1], alice_token, room_id, bob) == "join", "bob's join on hs1")
    text(clients[HS1], alice_token, room_id, "from alice")
    text(clients[HS2], bob_token, room_id, "from bob")
    for server, token in ((HS1, alice_token), (HS2, bob_token)):
        wait_for(lambda: {"from alice", "from bob"} <= set(bodies(clients, server, token, room_id)),
                 f"both messages on {server}")


@spec("server-server-api/#leaving-rooms-rejecting-invites")
def test_rejecting_a_remote_invite_goes_through_the_inviting_server(clients):
    alice, alice_token = account(clients, HS1)
    bob, bob_token = account(clients, HS2)
    # createRoom's `invite` list reaches users of other servers too.
    room_id = create_room(clients[HS1], alice_token, preset="private_chat", invite=[bob])
    assert membership(clients[HS1], alice_token, room_id, bob) == "invite"
    wait_for(lambda: section(clients, HS2, bob_token, "invite", room_id), "the invite in hs2's /sync")
    since = sync(clients[HS2], bob_token)["next_batch"]
    assert_json_response(clients[HS2].post(path("rooms", room_id, "leave"), token=bob_token, json_body={}))
    wait_for(lambda: membership(clients[HS1], alice_token, room_id, bob) == "leave", "bob's rejection on hs1")
    assert section(clients, HS2, bob_token, "invite", room_id) is None
    body = sync(clients[HS2], bob_token, since=since)
    assert room_id in body.get("rooms", {}).get("leave", {})
    # A second leave changes nothing.
    assert_json_response(clients[HS2].post(path("rooms", room_id, "leave"), token=bob_token, json_body={}))


@spec("server-server-api/#knocking-upon-a-room")
def test_knock_on_a_remote_room_then_invited_and_joined(clients):
    alice, alice_token = account(clients, HS1)
    bob, bob_token = account(clients, HS2)
    room_id = create_room(clients[HS1], alice_token, name="Knock first",
                          initial_state=[{"type": "m.room.join_rules", "state_key": "",
                                          "content": {"join_rule": "knock"}}])
    answer = assert_json_response(clients[HS2].post(path("knock", room_id, query={"via": HS1}), token=bob_token,
                                                    json_body={"reason": "let me in"}))
    assert answer["room_id"] == room_id
    knocked = section(clients, HS2, bob_token, "knock", room_id)
    assert knocked is not None, "the knock in hs2's /sync"
    stripped = {(e["type"], e["state_key"]): e for e in knocked["knock_state"]["events"]}
    assert stripped[("m.room.join_rules", "")]["content"]["join_rule"] == "knock"
    assert stripped[("m.room.name", "")]["content"]["name"] == "Knock first"
    assert stripped[("m.room.member", bob)]["content"]["membership"] == "knock"
    assert membership(clients[HS1], alice_token, room_id, bob) == "knock"
    invite(clients[HS1], alice_token, room_id, bob)
    wait_for(lambda: section(clients, HS2, bob_token, "invite", room_id), "the invite in hs2's /sync")
    assert_json_response(clients[HS2].post(path("join", room_id), token=bob_token, json_body={}))
    wait_for(lambda: membership(clients[HS1], alice_token, room_id, bob) == "join", "bob's join on hs1")
    text(clients[HS2], bob_token, room_id, "knocked and joined")
    wait_for(lambda: "knocked and joined" in bodies(clients, HS1, alice_token, room_id), "bob's message on hs1")


@spec("server-server-api/#leaving-rooms-rejecting-invites")
def test_a_knock_on_a_remote_room_can_be_withdrawn(clients):
    _, alice_token = account(clients, HS1)
    bob, bob_token = account(clients, HS2)
    room_id = create_room(clients[HS1], alice_token,
                          initial_state=[{"type": "m.room.join_rules", "state_key": "",
                                          "content": {"join_rule": "knock"}}])
    assert_json_response(clients[HS2].post(path("knock", room_id, query={"via": HS1}), token=bob_token,
                                           json_body={}))
    assert membership(clients[HS1], alice_token, room_id, bob) == "knock"
    assert_json_response(clients[HS2].post(path("rooms", room_id, "leave"), token=bob_token, json_body={}))
    assert membership(clients[HS1], alice_token, room_id, bob) == "leave"
    assert section(clients, HS2, bob_token, "knock", room_id) is None


@spec("server-server-api/#backfilling-and-retrieving-missing-events")
def test_history_before_the_join_is_backfilled_in_order(clients):
    _, alice_token = account(clients, HS1)
    _, bob_token = account(clients, HS2)
    room_id = create_room(clients[HS1], alice_token, preset="public_chat", name="Long history")
    sent = [f"message {i}" for i in range(200)]
    for body in sent:
        text(clients[HS1], alice_token, room_id, body)
    assert_json_response(clients[HS2].post(path("join", room_id, query={"via": HS1}), token=bob_token,
                                           json_body={}))
    events = all_messages(clients[HS2], bob_token, room_id, dir="b", limit=40)
    seen = [e["content"]["body"] for e in events if e["type"] == "m.room.message"]
    assert seen == list(reversed(sent))
    # The walk back ends at the room's creation, with nothing repeated.
    assert events[-1]["type"] == "m.room.create"
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids))
    # Forwards from the beginning gives the same history the other way round.
    forwards = all_messages(clients[HS2], bob_token, room_id, dir="f", limit=40)
    assert [e["event_id"] for e in forwards] == list(reversed(ids))


@spec("server-server-api/#inviting-to-a-room")
def test_invite_refused_by_the_invitees_server_stores_nothing(clients):
    _, alice_token = account(clients, HS1)
    room_id = create_room(clients[HS1], alice_token, preset="private_chat")
    nobody = f"@nobody:{HS2}"
    response = clients[HS1].post(path("rooms", room_id, "invite"), token=alice_token, json_body={"user_id": nobody})
    assert response.status == 403, response.body
    assert response.json()["errcode"] == "M_FORBIDDEN"
    assert membership(clients[HS1], alice_token, room_id, nobody) is None


@spec("server-server-api/#inviting-to-a-room")
def test_invite_to_an_unreachable_server_fails_and_stores_nothing(mesh, clients):
    _, alice_token = account(clients, HS1)
    bob, _ = account(clients, HS2)
    room_id = create_room(clients[HS1], alice_token, preset="private_chat")
    mesh.partition([HS1], [HS2])
    try:
        response = clients[HS1].post(path("rooms", room_id, "invite"), token=alice_token, json_body={"user_id": bob})
        assert response.status >= 400, response.body
        assert "errcode" in response.json()
        assert membership(clients[HS1], alice_token, room_id, bob) is None
    finally:
        mesh.heal()


@spec("server-server-api/#leaving-rooms-rejecting-invites")
def test_invite_can_be_declined_while_the_inviting_server_is_unreachable(mesh, clients):
    _, alice_token = account(clients, HS1)
    bob, bob_token = account(clients, HS2)
    room_id = create_room(clients[HS1], alice_token, preset="private_chat", invite=[bob])
    wait_for(lambda: section(clients, HS2, bob_token, "invite", room_id), "the invite in hs2's /sync")
    mesh.partition([HS1], [HS2])
    try:
        # No server of the room answers: hs2 rejects the invite on its own, as Synapse does.
        assert_json_response(clients[HS2].post(path("rooms", room_id, "leave"), token=bob_token, json_body={}))
        assert section(clients, HS2, bob_token, "invite", room_id) is None
    finally:
        mesh.heal()
    # hs1 never heard of it.
    assert membership(clients[HS1], alice_token, room_id, bob) == "invite"

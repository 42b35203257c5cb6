"""Room membership: invite, join (by room ID and by alias), leave, forget, kick, ban and unban
with their permission errors; /joined_rooms, /rooms/{roomId}/members (with its filters and
`at`) and /rooms/{roomId}/joined_members; profile data in member events."""

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import (all_messages, assert_client_event, assert_json_response_list, create_room,
                           get_state, invite, join, joined_rooms, leave, membership, new_user, path,
                           public_room, put_state, run_concurrently, sync, text, user_fixture)

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}

alice = user_fixture("alice")
bob = user_fixture("bob")
charlie = user_fixture("charlie")
eve = user_fixture("eve")

def post(client, token, room_id, action, body):
    return client.post(path("rooms", room_id, action), token=token, json_body=body)


def members(client, token, room_id, **query):
    response = client.get(path("rooms", room_id, "members", query=query or None), token=token)
    chunk = assert_json_response(response)["chunk"]
    for event in chunk:
        assert_client_event(event, room_id)
        assert event["type"] == "m.room.member"
    return {e["state_key"]: e["content"]["membership"] for e in chunk}


@spec("client-server-api/#post_matrixclientv3roomsroomidinvite")
def test_invite_then_join(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room_id = create_room(client, token, preset="private_chat")
    assert assert_json_response(post(client, token, room_id, "invite",
                                     {"user_id": bob_id, "reason": "welcome"})) == {}
    member = get_state(client, token, room_id, "m.room.member", bob_id)
    assert member["membership"] == "invite" and member["reason"] == "welcome"
    # Inviting someone already invited succeeds.
    assert_json_response(post(client, token, room_id, "invite", {"user_id": bob_id}))
    assert room_id not in joined_rooms(client, bob_token)
    body = assert_json_response(post(client, bob_token, room_id, "join", {"reason": "hi"}))
    assert body["room_id"] == room_id
    member = get_state(client, token, room_id, "m.room.member", bob_id)
    assert member["membership"] == "join" and member["reason"] == "hi"
    assert room_id in joined_rooms(client, bob_token)
    assert set(members(client, bob_token, room_id)) == {alice_id, bob_id}


@spec("client-server-api/#post_matrixclientv3roomsroomidinvite")
def test_invite_refusals(client, alice, bob, charlie, eve):
    _, token = alice
    bob_id, bob_token = bob
    charlie_id, charlie_token = charlie
    eve_id, _ = eve
    room_id = create_room(client, token, preset="public_chat", power_level_content_override={"invite": 50})
    join(client, bob_token, room_id)
    # The inviter's power level is too low (invite: 50, bob: 0).
    assert_matrix_error(post(client, bob_token, room_id, "invite", {"user_id": eve_id}), 403, "M_FORBIDDEN")
    # The inviter is not in the room.
    assert_matrix_error(post(client, charlie_token, room_id, "invite", {"user_id": eve_id}),
                        403, "M_FORBIDDEN")
    # The invitee is already a member.
    assert_matrix_error(post(client, token, room_id, "invite", {"user_id": bob_id}), 403, "M_FORBIDDEN")
    # The invitee is banned.
    assert_json_response(post(client, token, room_id, "ban", {"user_id": charlie_id}))
    assert_matrix_error(post(client, token, room_id, "invite", {"user_id": charlie_id}),
                        403, "M_FORBIDDEN")
    assert membership(client, token, room_id, eve_id) is None
    assert membership(client, token, room_id, charlie_id) == "ban"
    # Malformed bodies.
    assert_matrix_error(post(client, token, room_id, "invite", {}), 400, ("M_BAD_JSON", "M_MISSING_PARAM"))
    assert_matrix_error(client.post(path("rooms", room_id, "invite"), token=token, body=b"{",
                                    headers={"Content-Type": "application/json"}), 400, "M_NOT_JSON")


@spec("client-server-api/#post_matrixclientv3joinroomidoralias")
def test_join_by_id_and_by_alias(client, alice, bob, charlie):
    alice_id, token = alice
    bob_id, bob_token = bob
    charlie_id, charlie_token = charlie
    room_id = create_room(client, token, preset="public_chat", room_alias_name="lobby")
    assert join(client, bob_token, "#lobby:localhost") == room_id
    assert join(client, charlie_token, room_id) == room_id
    assert set(members(client, token, room_id, membership="join")) == {alice_id, bob_id, charlie_id}
    # Joining again while joined is not an error.
    assert join(client, bob_token, room_id) == room_id
    # An alias that does not exist: Synapse answers 404 M_NOT_FOUND.
    assert_matrix_error(client.post(path("join", "#nosuchalias:localhost"), token=bob_token, json_body={}),
                        404, "M_NOT_FOUND")


@spec("client-server-api/#post_matrixclientv3roomsroomidjoin")
def test_invite_only_rooms_need_an_invite(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = create_room(client, token, preset="private_chat")
    assert_matrix_error(post(client, bob_token, room_id, "join", {}), 403, "M_FORBIDDEN")
    assert_matrix_error(client.post(path("join", room_id), token=bob_token, json_body={}), 403, "M_FORBIDDEN")
    assert membership(client, token, room_id, bob_id) is None
    # After leaving, an invite-only room needs a new invite.
    invite(client, token, room_id, bob_id)
    join(client, bob_token, room_id)
    leave(client, bob_token, room_id)
    assert_matrix_error(post(client, bob_token, room_id, "join", {}), 403, "M_FORBIDDEN")


@spec("client-server-api/#post_matrixclientv3roomsroomidleave")
def test_leave_and_reject_invite(client, alice, bob, charlie):
    _, token = alice
    bob_id, bob_token = bob
    charlie_id, charlie_token = charlie
    room_id = public_room(client, token, bob_token)
    assert assert_json_response(post(client, bob_token, room_id, "leave", {"reason": "bye"})) == {}
    member = get_state(client, token, room_id, "m.room.member", bob_id)
    assert member["membership"] == "leave" and member["reason"] == "bye"
    assert room_id not in joined_rooms(client, bob_token)
    assert_matrix_error(client.put(path("rooms", room_id, "send", "m.room.message", "t1"), token=bob_token,
                                   json_body={"msgtype": "m.text", "body": "ghost"}), 403, "M_FORBIDDEN")
    # Public: re-joining needs no invite.
    join(client, bob_token, room_id)
    assert membership(client, token, room_id, bob_id) == "join"
    # Leaving an invited room rejects the invite.
    invite(client, token, room_id, charlie_id)
    leave(client, charlie_token, room_id)
    assert membership(client, token, room_id, charlie_id) == "leave"


@spec("client-server-api/#post_matrixclientv3roomsroomidforget")
def test_forget(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = public_room(client, token, bob_token)
    text(client, token, room_id, "history")
    # Still joined: 400 (the spec's example errcode and Synapse's are M_UNKNOWN).
    assert_matrix_error(post(client, bob_token, room_id, "forget", {}), 400, "M_UNKNOWN")
    leave(client, bob_token, room_id)
    # A former member still reads the history up to the leave ...
    assert "history" in [e["content"].get("body") for e in all_messages(client, bob_token, room_id)]
    assert assert_json_response(post(client, bob_token, room_id, "forget", {})) == {}
    # ... but not after forgetting it, and the room no longer appears in /sync.
    body = sync(client, bob_token, filter={"room": {"include_leave": True}})
    for section in ("join", "invite", "leave", "knock"):
        assert room_id not in body.get("rooms", {}).get(section, {}), section
    # "a user will no longer be able to retrieve history"; /messages answers non-members with 403.
    assert_matrix_error(client.get(path("rooms", room_id, "messages", query={"dir": "b"}), token=bob_token),
                        403, "M_FORBIDDEN")
    # Until the user joins again.
    join(client, bob_token, room_id)
    assert room_id in sync(client, bob_token).get("rooms", {}).get("join", {})
    assert "history" in [e["content"].get("body") for e in all_messages(client, bob_token, room_id)]


@spec("client-server-api/#post_matrixclientv3roomsroomidkick")
def test_kick(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    # bob (0) cannot kick alice.
    assert_matrix_error(post(client, bob_token, room_id, "kick", {"user_id": alice_id}), 403, "M_FORBIDDEN")
    assert assert_json_response(post(client, token, room_id, "kick",
                                     {"user_id": bob_id, "reason": "jokes"})) == {}
    events = assert_json_response_list(client.get(path("rooms", room_id, "state"), token=token))
    kick = [e for e in events if e["type"] == "m.room.member" and e["state_key"] == bob_id][0]
    assert kick["sender"] == alice_id
    assert kick["content"]["membership"] == "leave" and kick["content"]["reason"] == "jokes"
    assert room_id not in joined_rooms(client, bob_token)
    # A kicked user may come back to a public room.
    join(client, bob_token, room_id)
    assert membership(client, token, room_id, bob_id) == "join"


@spec("client-server-api/#post_matrixclientv3roomsroomidkick")
def test_kicking_a_non_member_is_refused(client, alice, charlie):
    _, token = alice
    charlie_id, _ = charlie
    room_id = public_room(client, token)
    # The endpoint lists "the kickee is not currently in the room" among its 403 reasons (the
    # auth rules alone would allow a leave event for a user without membership).
    assert_matrix_error(post(client, token, room_id, "kick", {"user_id": charlie_id}), 403, "M_FORBIDDEN")
    assert membership(client, token, room_id, charlie_id) is None


@spec("client-server-api/#post_matrixclientv3roomsroomidban")
def test_ban_and_unban(client, alice, bob, charlie, eve):
    alice_id, token = alice
    bob_id, bob_token = bob
    charlie_id, charlie_token = charlie
    eve_id, _ = eve
    room_id = public_room(client, token, bob_token, charlie_token)
    assert_matrix_error(post(client, bob_token, room_id, "ban", {"user_id": charlie_id}), 403, "M_FORBIDDEN")
    assert assert_json_response(post(client, token, room_id, "ban",
                                     {"user_id": bob_id, "reason": "spam"})) == {}
    member = get_state(client, token, room_id, "m.room.member", bob_id)
    assert member["membership"] == "ban" and member["reason"] == "spam"
    assert room_id not in joined_rooms(client, bob_token)
    assert_matrix_error(post(client, bob_token, room_id, "join", {}), 403, "M_FORBIDDEN")
    # Someone who never was in the room can be banned too.
    assert_json_response(post(client, token, room_id, "ban", {"user_id": eve_id}))
    assert membership(client, token, room_id, eve_id) == "ban"
    # Unbanning needs the ban level as well.
    assert_matrix_error(post(client, charlie_token, room_id, "unban", {"user_id": bob_id}), 403, "M_FORBIDDEN")
    assert assert_json_response(post(client, token, room_id, "unban", {"user_id": bob_id})) == {}
    assert membership(client, token, room_id, bob_id) == "leave"
    join(client, bob_token, room_id)
    assert membership(client, token, room_id, bob_id) == "join"


@spec("client-server-api/#other-error-codes")  # M_BAD_STATE: unbanning a user who is not banned
def test_unbanning_someone_not_banned_is_refused(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    # Synapse answers 403 M_BAD_STATE; the spec names the code but no status.
    assert_matrix_error(post(client, token, room_id, "unban", {"user_id": bob_id}), (400, 403), "M_BAD_STATE")
    assert membership(client, token, room_id, bob_id) == "join"


@spec("client-server-api/#get_matrixclientv3joined_rooms")
def test_joined_rooms_lists_only_joined(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    joined = create_room(client, token, preset="public_chat")
    invited = create_room(client, token, preset="private_chat", invite=[bob_id])
    left = create_room(client, token, preset="public_chat")
    join(client, bob_token, joined)
    join(client, bob_token, left)
    leave(client, bob_token, left)
    rooms = joined_rooms(client, bob_token)
    assert joined in rooms and invited not in rooms and left not in rooms
    assert len(rooms) == len(set(rooms))
    assert_matrix_error(client.get(path("joined_rooms")), 401, "M_MISSING_TOKEN")


@spec("client-server-api/#get_matrixclientv3roomsroomidmembers")
def test_members_and_filters(client, alice, bob, charlie, eve):
    alice_id, token = alice
    bob_id, bob_token = bob
    charlie_id, charlie_token = charlie
    eve_id, eve_token = eve
    room_id = public_room(client, token, bob_token, charlie_token)
    leave(client, charlie_token, room_id)
    invite(client, token, room_id, eve_id)
    everyone = {alice_id: "join", bob_id: "join", charlie_id: "leave", eve_id: "invite"}
    assert members(client, token, room_id) == everyone
    assert members(client, token, room_id, membership="join") == {alice_id: "join", bob_id: "join"}
    assert members(client, token, room_id, membership="invite") == {eve_id: "invite"}
    assert members(client, token, room_id, not_membership="leave") == \
        {alice_id: "join", bob_id: "join", eve_id: "invite"}
    # Both given: membership is `leave` OR is not `join`.
    assert members(client, token, room_id, membership="leave", not_membership="join") == \
        {charlie_id: "leave", eve_id: "invite"}
    # An invitee is not (and never was) a member: 403.
    assert_matrix_error(client.get(path("rooms", room_id, "members"), token=eve_token), 403, "M_FORBIDDEN")


@spec("client-server-api/#get_matrixclientv3roomsroomidmembers")
def test_members_of_a_left_room_are_those_at_leaving(client, alice, bob, charlie):
    alice_id, token = alice
    bob_id, bob_token = bob
    charlie_id, charlie_token = charlie
    room_id = public_room(client, token, bob_token)
    leave(client, bob_token, room_id)
    join(client, charlie_token, room_id)
    assert members(client, bob_token, room_id) == {alice_id: "join", bob_id: "leave"}


@spec("client-server-api/#get_matrixclientv3roomsroomidmembers")
def test_members_at_a_sync_token(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room_id = create_room(client, token, preset="public_chat")
    text(client, token, room_id, "before bob")
    join(client, bob_token, room_id)
    # With a timeline of one event (bob's join), prev_batch is the point just before the join.
    body = sync(client, token, filter={"room": {"timeline": {"limit": 1}}})
    timeline = body["rooms"]["join"][room_id]["timeline"]
    assert [e["type"] for e in timeline["events"]] == ["m.room.member"]
    assert members(client, token, room_id, at=timeline["prev_batch"]) == {alice_id: "join"}
    assert members(client, token, room_id) == {alice_id: "join", bob_id: "join"}


@spec("client-server-api/#get_matrixclientv3roomsroomidjoined_members")
def test_joined_members_carry_profiles(client, alice, bob, charlie):
    alice_id, token = alice
    bob_id, bob_token = bob
    charlie_id, charlie_token = charlie
    assert_json_response(client.put(path("profile", bob_id, "displayname"), token=bob_token,
                                    json_body={"displayname": "Bob Builder"}))
    assert_json_response(client.put(path("profile", bob_id, "avatar_url"), token=bob_token,
                                    json_body={"avatar_url": "mxc://localhost/bobface"}))
    room_id = public_room(client, token, bob_token)
    invite(client, token, room_id, charlie_id)
    # The member event carries the profile (client-server-api/#events-on-change-of-profile-information).
    member = get_state(client, token, room_id, "m.room.member", bob_id)
    assert member["displayname"] == "Bob Builder" and member["avatar_url"] == "mxc://localhost/bobface"
    joined = assert_json_response(client.get(path("rooms", room_id, "joined_members"), token=bob_token))["joined"]
    assert set(joined) == {alice_id, bob_id}
    assert joined[bob_id] == {"display_name": "Bob Builder", "avatar_url": "mxc://localhost/bobface"}
    assert joined[alice_id]["display_name"] == "alice"
    assert_matrix_error(client.get(path("rooms", room_id, "joined_members"), token=charlie_token),
                        403, "M_FORBIDDEN")
    leave(client, bob_token, room_id)
    assert_matrix_error(client.get(path("rooms", room_id, "joined_members"), token=bob_token),
                        403, "M_FORBIDDEN")


@spec("client-server-api/#events-on-change-of-profile-information")
def test_profile_change_updates_member_events(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    assert_json_response(client.put(path("profile", bob_id, "displayname"), token=bob_token,
                                    json_body={"displayname": "Robert"}))
    member = get_state(client, token, room_id, "m.room.member", bob_id)
    assert member["membership"] == "join" and member["displayname"] == "Robert"


@spec("client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey")
def test_membership_through_the_state_api(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    # Kicking by setting the target's member state directly.
    put_state(client, token, room_id, "m.room.member", {"membership": "leave"}, bob_id)
    assert membership(client, token, room_id, bob_id) == "leave"
    assert room_id not in joined_rooms(client, bob_token)


@spec("client-server-api/#room-membership")
@pytest.mark.parametrize("version", [str(v) for v in range(1, 13)])
def test_membership_life_cycle_in_every_room_version(client, alice, bob, version):
    alice_id, token = alice
    bob_id, bob_token = bob
    room_id = create_room(client, token, room_version=version, preset="private_chat")
    assert_matrix_error(post(client, bob_token, room_id, "join", {}), 403, "M_FORBIDDEN")
    invite(client, token, room_id, bob_id)
    join(client, bob_token, room_id)
    said = text(client, bob_token, room_id, f"bob in v{version}")
    assert said in [e["event_id"] for e in all_messages(client, token, room_id)]
    assert_json_response(post(client, token, room_id, "kick", {"user_id": bob_id}))
    assert membership(client, token, room_id, bob_id) == "leave"
    assert_json_response(post(client, token, room_id, "ban", {"user_id": bob_id}))
    assert_matrix_error(post(client, token, room_id, "invite", {"user_id": bob_id}), 403, "M_FORBIDDEN")
    assert_json_response(post(client, token, room_id, "unban", {"user_id": bob_id}))
    invite(client, token, room_id, bob_id)
    join(client, bob_token, room_id)
    assert set(members(client, token, room_id, membership="join")) == {alice_id, bob_id}


@spec("client-server-api/#get_matrixclientv3roomsroomidjoined_members")
def test_per_room_display_name(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    put_state(client, bob_token, room_id, "m.room.member", {"membership": "join", "displayname": "Bob here"},
              bob_id)
    joined = assert_json_response(client.get(path("rooms", room_id, "joined_members"), token=token))["joined"]
    assert joined[bob_id]["display_name"] == "Bob here"


@spec("client-server-api/#redactions")
def test_redacted_join_still_counts_as_joined(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    join_event = [e for e in assert_json_response_list(client.get(path("rooms", room_id, "state"), token=token))
                  if e["type"] == "m.room.member" and e["state_key"] == bob_id][0]
    assert_json_response(client.put(path("rooms", room_id, "redact", join_event["event_id"], "r1"), token=token,
                                    json_body={}))
    # The redaction algorithm keeps `membership`: bob stays joined, without his display name.
    assert get_state(client, token, room_id, "m.room.member", bob_id) == {"membership": "join"}
    assert bob_id in assert_json_response(client.get(path("rooms", room_id, "joined_members"),
                                                     token=token))["joined"]
    text(client, bob_token, room_id, "still here")


@spec("client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey")
def test_nobody_joins_on_behalf_of_another(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token)
    response = client.put(path("rooms", room_id, "state", "m.room.member", bob_id), token=token,
                          json_body={"membership": "join"})
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    assert membership(client, token, room_id, bob_id) is None
    assert room_id not in joined_rooms(client, bob_token)


@spec("client-server-api/#room-membership")
def test_concurrent_joins_and_messages(server, client, alice):
    alice_id, token = alice
    room_id = public_room(client, token)
    users = [new_user(client, f"crowd{i}") for i in range(8)]

    def join_and_speak(c, user):
        user_id, user_token = user
        join(c, user_token, room_id)
        text(c, user_token, room_id, f"hello from {user_id}")

    run_concurrently(server, join_and_speak, users)
    expected = {alice_id} | {user_id for user_id, _ in users}
    joined = assert_json_response(client.get(path("rooms", room_id, "joined_members"), token=token))["joined"]
    assert set(joined) == expected
    events = all_messages(client, token, room_id, limit=100)
    said = [e["content"]["body"] for e in events if e["type"] == "m.room.message"]
    assert sorted(said) == sorted(f"hello from {user_id}" for user_id, _ in users)
    assert len({e["event_id"] for e in events}) == len(events)


@spec("client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey")
@pytest.mark.parametrize("version", ["1", "2", "12"])  # state resolution v1, v2 and v2.1
def test_concurrent_writes_to_one_state_key(server, client, alice, version):
    _, token = alice
    room_id = public_room(client, token, room_version=version)
    run_concurrently(server, lambda c, i: put_state(c, token, room_id, "org.example.counter", {"value": i}),
                     range(10), together=True)
    final = get_state(client, token, room_id, "org.example.counter")
    assert final["value"] in range(10)
    events = assert_json_response_list(client.get(path("rooms", room_id, "state"), token=token))
    counters = [e for e in events if e["type"] == "org.example.counter"]
    assert len(counters) == 1 and counters[0]["content"] == final
    # The latest write in the timeline is the one in the state.
    timeline = [e for e in all_messages(client, token, room_id, limit=100) if e["type"] == "org.example.counter"]
    assert len(timeline) == 10 and timeline[0]["event_id"] == counters[0]["event_id"]


@spec("client-server-api/#room-membership")
def test_racing_joins_and_leaves_settle_consistently(server, client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token)

    def toggle(c, first):
        for i in range(6):
            action = "join" if (i % 2 == 0) == first else "leave"
            c.post(path("rooms", room_id, action), token=bob_token, json_body={})

    run_concurrently(server, toggle, (True, False))
    # Whatever order the server took them in, every view agrees on the outcome.
    final = membership(client, token, room_id, bob_id)
    assert final in ("join", "leave")
    assert (room_id in joined_rooms(client, bob_token)) == (final == "join")
    joined = assert_json_response(client.get(path("rooms", room_id, "joined_members"), token=token))["joined"]
    assert (bob_id in joined) == (final == "join")
    assert members(client, token, room_id).get(bob_id) == final
    in_sync = room_id in sync(client, bob_token).get("rooms", {}).get("join", {})
    assert in_sync == (final == "join")


@spec("client-server-api/#post_matrixclientv3createroom")
def test_concurrent_room_creation(server, client, alice, bob):
    tokens = [alice[1], bob[1]] * 4
    created = run_concurrently(server, create_room, tokens)
    assert len(set(created)) == len(tokens)
    for user_token in (alice[1], bob[1]):
        assert len(set(created) & set(joined_rooms(client, user_token))) == len(tokens) // 2


@spec("client-server-api/#post_matrixclientv3roomsroomidban")
@pytest.mark.parametrize("action", ["invite", "kick", "ban", "unban"])
def test_membership_actions_validate_the_user_id(client, alice, action):
    _, token = alice
    room_id = public_room(client, token)
    for body in ({}, {"user_id": "not-a-user-id"}, {"user_id": 42}):
        assert_matrix_error(post(client, token, room_id, action, body), 400,
                            ("M_BAD_JSON", "M_MISSING_PARAM", "M_INVALID_PARAM"))

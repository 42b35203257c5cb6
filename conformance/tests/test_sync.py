"""GET /sync: initial and incremental syncs of joined, invited and left rooms, limited timelines
with prev_batch, long-polling (timeout), filters by ID and inline, full_state, room summaries,
account data, and bad tokens."""

import json
import signal
import threading
import time

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.client import build_request
from harness.probes import assert_still_serving
from harness.server import RanvierServer, describe_exit
from harness.rooms import (assert_client_event, create_room, invite, join, leave, messages, new_user, path,
                           public_room, put_state, sync, text, timeline_events, user_fixture)

# Presence is off here: these suites check what wakes and fills a sync for room events, and
# every user's first sync going online would be an update of its own (test_presence.py covers it).
CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}, "presence": {"enabled": False}}
SYNC = "client-server-api/#get_matrixclientv3sync"
WIDE = {"room": {"timeline": {"limit": 50}}}
STRIPPED_KEYS = {"type", "state_key", "content", "sender"}

alice = user_fixture("alice")
bob = user_fixture("bob")
charlie = user_fixture("charlie")

def joined(body, room_id):
    return body.get("rooms", {}).get("join", {}).get(room_id)


def section_rooms(body, section):
    return body.get("rooms", {}).get(section, {})


@spec(SYNC)
def test_initial_sync_shows_joined_room(client, alice):
    user_id, token = alice
    room_id = create_room(client, token, name="Synced")
    ids = [text(client, token, room_id, f"m{i}") for i in range(3)]
    body = sync(client, token, filter=WIDE)
    room = joined(body, room_id)
    assert room is not None, body
    events = room["timeline"]["events"]
    state = room.get("state", {}).get("events", [])
    for event in events + state:
        assert_client_event(event)
    assert [e["event_id"] for e in events][-3:] == ids
    assert room["timeline"].get("limited", False) is False
    # State is the state at the start of the timeline: nothing appears in both.
    assert not {e["event_id"] for e in state} & {e["event_id"] for e in events}
    everything = {(e["type"], e.get("state_key")) for e in state + events if "state_key" in e}
    assert {("m.room.create", ""), ("m.room.name", ""), ("m.room.member", user_id),
            ("m.room.power_levels", "")} <= everything


@spec(SYNC)
def test_limited_timeline_and_prev_batch(client, alice):
    user_id, token = alice
    room_id = create_room(client, token, name="Busy")
    ids = [text(client, token, room_id, f"m{i}") for i in range(5)]
    room = joined(sync(client, token, filter={"room": {"timeline": {"limit": 2}}}), room_id)
    timeline = room["timeline"]
    assert [e["event_id"] for e in timeline["events"]] == ids[-2:]
    assert timeline["limited"] is True
    # The state before the timeline includes the whole room state (the timeline has no state events).
    state = {(e["type"], e["state_key"]): e for e in room["state"]["events"]}
    assert state[("m.room.name", "")]["content"] == {"name": "Busy"}
    assert ("m.room.create", "") in state and ("m.room.member", user_id) in state
    # prev_batch continues in /messages right before the timeline.
    page = messages(client, token, room_id, dir="b", limit=1, **{"from": timeline["prev_batch"]})
    assert [e["event_id"] for e in page["chunk"]] == [ids[2]]


@spec(SYNC)
def test_incremental_sync_returns_only_new_events(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = create_room(client, token, preset="public_chat")
    text(client, token, room_id, "old")
    join(client, bob_token, room_id)
    since = sync(client, bob_token)["next_batch"]
    new = text(client, token, room_id, "new")
    body = sync(client, bob_token, since=since)
    room = joined(body, room_id)
    assert [e["event_id"] for e in room["timeline"]["events"]] == [new]
    assert room["timeline"].get("limited", False) is False
    assert room.get("state", {}).get("events", []) == []
    # Nothing new: the room has nothing to report.
    quiet = sync(client, bob_token, since=body["next_batch"])
    assert timeline_events(quiet, room_id) == []


@spec("client-server-api/#syncing")
def test_limited_incremental_sync_carries_the_state_of_the_gap(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = public_room(client, token, bob_token)
    since = sync(client, bob_token)["next_batch"]
    put_state(client, token, room_id, "m.room.name", {"name": "Renamed in the gap"})
    ids = [text(client, token, room_id, f"gap{i}") for i in range(4)]
    room = joined(sync(client, bob_token, since=since, filter={"room": {"timeline": {"limit": 2}}}), room_id)
    assert [e["event_id"] for e in room["timeline"]["events"]] == ids[-2:]
    assert room["timeline"]["limited"] is True
    # The state delta between `since` and the start of the timeline has the new name.
    names = [e["content"] for e in room["state"]["events"] if e["type"] == "m.room.name"]
    assert names == [{"name": "Renamed in the gap"}]


@spec("client-server-api/#syncing")
def test_gap_of_a_limited_sync_is_filled_with_messages(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = public_room(client, token, bob_token)
    since = sync(client, bob_token)["next_batch"]
    ids = [text(client, token, room_id, f"e{i}") for i in range(7, 11)]
    room = joined(sync(client, bob_token, since=since, filter={"room": {"timeline": {"limit": 3}}}), room_id)
    assert [e["event_id"] for e in room["timeline"]["events"]] == ids[1:]
    assert room["timeline"]["limited"] is True
    # The spec's example: the gap is E7; /messages from `since` to `prev_batch` closes it.
    prev_batch = room["timeline"]["prev_batch"]
    forwards = messages(client, bob_token, room_id, dir="f", to=prev_batch, **{"from": since})
    assert [e["event_id"] for e in forwards["chunk"]] == ids[:1]
    backwards = messages(client, bob_token, room_id, dir="b", to=since, **{"from": prev_batch})
    assert [e["event_id"] for e in backwards["chunk"]] == ids[:1]


@spec("client-server-api/#lazy-loading-room-members")
def test_lazy_loading_members_in_sync(client, alice, bob, charlie):
    alice_id, token = alice
    bob_id, bob_token = bob
    _, charlie_token = charlie
    room_id = public_room(client, token, bob_token, charlie_token)
    text(client, bob_token, room_id, "only bob speaks")
    room = joined(sync(client, token, filter={"room": {"timeline": {"limit": 1},
                                                      "state": {"lazy_load_members": True}}}), room_id)
    assert [e["sender"] for e in room["timeline"]["events"]] == [bob_id]
    members = {e["state_key"] for e in room["state"]["events"] if e["type"] == "m.room.member"}
    # The timeline's sender, plus the syncing user's own membership (MUST when the full state is
    # requested, which an initial sync is); not charlie, who sent nothing.
    assert members == {bob_id, alice_id}


@spec(SYNC)
def test_invited_rooms(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    since = sync(client, bob_token)["next_batch"]
    room_id = create_room(client, token, preset="private_chat", name="Invitation")
    invite(client, token, room_id, bob_id)
    for body in (sync(client, bob_token), sync(client, bob_token, since=since)):
        assert joined(body, room_id) is None
        stripped = section_rooms(body, "invite")[room_id]["invite_state"]["events"]
        for event in stripped:
            # Stripped state: exactly type, state_key, content and sender.
            assert set(event) == STRIPPED_KEYS, event
        mine = [e for e in stripped if e["type"] == "m.room.member" and e["state_key"] == bob_id]
        assert mine and mine[0]["content"]["membership"] == "invite" and mine[0]["sender"] == alice_id
        # Name and create event SHOULD be in the stripped state (Synapse includes them).
        types = {e["type"] for e in stripped}
        assert {"m.room.create", "m.room.name", "m.room.join_rules"} <= types
    since = sync(client, bob_token)["next_batch"]
    join(client, bob_token, room_id)
    body = sync(client, bob_token, since=since)
    assert room_id not in section_rooms(body, "invite")
    assert joined(body, room_id) is not None


@spec("client-server-api/#leaving-rooms")
def test_left_rooms(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    since = sync(client, bob_token)["next_batch"]
    leave(client, bob_token, room_id)
    body = sync(client, bob_token, since=since)
    assert joined(body, room_id) is None
    left = section_rooms(body, "leave")[room_id]
    own = [e for e in left["timeline"]["events"] if e["type"] == "m.room.member" and e["state_key"] == bob_id]
    assert own and own[-1]["content"]["membership"] == "leave"
    # Afterwards the room appears only when the filter asks for left rooms.
    assert room_id not in section_rooms(sync(client, bob_token), "leave")
    assert room_id not in section_rooms(sync(client, bob_token), "join")
    assert room_id in section_rooms(sync(client, bob_token, filter={"room": {"include_leave": True}}), "leave")


class LongPoll:
    """A /sync with `timeout` running on its own connection in a thread."""

    def __init__(self, server, token, since, timeout_ms=10000):
        self.body = None
        self.returned = None
        self.error = None
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._run, args=(server, token, since, timeout_ms))
        self._thread.start()

    def _run(self, server, token, since, timeout_ms):
        try:
            with server.client(timeout=timeout_ms / 1000 + 20) as poller:
                self.body = sync(poller, token, since=since, timeout=timeout_ms)
                self.returned = time.monotonic()
        except Exception as error:  # reported by finish(); a shutdown may also end the poll
            self.error = error

    def finish(self, woken_at):
        """Waits for the answer; checks it came soon after `woken_at` and not before."""
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "the long poll did not return"
        assert self.body is not None, f"the long poll failed: {self.error!r}"
        waited = self.returned - self.started
        assert self.returned >= woken_at, f"returned after {waited:.2f}s, before anything happened"
        assert self.returned - woken_at < 3.0, "the long poll did not wake up on the change"
        return self.body


@spec(SYNC)
def test_newly_joined_room_comes_with_its_state(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = create_room(client, token, preset="public_chat", name="Joined later")
    for i in range(3):
        text(client, token, room_id, f"before{i}")
    since = sync(client, bob_token)["next_batch"]
    join(client, bob_token, room_id)
    room = joined(sync(client, bob_token, since=since, filter={"room": {"timeline": {"limit": 1}}}), room_id)
    # The timeline ends with bob's join; the state before it is new to bob, so all of it comes.
    assert room["timeline"]["events"][-1]["type"] == "m.room.member"
    types = {e["type"] for e in room["state"]["events"]}
    assert {"m.room.create", "m.room.name", "m.room.power_levels", "m.room.join_rules"} <= types


@spec(SYNC)
def test_banned_rooms_are_in_the_leave_section(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    since = sync(client, bob_token)["next_batch"]
    assert_json_response(client.post(path("rooms", room_id, "ban"), token=token,
                                     json_body={"user_id": bob_id, "reason": "enough"}))
    body = sync(client, bob_token, since=since)
    assert joined(body, room_id) is None
    events = section_rooms(body, "leave")[room_id]["timeline"]["events"]
    ban = [e for e in events if e["type"] == "m.room.member" and e["state_key"] == bob_id]
    assert ban and ban[-1]["content"]["membership"] == "ban"


@spec(SYNC)
def test_long_poll_returns_when_an_event_arrives(server, client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = public_room(client, token, bob_token)
    poll = LongPoll(server, bob_token, sync(client, bob_token)["next_batch"])
    time.sleep(1.0)
    woken_at = time.monotonic()
    event_id = text(client, token, room_id, "wake up")
    body = poll.finish(woken_at)
    assert event_id in [e["event_id"] for e in timeline_events(body, room_id)]


@spec(SYNC)
def test_long_poll_returns_on_an_invite(server, client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = create_room(client, token)
    poll = LongPoll(server, bob_token, sync(client, bob_token)["next_batch"])
    time.sleep(1.0)
    woken_at = time.monotonic()
    invite(client, token, room_id, bob_id)
    body = poll.finish(woken_at)
    assert room_id in section_rooms(body, "invite")


@spec(SYNC)
def test_long_poll_returns_on_account_data(server, client, bob):
    bob_id, bob_token = bob
    poll = LongPoll(server, bob_token, sync(client, bob_token)["next_batch"])
    time.sleep(1.0)
    woken_at = time.monotonic()
    assert_json_response(client.put(path("user", bob_id, "account_data", "org.example.poke"), token=bob_token,
                                    json_body={"poked": True}))
    body = poll.finish(woken_at)
    assert {"type": "org.example.poke", "content": {"poked": True}} in body["account_data"]["events"]


@spec(SYNC)
def test_timeouts_bound_the_wait(client, bob):
    _, bob_token = bob
    since = sync(client, bob_token)["next_batch"]
    started = time.monotonic()
    sync(client, bob_token, since=since, timeout=0)
    assert time.monotonic() - started < 2.0
    started = time.monotonic()
    sync(client, bob_token, since=since, timeout=1500)
    assert time.monotonic() - started < 1.5 + 3.0


@spec(SYNC)
def test_bad_requests(client, bob):
    _, bob_token = bob
    # The spec names no code for a `since` that is no token; Synapse answers 400.
    assert_matrix_error(client.get(path("sync", query={"since": "garbage!"}), token=bob_token), 400, None)
    for bad_filter in ("{not json", '{"room": {"timeline": {"limit": "ten"}}}', '{"room": []}'):
        assert_matrix_error(client.get(path("sync", query={"filter": bad_filter}), token=bob_token),
                            400, ("M_NOT_JSON", "M_BAD_JSON", "M_INVALID_PARAM"))
    # A filter ID that was never uploaded.
    assert_matrix_error(client.get(path("sync", query={"filter": "999999"}), token=bob_token),
                        (400, 404), ("M_INVALID_PARAM", "M_NOT_FOUND"))
    assert_matrix_error(client.get(path("sync")), 401, "M_MISSING_TOKEN")
    # Query parameters of the wrong type or outside their enum: Synapse answers 400 M_INVALID_PARAM.
    for query in ({"timeout": "soon"}, {"full_state": "maybe"}, {"set_presence": "dancing"}):
        assert_matrix_error(client.get(path("sync", query=query), token=bob_token), 400, "M_INVALID_PARAM")
    assert_json_response(client.get(path("sync", query={"set_presence": "offline", "timeout": 0}),
                                    token=bob_token))


@spec("client-server-api/#filtering")
def test_filter_by_id_and_inline(client, alice):
    user_id, token = alice
    room_a = create_room(client, token)
    room_b = create_room(client, token)
    ids = [text(client, token, room_a, f"a{i}") for i in range(3)]
    put_state(client, token, room_a, "org.example.marker", {"n": 1})
    text(client, token, room_b, "b0")
    definition = {"room": {"rooms": [room_a], "timeline": {"limit": 2, "types": ["m.room.message"]}}}
    filter_id = assert_json_response(client.post(path("user", user_id, "filter"), token=token,
                                                 json_body=definition))["filter_id"]
    for chosen in (filter_id, definition):
        body = sync(client, token, filter=chosen)
        assert room_b not in section_rooms(body, "join")
        timeline = joined(body, room_a)["timeline"]
        assert [e["event_id"] for e in timeline["events"]] == ids[-2:]
        assert timeline["limited"] is True
    body = sync(client, token, filter={"room": {"timeline": {"not_types": ["m.room.message"], "limit": 50}}})
    for room_id in (room_a, room_b):
        assert "m.room.message" not in {e["type"] for e in timeline_events(body, room_id)}


@spec(SYNC)
def test_full_state(client, alice):
    _, token = alice
    room_id = create_room(client, token, name="Full")
    since = sync(client, token)["next_batch"]
    new = text(client, token, room_id, "after the token")
    delta = joined(sync(client, token, since=since), room_id)
    assert delta.get("state", {}).get("events", []) == []
    full = joined(sync(client, token, since=since, full_state=True), room_id)
    types = {e["type"] for e in full["state"]["events"]}
    assert {"m.room.create", "m.room.name", "m.room.member", "m.room.power_levels"} <= types
    # The timeline is still limited by `since`.
    assert [e["event_id"] for e in full["timeline"]["events"]] == [new]


@spec(SYNC)
def test_room_summary(client, alice, bob, charlie):
    alice_id, token = alice
    bob_id, bob_token = bob
    charlie_id, _ = charlie
    room_id = public_room(client, token, bob_token)
    invite(client, token, room_id, charlie_id)
    summary = joined(sync(client, token), room_id)["summary"]
    assert summary["m.joined_member_count"] == 2
    assert summary["m.invited_member_count"] == 1
    # No name or canonical alias: heroes are required, joined or invited, never the syncing user.
    assert set(summary["m.heroes"]) == {bob_id, charlie_id}


@spec("client-server-api/#account-data")
def test_account_data_in_sync(client, alice):
    user_id, token = alice
    room_id = create_room(client, token)
    assert_json_response(client.put(path("user", user_id, "account_data", "org.example.cfg"), token=token,
                                    json_body={"v": 1}))
    assert_json_response(client.put(path("user", user_id, "rooms", room_id, "account_data", "org.example.r"),
                                    token=token, json_body={"r": True}))
    body = sync(client, token)
    found = {e["type"]: e["content"] for e in body["account_data"]["events"]}
    assert found["org.example.cfg"] == {"v": 1}
    in_room = {e["type"]: e["content"] for e in joined(body, room_id)["account_data"]["events"]}
    assert in_room["org.example.r"] == {"r": True}
    assert_json_response(client.put(path("user", user_id, "account_data", "org.example.cfg"), token=token,
                                    json_body={"v": 2}))
    later = sync(client, token, since=body["next_batch"])
    found = {e["type"]: e["content"] for e in later["account_data"]["events"]}
    assert found["org.example.cfg"] == {"v": 2}


@spec("client-server-api/#filtering")
def test_state_and_account_data_filters(client, alice):
    user_id, token = alice
    room_id = create_room(client, token, name="Filtered")
    text(client, token, room_id, "the timeline's one event")
    assert_json_response(client.put(path("user", user_id, "account_data", "org.example.keep"), token=token,
                                    json_body={"k": 1}))
    assert_json_response(client.put(path("user", user_id, "account_data", "org.example.drop"), token=token,
                                    json_body={"d": 1}))
    body = sync(client, token, filter={"account_data": {"not_types": ["org.example.drop"]},
                                       "room": {"timeline": {"limit": 1}, "state": {"types": ["m.room.name"]}}})
    state = joined(body, room_id)["state"]["events"]
    assert [e["type"] for e in state] == ["m.room.name"]
    types = {e["type"] for e in body["account_data"]["events"]}
    assert "org.example.keep" in types and "org.example.drop" not in types


@spec(SYNC)
def test_incremental_syncs_miss_nothing_while_events_stream_in(server, client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = public_room(client, token, bob_token)
    since = sync(client, bob_token)["next_batch"]
    count = 40
    sent = []

    def sender():
        with server.client() as c:
            for i in range(count):
                sent.append(text(c, token, room_id, f"s{i}"))

    thread = threading.Thread(target=sender)
    thread.start()
    seen = []
    wide = {"room": {"timeline": {"limit": 100}}}
    deadline = time.monotonic() + 60
    while len(seen) < count and time.monotonic() < deadline:
        body = sync(client, bob_token, since=since, timeout=2000, filter=wide)
        room = joined(body, room_id)
        if room is not None:
            assert room["timeline"].get("limited", False) is False
            seen += [e["event_id"] for e in room["timeline"]["events"]]
        since = body["next_batch"]
    thread.join(timeout=30)
    # Every event exactly once, in the order it was sent.
    assert seen == sent


@spec(SYNC)
def test_long_poll_shows_nothing_from_rooms_of_others(server, client, alice, bob):
    _, token = alice
    _, bob_token = bob
    secret = create_room(client, token, preset="private_chat")
    poll = LongPoll(server, bob_token, sync(client, bob_token)["next_batch"], timeout_ms=2000)
    time.sleep(0.5)
    text(client, token, secret, "not for bob")
    poll._thread.join(timeout=30)
    assert poll.body is not None
    for section in ("join", "invite", "leave", "knock"):
        assert secret not in section_rooms(poll.body, section)


@spec("client-server-api/#leaving-rooms")
def test_left_room_timeline_stops_at_the_leave(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    since = sync(client, bob_token)["next_batch"]
    text(client, token, room_id, "before leaving")
    leave(client, bob_token, room_id)
    text(client, token, room_id, "after leaving")
    left = section_rooms(sync(client, bob_token, since=since), "leave")[room_id]
    events = left["timeline"]["events"]
    assert [e["content"].get("body") for e in events if e["type"] == "m.room.message"] == ["before leaving"]
    assert events[-1]["type"] == "m.room.member" and events[-1]["state_key"] == bob_id


@spec(SYNC)
def test_every_waiting_long_poll_wakes(server, client, alice):
    _, token = alice
    crowd = [new_user(client, f"listener{i}") for i in range(5)]
    room_id = public_room(client, token, *[user_token for _, user_token in crowd])
    polls = [LongPoll(server, user_token, sync(client, user_token)["next_batch"]) for _, user_token in crowd]
    time.sleep(1.0)
    woken_at = time.monotonic()
    event_id = text(client, token, room_id, "everybody up")
    for poll in polls:
        assert event_id in [e["event_id"] for e in timeline_events(poll.finish(woken_at), room_id)]


@spec(SYNC)
def test_incremental_syncs_miss_nothing_with_concurrent_senders(server, client, alice, bob, charlie):
    _, token = alice
    _, bob_token = bob
    _, charlie_token = charlie
    rooms = [public_room(client, token, bob_token, charlie_token) for _ in range(2)]
    since = sync(client, bob_token)["next_batch"]
    per_sender = 15
    sent, errors = [], []

    def sender(sender_token, room_id, label):
        try:
            with server.client() as c:
                for i in range(per_sender):
                    sent.append(text(c, sender_token, room_id, f"{label}{i}"))
        except Exception as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=sender, args=(t, r, f"{n}-{r[:6]}-"))
               for r in rooms for n, t in (("alice", token), ("charlie", charlie_token))]
    for thread in threads:
        thread.start()
    seen = []
    wide = {"room": {"timeline": {"limit": 200}}}
    deadline = time.monotonic() + 60
    total = per_sender * len(threads)
    while len(seen) < total and time.monotonic() < deadline:
        body = sync(client, bob_token, since=since, timeout=1000, filter=wide)
        for room_id in rooms:
            room = joined(body, room_id)
            if room is not None:
                assert room["timeline"].get("limited", False) is False
                seen += [e["event_id"] for e in room["timeline"]["events"]]
        since = body["next_batch"]
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    # Every event exactly once, however the senders' writes interleaved.
    assert len(seen) == len(set(seen)) == total
    assert set(seen) == set(sent)


@spec(SYNC)
def test_limited_means_events_were_left_out(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = public_room(client, token, bob_token)
    three = {"room": {"timeline": {"limit": 3}}}
    since = sync(client, bob_token)["next_batch"]
    exactly = [text(client, token, room_id, f"fits{i}") for i in range(3)]
    body = sync(client, bob_token, since=since, filter=three)
    timeline = joined(body, room_id)["timeline"]
    assert [e["event_id"] for e in timeline["events"]] == exactly
    assert timeline.get("limited", False) is False
    more = [text(client, token, room_id, f"spills{i}") for i in range(4)]
    timeline = joined(sync(client, bob_token, since=body["next_batch"], filter=three), room_id)["timeline"]
    assert [e["event_id"] for e in timeline["events"]] == more[1:]
    assert timeline["limited"] is True


@spec(SYNC)
def test_abandoned_long_polls_do_no_harm(server, client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = public_room(client, token, bob_token)
    since = sync(client, bob_token)["next_batch"]
    # Clients that give up on a long poll: the connection closes while the server is waiting.
    for _ in range(5):
        with server.raw(timeout=5) as raw:
            raw.send(build_request("GET", path("sync", query={"since": since, "timeout": 10000}),
                                   headers={"Authorization": f"Bearer {bob_token}"}))
            time.sleep(0.2)
    event_id = text(client, token, room_id, "anyone still there?")
    assert_still_serving(server)
    body = sync(client, bob_token, since=since)
    assert event_id in [e["event_id"] for e in timeline_events(body, room_id)]


@spec("ranvier:issue-2#set-up-and-commands")  # SIGTERM stops gracefully with exit code 0
def test_sigterm_with_waiting_long_polls(tmp_path):
    instance = RanvierServer(tmp_path)
    try:
        instance.init()
        instance.configure({"rate_limits": {"enabled": False}})
        instance.start()
        with instance.client() as c:
            _, user_token = new_user(c, "sleeper")
            since = sync(c, user_token)["next_batch"]
        polls = [LongPoll(instance, user_token, since, timeout_ms=30000) for _ in range(3)]
        time.sleep(0.5)
        began = time.monotonic()
        code = instance.stop(signal.SIGTERM)
        assert code == 0, describe_exit(code)
        assert time.monotonic() - began < 10, "waiting long polls held up shutdown"
        for poll in polls:
            poll._thread.join(timeout=10)
            assert not poll._thread.is_alive()
    finally:
        instance.cleanup()


@spec(SYNC)
def test_lazy_loading_sends_members_changed_in_the_gap(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = public_room(client, token, bob_token)
    lazy = {"room": {"timeline": {"limit": 2}, "state": {"lazy_load_members": True}}}
    text(client, bob_token, room_id, "bob, known")
    since = sync(client, token, filter=lazy)["next_batch"]
    put_state(client, bob_token, room_id, "m.room.member", {"membership": "join", "displayname": "Renamed Bob"},
              bob_id)
    for i in range(4):
        text(client, bob_token, room_id, f"bob again {i}")
    room = joined(sync(client, token, since=since, filter=lazy), room_id)
    assert room["timeline"]["limited"] is True
    # A limited sync MUST carry the membership events of the gap, redundant or not.
    bobs = [e for e in room["state"]["events"] if e["type"] == "m.room.member" and e["state_key"] == bob_id]
    assert bobs and bobs[-1]["content"]["displayname"] == "Renamed Bob"


@spec("client-server-api/#room-history-visibility")
def test_sync_respects_joined_history_visibility(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = create_room(client, token, preset="public_chat", initial_state=[
        {"type": "m.room.history_visibility", "content": {"history_visibility": "joined"}}])
    text(client, token, room_id, "before bob")
    since = sync(client, bob_token)["next_batch"]
    join(client, bob_token, room_id)
    text(client, token, room_id, "after bob")
    for body in (sync(client, bob_token, since=since, filter=WIDE), sync(client, bob_token, filter=WIDE)):
        said = [e["content"].get("body") for e in timeline_events(body, room_id) if e["type"] == "m.room.message"]
        assert said == ["after bob"]


@spec(SYNC)
def test_invites_carry_no_timeline(client, alice, bob):
    _, token = alice
    bob_id, bob_token = bob
    room_id = create_room(client, token, preset="private_chat")
    text(client, token, room_id, "not for invitees")
    invite(client, token, room_id, bob_id)
    invited = section_rooms(sync(client, bob_token, filter=WIDE), "invite")[room_id]
    # An invited room has only its stripped invite_state.
    assert set(invited) <= {"invite_state"}
    assert "not for invitees" not in json.dumps(invited)


@spec(SYNC)
def test_repeating_a_sync_gives_the_same_events(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = public_room(client, token, bob_token)
    since = sync(client, bob_token)["next_batch"]
    sent = [text(client, token, room_id, f"again{i}") for i in range(2)]
    # A client that lost a response retries with the same `since`; nothing may be lost to it.
    for _ in range(2):
        body = sync(client, bob_token, since=since)
        assert [e["event_id"] for e in timeline_events(body, room_id)] == sent


@spec(SYNC)
def test_keep_alive_connection_survives_a_long_poll(server, alice, bob):
    _, token = alice
    _, bob_token = bob
    with server.client(timeout=30) as c:
        room_id = public_room(c, token, bob_token)
        since = sync(c, bob_token)["next_batch"]

        def ping():
            with server.client() as other:
                text(other, token, room_id, "ping")

        woken = threading.Timer(0.5, ping)
        woken.start()
        body = sync(c, bob_token, since=since, timeout=10000)
        woken.join()
        assert [e["content"]["body"] for e in timeline_events(body, room_id)] == ["ping"]
        assert c.get("/_matrix/client/versions").status == 200
        assert c.connections_opened == 1


@spec("rfc9112#section-9.3.2")  # pipelined requests: responses in request order
def test_request_pipelined_behind_a_long_poll(server, client, bob):
    _, bob_token = bob
    since = sync(client, bob_token)["next_batch"]
    long_poll = build_request("GET", path("sync", query={"since": since, "timeout": 1500}),
                              headers={"Authorization": f"Bearer {bob_token}"})
    with server.raw(timeout=15) as raw:
        raw.send(long_poll + build_request("GET", "/_matrix/client/versions"))
        first = raw.read_response(timeout=10)
        second = raw.read_response(timeout=10)
    assert first.status == 200 and "next_batch" in first.json()
    assert second.status == 200 and "versions" in second.json()

"""GET /rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]], GET /rooms/{roomId}/threads
and GET /rooms/{roomId}/timestamp_to_event: relation and event type filters, both directions,
pagination tokens, recursion, thread roots with their aggregation, events by time, and the
errors for unknown, hidden and foreign events and for outsiders."""

from typing import Any
from urllib.parse import quote, urlencode

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import (assert_client_event, create_room, join, public_room, put_state, send, sync,
                           text, user_fixture)

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
RELATIONS = "client-server-api/#get_matrixclientv1roomsroomidrelationseventid"
RELATIONS_REL_TYPE = "client-server-api/#get_matrixclientv1roomsroomidrelationseventidreltype"
RELATIONS_EVENT_TYPE = "client-server-api/#get_matrixclientv1roomsroomidrelationseventidreltypeeventtype"
THREADS = "client-server-api/#get_matrixclientv1roomsroomidthreads"
THREAD_AGGREGATION = "client-server-api/#server-side-aggregation-of-mthread-relationships"
TIMESTAMP = "client-server-api/#get_matrixclientv1roomsroomidtimestamp_to_event"

alice = user_fixture("alice")
bob = user_fixture("bob")
eve = user_fixture("eve")


def v1(*parts: str, **query: Any) -> str:
    """A /_matrix/client/v1 path with percent-encoded parts; booleans sent as true/false."""
    text_path = "/_matrix/client/v1" + "".join("/" + quote(part, safe="") for part in parts)
    query = {k: ("true" if v is True else "false" if v is False else v) for k, v in query.items()}
    return text_path + ("?" + urlencode(query) if query else "")


def relations(client, token: str, room_id: str, event_id: str, *types: str, **query: Any) -> dict:
    """GET /relations/{eventId}[/{relType}[/{eventType}]] with `query`; checked for success."""
    body = assert_json_response(client.get(v1("rooms", room_id, "relations", event_id, *types, **query),
                                           token=token))
    assert isinstance(body.get("chunk"), list), body
    for event in body["chunk"]:
        assert_client_event(event, room_id)
    return body


def ids(events: list[dict]) -> list[str]:
    return [e["event_id"] for e in events]


def relate(client, token: str, room_id: str, target: str, rel_type: str, event_type: str = "m.room.message",
           **content: Any) -> str:
    """Sends an event of `event_type` relating to `target` with `rel_type`."""
    body = {"msgtype": "m.text", "body": f"{rel_type} of {target}", **content,
            "m.relates_to": {"rel_type": rel_type, "event_id": target}}
    if rel_type == "m.annotation":
        body = {"m.relates_to": {"rel_type": rel_type, "event_id": target, "key": content.get("key", "👍")}}
    return send(client, token, room_id, body, event_type=event_type)


@pytest.fixture(scope="module")
def family(server, alice, bob):
    """A public room (alice and bob) with a root message and, in this order: thread replies t0,
    t1, t2, a reaction r0, an edit e0, a reaction on t1 and one unrelated message."""
    _, token = alice
    _, bob_token = bob
    with server.client() as c:
        room_id = public_room(c, token, bob_token)
        root = text(c, token, room_id, "root")
        threads = [relate(c, bob_token if i == 1 else token, room_id, root, "m.thread") for i in range(3)]
        reaction = relate(c, bob_token, room_id, root, "m.annotation", event_type="m.reaction")
        edit = relate(c, token, room_id, root, "m.replace",
                      **{"m.new_content": {"msgtype": "m.text", "body": "root!"}})
        nested = relate(c, bob_token, room_id, threads[1], "m.annotation", event_type="m.reaction", key="👀")
        text(c, token, room_id, "unrelated")
    return {"room": room_id, "root": root, "threads": threads, "reaction": reaction, "edit": edit,
            "nested": nested}


@spec(RELATIONS)
def test_all_children_newest_first(client, alice, family):
    _, token = alice
    page = relations(client, token, family["room"], family["root"], limit=50)
    direct = family["threads"] + [family["reaction"], family["edit"]]
    assert ids(page["chunk"]) == direct[::-1]
    assert "next_batch" not in page and "recursion_depth" not in page
    for event in page["chunk"]:
        assert event["content"]["m.relates_to"]["event_id"] == family["root"]


@spec(RELATIONS)
def test_forwards_gives_chronological_order(client, alice, family):
    _, token = alice
    page = relations(client, token, family["room"], family["root"], dir="f", limit=50)
    assert ids(page["chunk"]) == family["threads"] + [family["reaction"], family["edit"]]


@spec(RELATIONS_REL_TYPE)
def test_filtered_by_relation_type(client, alice, family):
    _, token = alice
    page = relations(client, token, family["room"], family["root"], "m.thread", limit=50)
    assert ids(page["chunk"]) == family["threads"][::-1]
    edits = relations(client, token, family["room"], family["root"], "m.replace")
    assert ids(edits["chunk"]) == [family["edit"]]
    assert relations(client, token, family["room"], family["root"], "org.example.none")["chunk"] == []


@spec(RELATIONS_EVENT_TYPE)
def test_filtered_by_relation_and_event_type(client, alice, family):
    _, token = alice
    room, root = family["room"], family["root"]
    assert ids(relations(client, token, room, root, "m.annotation", "m.reaction")["chunk"]) == [family["reaction"]]
    assert relations(client, token, room, root, "m.annotation", "m.room.message")["chunk"] == []
    assert len(relations(client, token, room, root, "m.thread", "m.room.message", limit=50)["chunk"]) == 3


@spec(RELATIONS)
def test_paging_with_next_batch_both_ways(client, alice, family):
    _, token = alice
    room, root = family["room"], family["root"]
    everything = ids(relations(client, token, room, root, limit=50)["chunk"])
    for direction, expected in (("b", everything), ("f", everything[::-1])):
        seen: list[str] = []
        page = relations(client, token, room, root, dir=direction, limit=2)
        for _ in range(10):
            assert len(page["chunk"]) <= 2
            seen += ids(page["chunk"])
            if "next_batch" not in page:
                break
            token_from = page["next_batch"]
            page = relations(client, token, room, root, dir=direction, limit=2, **{"from": token_from})
            # The token the page started from comes back as prev_batch.
            assert page.get("prev_batch") == token_from
        assert seen == expected


@spec(RELATIONS)
def test_to_bounds_the_page(client, alice, family):
    _, token = alice
    room, root = family["room"], family["root"]
    first = relations(client, token, room, root, limit=2)
    # Backwards from the start up to the end of the first page: the same two events.
    bounded = relations(client, token, room, root, limit=50, to=first["next_batch"])
    assert ids(bounded["chunk"]) == ids(first["chunk"])
    # `from` older than `to` (backwards) is an empty range.
    second = relations(client, token, room, root, limit=2, **{"from": first["next_batch"]})
    assert relations(client, token, room, root, **{"from": second["next_batch"]},
                     to=first["next_batch"])["chunk"] == []


@spec(RELATIONS)
def test_from_a_sync_token(client, alice):
    _, token = alice
    room_id = create_room(client, token)
    root = text(client, token, room_id, "root")
    early = relate(client, token, room_id, root, "m.thread")
    since = sync(client, token)["next_batch"]
    late = relate(client, token, room_id, root, "m.thread")
    assert ids(relations(client, token, room_id, root, **{"from": since})["chunk"]) == [early]
    assert ids(relations(client, token, room_id, root, dir="f", **{"from": since})["chunk"]) == [late]


@spec(RELATIONS)
def test_recursion_includes_relations_of_relations(client, alice, family):
    _, token = alice
    room, root = family["room"], family["root"]
    deep = relations(client, token, room, root, recurse=True, limit=50)
    assert family["nested"] in ids(deep["chunk"])
    assert isinstance(deep["recursion_depth"], int) and deep["recursion_depth"] >= 3
    shallow = relations(client, token, room, root, recurse=False, limit=50)
    assert family["nested"] not in ids(shallow["chunk"])
    # Supplied, even as false: the field is there.
    assert isinstance(shallow["recursion_depth"], int)
    # The filters apply to the events returned, wherever they are in the tree.
    reactions = relations(client, token, room, root, "m.annotation", recurse=True, limit=50)
    assert set(ids(reactions["chunk"])) == {family["reaction"], family["nested"]}


@spec(RELATIONS)
def test_events_without_relations_have_none(client, alice, family):
    _, token = alice
    assert relations(client, token, family["room"], family["edit"])["chunk"] == []


@spec(RELATIONS)
def test_unknown_and_foreign_parents_are_not_found(client, alice, family):
    _, token = alice
    room = family["room"]
    assert_matrix_error(client.get(v1("rooms", room, "relations", "$unknown:localhost"), token=token),
                        404, "M_NOT_FOUND")
    other = create_room(client, token)
    foreign = text(client, token, other, "elsewhere")
    assert_matrix_error(client.get(v1("rooms", room, "relations", foreign), token=token), 404, "M_NOT_FOUND")
    # A relation sent in another room to this room's event is not one of its relations.
    relate(client, token, other, family["root"], "m.reference")
    assert relations(client, token, room, family["root"], "m.reference")["chunk"] == []


@spec(RELATIONS)
def test_outsiders_are_refused(client, eve, family):
    _, eve_token = eve
    response = client.get(v1("rooms", family["room"], "relations", family["root"]), token=eve_token)
    assert_matrix_error(response, 403, "M_FORBIDDEN")
    response = client.get(v1("rooms", "!nowhere:localhost", "relations", family["root"]), token=eve_token)
    assert_matrix_error(response, 403, "M_FORBIDDEN")


@spec(RELATIONS)
def test_parents_hidden_by_history_visibility(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room_id = create_room(client, token, preset="public_chat")
    put_state(client, token, room_id, "m.room.history_visibility", {"history_visibility": "joined"})
    hidden = text(client, token, room_id, "before bob")
    join(client, bob_token, room_id)
    relate(client, token, room_id, hidden, "m.thread")
    assert_matrix_error(client.get(v1("rooms", room_id, "relations", hidden), token=bob_token), 404, "M_NOT_FOUND")
    assert len(relations(client, token, room_id, hidden)["chunk"]) == 1


@spec(RELATIONS)
@pytest.mark.parametrize("query", [{"limit": "-1"}, {"limit": "many"}, {"dir": "sideways"},
                                   {"from": "not-a-token"}, {"to": "s-1_x"}, {"recurse": "maybe"}])
def test_bad_parameters(client, alice, family, query):
    _, token = alice
    response = client.get(v1("rooms", family["room"], "relations", family["root"], **query), token=token)
    assert_matrix_error(response, 400, "M_INVALID_PARAM")


def threads(client, token: str, room_id: str, **query: Any) -> dict:
    body = assert_json_response(client.get(v1("rooms", room_id, "threads", **query), token=token))
    assert isinstance(body.get("chunk"), list), body
    for event in body["chunk"]:
        assert_client_event(event, room_id)
    return body


@pytest.fixture(scope="module")
def thread_room(server, alice, bob):
    """Three thread roots: `quiet` (alice's, a reply by alice), `busy` (bob's, replies by bob),
    `late` (alice's, last reply by bob, the newest thread event), and a message with only a
    reaction, which is no thread root."""
    _, token = alice
    _, bob_token = bob
    with server.client() as c:
        room_id = public_room(c, token, bob_token)
        quiet = text(c, token, room_id, "quiet")
        busy = text(c, bob_token, room_id, "busy")
        late = text(c, token, room_id, "late")
        plain = text(c, token, room_id, "plain")
        relate(c, token, room_id, late, "m.thread")
        relate(c, token, room_id, quiet, "m.thread")
        relate(c, bob_token, room_id, busy, "m.thread")
        busy_last = relate(c, bob_token, room_id, busy, "m.thread")
        late_last = relate(c, bob_token, room_id, late, "m.thread")
        relate(c, token, room_id, plain, "m.annotation", event_type="m.reaction")
    return {"room": room_id, "quiet": quiet, "busy": busy, "late": late, "busy_last": busy_last,
            "late_last": late_last}


@spec(THREADS)
def test_thread_roots_by_latest_event(client, alice, thread_room):
    _, token = alice
    page = threads(client, token, thread_room["room"], limit=50)
    assert ids(page["chunk"]) == [thread_room["late"], thread_room["busy"], thread_room["quiet"]]
    assert "next_batch" not in page


@spec(THREAD_AGGREGATION)
def test_thread_roots_carry_their_aggregation(client, alice, bob, thread_room):
    alice_id, token = alice
    _, bob_token = bob
    page = threads(client, token, thread_room["room"], limit=50)
    summaries = {e["event_id"]: e["unsigned"]["m.relations"]["m.thread"] for e in page["chunk"]}
    busy = summaries[thread_room["busy"]]
    assert busy["count"] == 2
    assert busy["latest_event"]["event_id"] == thread_room["busy_last"]
    assert_client_event(busy["latest_event"], thread_room["room"])
    # Alice neither sent `busy` nor replied in it; she sent `late` and `quiet`.
    assert busy["current_user_participated"] is False
    assert summaries[thread_room["late"]]["current_user_participated"] is True
    assert summaries[thread_room["late"]]["count"] == 2
    # Bob replied in `late` and `busy`, not in `quiet`.
    for_bob = threads(client, bob_token, thread_room["room"], limit=50)
    participated = {e["event_id"]: e["unsigned"]["m.relations"]["m.thread"]["current_user_participated"]
                    for e in for_bob["chunk"]}
    assert participated == {thread_room["late"]: True, thread_room["busy"]: True, thread_room["quiet"]: False}


@spec(THREADS)
def test_only_participated_threads(client, bob, thread_room):
    _, bob_token = bob
    page = threads(client, bob_token, thread_room["room"], include="participated", limit=50)
    assert ids(page["chunk"]) == [thread_room["late"], thread_room["busy"]]


@spec(THREADS)
def test_thread_pages(client, alice, thread_room):
    _, token = alice
    seen: list[str] = []
    page = threads(client, token, thread_room["room"], limit=1)
    for _ in range(5):
        assert len(page["chunk"]) <= 1
        seen += ids(page["chunk"])
        if "next_batch" not in page:
            break
        page = threads(client, token, thread_room["room"], limit=1, **{"from": page["next_batch"]})
    assert seen == [thread_room["late"], thread_room["busy"], thread_room["quiet"]]


@spec(THREADS)
def test_a_new_reply_moves_its_thread_first(client, alice):
    _, token = alice
    room_id = create_room(client, token)
    first = text(client, token, room_id, "first")
    second = text(client, token, room_id, "second")
    relate(client, token, room_id, first, "m.thread")
    relate(client, token, room_id, second, "m.thread")
    assert ids(threads(client, token, room_id)["chunk"]) == [second, first]
    relate(client, token, room_id, first, "m.thread")
    assert ids(threads(client, token, room_id)["chunk"]) == [first, second]


@spec(THREADS)
def test_rooms_without_threads(client, alice):
    _, token = alice
    room_id = create_room(client, token)
    text(client, token, room_id, "no threads here")
    assert threads(client, token, room_id) == {"chunk": []}


@spec(THREADS)
def test_threads_refuse_outsiders(client, eve, thread_room):
    _, eve_token = eve
    assert_matrix_error(client.get(v1("rooms", thread_room["room"], "threads"), token=eve_token), 403, "M_FORBIDDEN")
    assert_matrix_error(client.get(v1("rooms", "!nowhere:localhost", "threads"), token=eve_token), 403, "M_FORBIDDEN")


@spec(THREADS)
@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "-3"}, {"include": "some"},
                                   {"from": "nonsense"}])
def test_threads_bad_parameters(client, alice, thread_room, query):
    _, token = alice
    response = client.get(v1("rooms", thread_room["room"], "threads", **query), token=token)
    assert_matrix_error(response, 400, "M_INVALID_PARAM")


def event_at(client, token: str, room_id: str, ts: int, direction: str) -> dict:
    return assert_json_response(client.get(v1("rooms", room_id, "timestamp_to_event", ts=ts, dir=direction),
                                           token=token))


@spec(TIMESTAMP)
def test_event_by_timestamp_either_way(client, alice):
    _, token = alice
    room_id = create_room(client, token)
    sent = [text(client, token, room_id, f"m{i}") for i in range(3)]
    stamps = [assert_json_response(client.get(f"/_matrix/client/v3/rooms/{quote(room_id)}/event/{quote(e)}",
                                              token=token))["origin_server_ts"] for e in sent]
    last = event_at(client, token, room_id, stamps[2], "b")
    assert last == {"event_id": sent[2], "origin_server_ts": stamps[2]}
    # Far in the future, backwards finds the newest event; forwards finds nothing.
    assert event_at(client, token, room_id, stamps[2] + 10**9, "b")["event_id"] == sent[2]
    response = client.get(v1("rooms", room_id, "timestamp_to_event", ts=stamps[2] + 10**9, dir="f"), token=token)
    assert_matrix_error(response, 404, "M_NOT_FOUND")
    # Forwards from the first message's time gives an event at or after it.
    found = event_at(client, token, room_id, stamps[0], "f")
    assert found["origin_server_ts"] >= stamps[0]
    assert found["event_id"] in sent
    # Before the room existed there is nothing backwards, and forwards gives its first event.
    response = client.get(v1("rooms", room_id, "timestamp_to_event", ts=1, dir="b"), token=token)
    assert_matrix_error(response, 404, "M_NOT_FOUND")
    first = event_at(client, token, room_id, 1, "f")
    create = assert_json_response(client.get(
        f"/_matrix/client/v3/rooms/{quote(room_id)}/event/{quote(first['event_id'])}", token=token))
    assert create["type"] == "m.room.create"


@spec(TIMESTAMP)
def test_timestamp_refuses_outsiders(client, alice, eve):
    _, token = alice
    _, eve_token = eve
    room_id = create_room(client, token)
    for room in (room_id, "!nowhere:localhost"):
        response = client.get(v1("rooms", room, "timestamp_to_event", ts=1, dir="f"), token=eve_token)
        assert_matrix_error(response, 403, "M_FORBIDDEN")


@spec(TIMESTAMP)
@pytest.mark.parametrize("query", [{"ts": "1", "dir": "x"}, {"ts": "soon", "dir": "f"}, {"dir": "f"}, {"ts": "1"}])
def test_timestamp_bad_parameters(client, alice, query):
    _, token = alice
    room_id = create_room(client, token)
    response = client.get(v1("rooms", room_id, "timestamp_to_event", **query), token=token)
    # A missing required parameter may be M_MISSING_PARAM.
    assert_matrix_error(response, 400, ("M_INVALID_PARAM", "M_MISSING_PARAM"))


@spec("client-server-api/#validation-of-mthread-relationships")
def test_threads_do_not_start_from_related_events(client, alice):
    _, token = alice
    room_id = create_room(client, token, preset="private_chat")
    root = text(client, token, room_id, "root")
    child = relate(client, token, room_id, root, "m.thread")
    response = client.put(f"/_matrix/client/v3/rooms/{quote(room_id)}/send/m.room.message/nested-thread",
                          token=token, json_body={"msgtype": "m.text", "body": "nested",
                                                  "m.relates_to": {"rel_type": "m.thread", "event_id": child}})
    assert_matrix_error(response, 400, "M_UNKNOWN")
    # The thread itself goes on, and other relations to a thread event stay allowed.
    relate(client, token, room_id, root, "m.thread")
    relate(client, token, room_id, child, "m.annotation", event_type="m.reaction")


BUNDLED = "client-server-api/#aggregations-of-child-events"
EDIT_AGGREGATION = "client-server-api/#server-side-aggregation-of-mreplace-relationships"


def get_event(client, token: str, room_id: str, event_id: str) -> dict:
    return assert_json_response(client.get(f"/_matrix/client/v3/rooms/{quote(room_id)}/event/{quote(event_id)}",
                                           token=token))


def edit_of(client, token: str, room_id: str, target: str, body: str) -> str:
    return send(client, token, room_id, {"msgtype": "m.text", "body": f"* {body}",
                                         "m.new_content": {"msgtype": "m.text", "body": body},
                                         "m.relates_to": {"rel_type": "m.replace", "event_id": target}})


@spec(EDIT_AGGREGATION)
def test_newest_valid_edit_is_bundled(client, alice, bob):
    _, alice_token = alice
    _, bob_token = bob
    room_id = public_room(client, alice_token, bob_token)
    original = text(client, alice_token, room_id, "first")
    edit_of(client, alice_token, room_id, original, "second")
    newest = edit_of(client, alice_token, room_id, original, "third")
    edit_of(client, bob_token, room_id, original, "not alice's")  # another sender: not valid
    bundled = get_event(client, bob_token, room_id, original)["unsigned"]["m.relations"]["m.replace"]
    assert bundled["event_id"] == newest and bundled["content"]["m.new_content"]["body"] == "third"
    assert bundled["sender"].startswith("@alice:")
    # The same aggregation in /messages and /context.
    page = assert_json_response(client.get(f"/_matrix/client/v3/rooms/{quote(room_id)}/messages?dir=b&limit=10",
                                           token=bob_token))
    served = next(e for e in page["chunk"] if e["event_id"] == original)
    assert served["unsigned"]["m.relations"]["m.replace"]["event_id"] == newest
    # A redacted original loses its edits.
    assert_json_response(client.put(f"/_matrix/client/v3/rooms/{quote(room_id)}/redact/{quote(original)}/r1",
                                    token=alice_token, json_body={}))
    assert "m.relations" not in get_event(client, bob_token, room_id, original).get("unsigned", {})


@spec(BUNDLED)
def test_thread_and_reference_aggregations(client, alice, bob):
    _, alice_token = alice
    _, bob_token = bob
    room_id = public_room(client, alice_token, bob_token)
    root = text(client, alice_token, room_id, "root")
    relate(client, alice_token, room_id, root, "m.thread")
    latest = relate(client, alice_token, room_id, root, "m.thread")
    reference = relate(client, bob_token, room_id, root, "m.reference")
    for token, participated in ((alice_token, True), (bob_token, False)):
        relations = get_event(client, token, room_id, root)["unsigned"]["m.relations"]
        assert relations["m.thread"]["count"] == 2
        assert relations["m.thread"]["current_user_participated"] is participated
        assert relations["m.thread"]["latest_event"]["event_id"] == latest
        assert relations["m.reference"] == {"chunk": [{"event_id": reference}]}
    # Events without children and state events carry no aggregation.
    assert "m.relations" not in get_event(client, alice_token, room_id, latest).get("unsigned", {})
    topic = put_state(client, alice_token, room_id, "m.room.topic", {"topic": "t"})
    relate(client, alice_token, room_id, topic, "m.reference")
    assert "m.relations" not in get_event(client, alice_token, room_id, topic).get("unsigned", {})

"""Server-side search (room_events): full-text matches of message bodies, room names and
topics in the rooms the caller is or was in, ordered by rank or recency, with `keys`,
`filter`, `count`, `highlights`, `next_batch` paging, `event_context` (with profiles) and
`include_state`; history visibility hides what the caller may not see; bad criteria are
spec errors."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import create_room, join, leave, path, public_room, text, user_fixture

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
SEARCH = "client-server-api/#post_matrixclientv3search"

alice = user_fixture("alice")
bob = user_fixture("bob")


def search(client, token, criteria, next_batch=None):
    query = {"next_batch": next_batch} if next_batch else None
    return client.post(path("search", query=query), token=token,
                       json_body={"search_categories": {"room_events": criteria}})


def room_events(client, token, criteria, next_batch=None):
    return assert_json_response(search(client, token, criteria, next_batch))["search_categories"]["room_events"]


def ids(result):
    return [r["result"]["event_id"] for r in result["results"]]


@spec(SEARCH)
def test_search_messages_by_rank_and_recent(client, alice):
    _, token = alice
    room = create_room(client, token)
    first = text(client, token, room, "the zebra crossed the road")
    second = text(client, token, room, "zebra zebra zebras everywhere")
    text(client, token, room, "nothing striped here")
    ranked = room_events(client, token, {"search_term": "zebra"})
    assert ranked["count"] == 2
    assert ids(ranked) == [second, first]
    assert "zebra" in ranked["highlights"]
    top = ranked["results"][0]
    assert isinstance(top["rank"], (int, float)) and top["rank"] > 0
    assert top["result"]["room_id"] == room and top["result"]["content"]["body"] == "zebra zebra zebras everywhere"
    recent = room_events(client, token, {"search_term": "zebra", "order_by": "recent"})
    assert ids(recent) == [second, first]
    # Every word must match; case does not matter.
    assert ids(room_events(client, token, {"search_term": "ZEBRA road"})) == [first]
    assert room_events(client, token, {"search_term": "giraffe"})["results"] == []


@spec(SEARCH)
def test_search_keys_and_filter(client, alice):
    _, token = alice
    room = create_room(client, token, name="Okapi den", topic="all about okapis")
    other = create_room(client, token)
    message = text(client, token, room, "an okapi appeared")
    elsewhere = text(client, token, other, "okapi in the other room")
    body_only = room_events(client, token, {"search_term": "okapi", "keys": ["content.body"], "order_by": "recent"})
    assert ids(body_only) == [elsewhere, message]
    names = room_events(client, token, {"search_term": "okapi", "keys": ["content.name"]})
    assert [r["result"]["type"] for r in names["results"]] == ["m.room.name"]
    topics = room_events(client, token, {"search_term": "okapis", "keys": ["content.topic"]})
    assert [r["result"]["type"] for r in topics["results"]] == ["m.room.topic"]
    in_room = room_events(client, token, {"search_term": "okapi", "keys": ["content.body"],
                                          "filter": {"rooms": [other]}})
    assert ids(in_room) == [elsewhere]
    not_room = room_events(client, token, {"search_term": "okapi", "keys": ["content.body"],
                                           "filter": {"not_rooms": [other]}})
    assert ids(not_room) == [message]


@spec(SEARCH)
def test_search_paging(client, alice):
    _, token = alice
    room = create_room(client, token)
    sent = [text(client, token, room, f"llama number {i}") for i in range(5)]
    criteria = {"search_term": "llama", "order_by": "recent", "filter": {"limit": 2}}
    seen = []
    page = room_events(client, token, criteria)
    assert page["count"] == 5
    while True:
        seen += ids(page)
        if "next_batch" not in page:
            break
        page = room_events(client, token, criteria, page["next_batch"])
    assert seen == list(reversed(sent))


@spec(SEARCH)
def test_search_event_context_and_state(client, alice, bob):
    alice_id, token = alice
    bob_id, bob_token = bob
    room = public_room(client, token, bob_token)
    before = text(client, token, room, "before")
    match = text(client, bob_token, room, "the walrus speaks")
    after = text(client, token, room, "after")
    result = room_events(client, token, {"search_term": "walrus", "include_state": True,
                                         "event_context": {"before_limit": 1, "after_limit": 1,
                                                           "include_profile": True}})
    context = result["results"][0]["context"]
    assert [e["event_id"] for e in context["events_before"]] == [before]
    assert [e["event_id"] for e in context["events_after"]] == [after]
    assert isinstance(context["start"], str) and isinstance(context["end"], str)
    assert context["profile_info"][bob_id]["displayname"] == "bob"
    assert alice_id in context["profile_info"]
    state_types = {e["type"] for e in result["state"][room]}
    assert {"m.room.create", "m.room.member"} <= state_types
    assert ids(result) == [match]


@spec(SEARCH)
def test_search_only_rooms_the_user_may_see(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    private = create_room(client, token)
    text(client, token, private, "secret narwhal")
    assert room_events(client, bob_token, {"search_term": "narwhal"})["results"] == []
    # Joined: history visible under `shared`; after leaving, later messages are hidden.
    room = public_room(client, token, bob_token)
    seen = text(client, token, room, "public narwhal")
    leave(client, bob_token, room)
    text(client, token, room, "later narwhal")
    assert ids(room_events(client, bob_token, {"search_term": "narwhal"})) == [seen]
    # Joining again shows the room's shared history again.
    join(client, bob_token, room)
    assert len(room_events(client, bob_token, {"search_term": "narwhal"})["results"]) == 2


@spec(SEARCH)
def test_redacted_events_are_not_found(client, alice):
    _, token = alice
    room = create_room(client, token)
    event = text(client, token, room, "ephemeral ocelot")
    assert ids(room_events(client, token, {"search_term": "ocelot"})) == [event]
    assert_json_response(client.put(path("rooms", room, "redact", event, "r1"), token=token, json_body={}))
    assert room_events(client, token, {"search_term": "ocelot"})["results"] == []


@spec(SEARCH)
def test_search_bad_input(client, alice):
    _, token = alice
    assert_matrix_error(search(client, token, {"search_term": "x", "keys": ["content.format"]}), 400,
                        ("M_INVALID_PARAM", "M_BAD_JSON"))
    assert_matrix_error(search(client, token, {"search_term": "x", "order_by": "oldest"}), 400,
                        ("M_INVALID_PARAM", "M_BAD_JSON"))
    assert_matrix_error(search(client, token, {"keys": ["content.body"]}), 400, ("M_MISSING_PARAM", "M_BAD_JSON"))
    assert_matrix_error(search(client, token, {"search_term": 5}), 400, "M_BAD_JSON")
    assert_matrix_error(search(client, token, {"search_term": "x", "event_context": {"before_limit": -1}}), 400,
                        ("M_INVALID_PARAM", "M_BAD_JSON"))
    assert_matrix_error(search(client, token, {"search_term": "x"}, next_batch="garbage"), 400, "M_INVALID_PARAM")
    assert_matrix_error(client.post(path("search"), token=token, json_body={}), 400, ("M_MISSING_PARAM", "M_BAD_JSON"))
    assert_matrix_error(client.post(path("search"), json_body={"search_categories": {}}), 401, "M_MISSING_TOKEN")
    # No room_events category: an empty answer.
    body = assert_json_response(client.post(path("search"), token=token, json_body={"search_categories": {}}))
    assert body == {"search_categories": {}}

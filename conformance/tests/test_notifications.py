"""Unread notification counts and GET /notifications: push rules evaluated for every local
member when an event is persisted, `unread_notifications` (and per thread with
`unread_thread_notifications`) in /sync, highlights on mentions, counts reset by read receipts
(public, private and threaded), and the /notifications list with `read`, `only=highlight` and
paging."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import path, public_room, send, sync, text, user_fixture

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}, "presence": {"enabled": False}}
COUNTS = "client-server-api/#receiving-notifications"
THREADS = "client-server-api/#unread-counts-with-threads"
NOTIFICATIONS = "client-server-api/#get_matrixclientv3notifications"
RECEIPT = "client-server-api/#post_matrixclientv3roomsroomidreceiptreceipttypeeventid"

alice = user_fixture("alice")
bob = user_fixture("bob")
carol = user_fixture("carol")


def counts(client, token, room_id, **query):
    room = sync(client, token, **query)["rooms"]["join"][room_id]
    return room["unread_notifications"], room.get("unread_thread_notifications")


def receipt(client, token, room_id, event_id, kind="m.read", **body):
    return client.post(path("rooms", room_id, "receipt", kind, event_id), token=token, json_body=body)


def notifications(client, token, **query):
    return assert_json_response(client.get(path("notifications", query=query or None), token=token))


@spec(COUNTS)
def test_messages_count_as_unread_for_others_not_the_sender(client, alice, bob, carol):
    _, token = alice
    _, bob_token = bob
    _, carol_token = carol
    # Three members: the one-to-one rule does not apply, `.m.rule.message` notifies.
    room = public_room(client, token, bob_token, carol_token)
    assert counts(client, bob_token, room)[0] == {"notification_count": 0, "highlight_count": 0}
    text(client, token, room, "one")
    text(client, token, room, "two")
    assert counts(client, bob_token, room)[0] == {"notification_count": 2, "highlight_count": 0}
    assert counts(client, carol_token, room)[0]["notification_count"] == 2
    assert counts(client, token, room)[0]["notification_count"] == 0
    # State changes such as membership do not notify (`.m.rule.member_event`).
    assert counts(client, bob_token, room)[0]["notification_count"] == 2


@spec(COUNTS)
def test_mentions_highlight(client, alice, bob, carol):
    _, token = alice
    bob_id, bob_token = bob
    _, carol_token = carol
    room = public_room(client, token, bob_token, carol_token)
    send(client, token, room, {"msgtype": "m.text", "body": "hey bob", "m.mentions": {"user_ids": [bob_id]}})
    assert counts(client, bob_token, room)[0] == {"notification_count": 1, "highlight_count": 1}
    assert counts(client, carol_token, room)[0] == {"notification_count": 1, "highlight_count": 0}
    # An @room mention by someone allowed to notify the room highlights everyone.
    send(client, token, room, {"msgtype": "m.text", "body": "all", "m.mentions": {"room": True}})
    assert counts(client, carol_token, room)[0] == {"notification_count": 2, "highlight_count": 1}


@spec(COUNTS)
def test_user_rules_change_what_counts(client, alice, bob, carol):
    _, token = alice
    _, bob_token = bob
    _, carol_token = carol
    room = public_room(client, token, bob_token, carol_token)
    # A room rule with no actions silences the room for bob only.
    assert_json_response(client.put(path("pushrules", "global", "room", room), token=bob_token,
                                    json_body={"actions": []}))
    text(client, token, room, "quiet")
    assert counts(client, bob_token, room)[0]["notification_count"] == 0
    assert counts(client, carol_token, room)[0]["notification_count"] == 1
    assert_json_response(client.request("DELETE", path("pushrules", "global", "room", room), token=bob_token))
    text(client, token, room, "loud")
    assert counts(client, bob_token, room)[0]["notification_count"] == 1


@spec(RECEIPT)
def test_read_receipts_reset_counts(client, alice, bob, carol):
    _, token = alice
    _, bob_token = bob
    _, carol_token = carol
    room = public_room(client, token, bob_token, carol_token)
    first = text(client, token, room, "one")
    second = text(client, token, room, "two")
    third = text(client, token, room, "three")
    # Reading up to an event reads what came before it, not after.
    assert_json_response(receipt(client, bob_token, room, second))
    assert counts(client, bob_token, room)[0]["notification_count"] == 1
    assert_json_response(receipt(client, bob_token, room, third))
    assert counts(client, bob_token, room)[0]["notification_count"] == 0
    # A private receipt resets counts too; the incremental sync carries the new counts.
    since = sync(client, carol_token)["next_batch"]
    assert_json_response(receipt(client, carol_token, room, first, kind="m.read.private"))
    body = sync(client, carol_token, since=since)
    assert body["rooms"]["join"][room]["unread_notifications"]["notification_count"] == 2
    # m.fully_read alone does not.
    assert_json_response(client.post(path("rooms", room, "read_markers"), token=carol_token,
                                     json_body={"m.fully_read": third}))
    assert counts(client, carol_token, room)[0]["notification_count"] == 2
    assert_json_response(client.post(path("rooms", room, "read_markers"), token=carol_token,
                                     json_body={"m.read": third}))
    assert counts(client, carol_token, room)[0]["notification_count"] == 0
    # A receipt for an unknown event is an error and resets nothing.
    text(client, token, room, "four")
    assert_matrix_error(receipt(client, bob_token, room, "$" + "A" * 43), 404, "M_NOT_FOUND")
    assert counts(client, bob_token, room)[0]["notification_count"] == 1


@spec(THREADS)
def test_thread_counts_and_threaded_receipts(client, alice, bob, carol):
    _, token = alice
    _, bob_token = bob
    _, carol_token = carol
    room = public_room(client, token, bob_token, carol_token)
    root = text(client, token, room, "root")
    in_thread = lambda body: send(client, token, room, {
        "msgtype": "m.text", "body": body, "m.relates_to": {"rel_type": "m.thread", "event_id": root}})
    first = in_thread("t1")
    in_thread("t2")
    per_thread = {"room": {"timeline": {"unread_thread_notifications": True}}}
    main, threads = counts(client, bob_token, room, filter=per_thread)
    assert main == {"notification_count": 1, "highlight_count": 0}
    assert threads == {root: {"notification_count": 2, "highlight_count": 0}}
    # Without the filter flag the room's count is the sum.
    total, absent = counts(client, bob_token, room)
    assert total["notification_count"] == 3 and absent is None
    # A threaded receipt reads its own thread only.
    assert_json_response(receipt(client, bob_token, room, first, thread_id=root))
    main, threads = counts(client, bob_token, room, filter=per_thread)
    assert main["notification_count"] == 1
    assert threads[root]["notification_count"] == 1
    assert_json_response(receipt(client, bob_token, room, root, thread_id="main"))
    main, threads = counts(client, bob_token, room, filter=per_thread)
    assert main["notification_count"] == 0 and threads[root]["notification_count"] == 1
    # An unthreaded receipt reads everything up to its event, whatever the thread.
    latest = text(client, token, room, "after")
    assert_json_response(receipt(client, bob_token, room, latest))
    main, threads = counts(client, bob_token, room, filter=per_thread)
    assert main["notification_count"] == 0 and threads is None


@spec(NOTIFICATIONS)
def test_notifications_list(client, alice, bob, carol):
    alice_id, token = alice
    bob_id, bob_token = bob
    _, carol_token = carol
    room = public_room(client, token, bob_token, carol_token)
    plain = text(client, token, room, "plain")
    mention = send(client, token, room, {"msgtype": "m.text", "body": "bob!", "m.mentions": {"user_ids": [bob_id]}})
    body = notifications(client, bob_token)
    mine = [n for n in body["notifications"] if n["room_id"] == room]
    assert [n["event"]["event_id"] for n in mine] == [mention, plain]
    newest = mine[0]
    assert set(newest) >= {"actions", "event", "read", "room_id", "ts"}
    assert newest["read"] is False and isinstance(newest["ts"], int)
    assert "notify" in newest["actions"]
    assert {"set_tweak": "highlight"} in newest["actions"] or {"set_tweak": "highlight", "value": True} in newest["actions"]
    assert newest["event"]["sender"] == alice_id and newest["event"]["content"]["body"] == "bob!"
    highlights = notifications(client, bob_token, only="highlight")["notifications"]
    assert [n["event"]["event_id"] for n in highlights if n["room_id"] == room] == [mention]
    # Paging: one at a time, next_token continues below.
    page = notifications(client, bob_token, limit=1)
    assert len(page["notifications"]) == 1 and isinstance(page["next_token"], str)
    rest = notifications(client, bob_token, limit=1, **{"from": page["next_token"]})
    assert rest["notifications"][0]["event"]["event_id"] != page["notifications"][0]["event"]["event_id"]
    # After a receipt they are read but still listed.
    assert_json_response(receipt(client, bob_token, room, mention))
    listed = [n for n in notifications(client, bob_token)["notifications"] if n["room_id"] == room]
    assert all(n["read"] for n in listed) and len(listed) == 2
    # The sender has nothing from their own messages.
    assert all(n["room_id"] != room for n in notifications(client, token)["notifications"])


@spec(NOTIFICATIONS)
def test_notifications_bad_input(client, alice):
    _, token = alice
    assert_matrix_error(client.get(path("notifications", query={"from": "nonsense"}), token=token), 400,
                        "M_INVALID_PARAM")
    assert_matrix_error(client.get(path("notifications", query={"limit": "-1"}), token=token), 400,
                        "M_INVALID_PARAM")
    assert_matrix_error(client.get(path("notifications")), 401, "M_MISSING_TOKEN")


@spec(COUNTS)
def test_profile_changes_keep_counts_and_rejoining_starts_fresh(client, alice, bob, carol):
    _, token = alice
    bob_id, bob_token = bob
    _, carol_token = carol
    room = public_room(client, token, bob_token, carol_token)
    text(client, token, room, "one")
    # A new display name is a member event that keeps bob joined: his count stays.
    assert_json_response(client.put(path("profile", bob_id, "displayname"), token=bob_token,
                                     json_body={"displayname": "Bobby"}))
    assert counts(client, bob_token, room)[0]["notification_count"] == 1
    # Leaving and joining again starts from the join.
    leave_body = client.post(path("rooms", room, "leave"), token=bob_token, json_body={})
    assert_json_response(leave_body)
    text(client, token, room, "while away")
    assert_json_response(client.post(path("join", room), token=bob_token, json_body={}))
    assert counts(client, bob_token, room)[0]["notification_count"] == 0

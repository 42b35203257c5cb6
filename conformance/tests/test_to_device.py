"""Send-to-device messaging: delivery to one device or all of a user's devices through
/sync's to_device section, once per transaction ID, kept until the next sync acknowledges it,
never to other devices; waking long polls; malformed requests."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import BackgroundSync, login, new_user, path, sync

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
SEND = "client-server-api/#put_matrixclientv3sendtodeviceeventtypetxnid"


def device_of(client, token):
    return assert_json_response(client.get(path("account", "whoami"), token=token))["device_id"]


def send(client, token, messages, txn, event_type="org.example.ping"):
    return client.put(path("sendToDevice", event_type, txn), token=token, json_body={"messages": messages})


def to_device(body):
    return body.get("to_device", {}).get("events", [])


@spec(SEND)
def test_messages_reach_the_device_once_and_until_acknowledged(client):
    alice_id, alice = new_user(client, "td_alice")
    bob_id, bob_phone = new_user(client, "td_bob")
    bob_laptop = login(client, "td_bob")
    phone = device_of(client, bob_phone)
    first = sync(client, bob_phone)["next_batch"]
    assert assert_json_response(send(client, alice, {bob_id: {phone: {"n": 1}}}, "t1")) == {}
    # A retry of the same transaction is not delivered again.
    assert_json_response(send(client, alice, {bob_id: {phone: {"n": 1}}}, "t1"))
    body = sync(client, bob_phone, since=first)
    assert [(e["sender"], e["type"], e["content"]) for e in to_device(body)] == \
        [(alice_id, "org.example.ping", {"n": 1})]
    # Not acknowledged yet: syncing again from the same token repeats it.
    assert len(to_device(sync(client, bob_phone, since=first))) == 1
    # Coming back with the new token acknowledges it.
    assert to_device(sync(client, bob_phone, since=body["next_batch"])) == []
    # The other device never saw it.
    assert to_device(sync(client, bob_laptop)) == []


@spec(SEND)
def test_star_reaches_every_device(client):
    _, alice = new_user(client, "star_alice")
    bob_id, bob_phone = new_user(client, "star_bob")
    bob_laptop = login(client, "star_bob")
    assert_json_response(send(client, alice, {bob_id: {"*": {"all": True}}}, "t-star"))
    for token in (bob_phone, bob_laptop):
        assert [e["content"] for e in to_device(sync(client, token))] == [{"all": True}]


@spec(SEND)
def test_to_device_wakes_a_long_poll(server, client):
    _, alice = new_user(client, "wake_alice")
    bob_id, bob = new_user(client, "wake_bob")
    since = sync(client, bob)["next_batch"]
    poll = BackgroundSync(server, bob, since)
    assert_json_response(send(client, alice, {bob_id: {device_of(client, bob): {"hi": 1}}}, "t-wake"))
    body, waited = poll.finish()
    assert waited < 5
    assert [e["content"] for e in to_device(body)] == [{"hi": 1}]


@spec(SEND)
def test_malformed_messages(client):
    _, alice = new_user(client, "bad_alice")
    assert_matrix_error(send(client, alice, {"not a user": {"D": {}}}, "b1"), 400, "M_INVALID_PARAM")
    assert_matrix_error(send(client, alice, {"@x:localhost": {"D": "text"}}, "b2"), 400, "M_BAD_JSON")
    assert_matrix_error(client.put(path("sendToDevice", "t", "b3"), token=alice, json_body={}), 400,
                        ("M_BAD_JSON", "M_MISSING_PARAM"))

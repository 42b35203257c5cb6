"""Reporting content (rooms, events and users, stored for the server's administrators) and OpenID
tokens: the spec's errors for unknown rooms and events and for rooms the reporter is not in,
and tokens issued only to the user themselves."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import create_room, path, public_room, text, user_fixture

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
REPORT_EVENT = "client-server-api/#post_matrixclientv3roomsroomidreporteventid"
REPORT_ROOM = "client-server-api/#post_matrixclientv3roomsroomidreport"
REPORT_USER = "client-server-api/#post_matrixclientv3usersuseridreport"
OPENID = "client-server-api/#post_matrixclientv3useruseridopenidrequest_token"
UNKNOWN_EVENT = "$" + "A" * 43

alice = user_fixture("alice")
bob = user_fixture("bob")


@spec(REPORT_EVENT)
def test_report_event(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room = public_room(client, token, bob_token)
    event = text(client, token, room, "offensive")
    report = lambda t, r, e, body: client.post(path("rooms", r, "report", e), token=t, json_body=body)
    assert assert_json_response(report(bob_token, room, event, {"reason": "rude", "score": -100})) == {}
    assert assert_json_response(report(bob_token, room, event, {})) == {}
    assert_matrix_error(report(bob_token, room, UNKNOWN_EVENT, {"reason": "x"}), 404, "M_NOT_FOUND")
    assert_matrix_error(report(bob_token, "!unknown:localhost", event, {"reason": "x"}), 404, "M_NOT_FOUND")
    # Only members may report; an event of another room is not found in this one.
    private = create_room(client, token)
    hidden = text(client, token, private, "inside")
    assert_matrix_error(report(bob_token, private, hidden, {"reason": "x"}), 404, "M_NOT_FOUND")
    assert_matrix_error(report(token, room, hidden, {"reason": "x"}), 404, "M_NOT_FOUND")
    assert_matrix_error(report(bob_token, room, event, {"score": 7}), 400, "M_INVALID_PARAM")
    assert_matrix_error(report(bob_token, room, event, {"reason": 5}), 400, "M_BAD_JSON")
    # A redacted event cannot be reported any more.
    gone = text(client, token, room, "regretted")
    assert_json_response(client.put(path("rooms", room, "redact", gone, "r1"), token=token, json_body={}))
    assert_matrix_error(report(bob_token, room, gone, {"reason": "x"}), 404, "M_NOT_FOUND")


@spec(REPORT_ROOM)
def test_report_room(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    room = create_room(client, token)
    report = lambda t, r, body: client.post(path("rooms", r, "report"), token=t, json_body=body)
    # The reporter need not be in the room.
    assert assert_json_response(report(bob_token, room, {"reason": "spam room"})) == {}
    assert assert_json_response(report(bob_token, room, {"reason": ""})) == {}
    assert_matrix_error(report(bob_token, "!unknown:localhost", {"reason": "x"}), 404, "M_NOT_FOUND")
    assert_matrix_error(report(bob_token, room, {}), 400, ("M_MISSING_PARAM", "M_BAD_JSON"))
    assert_matrix_error(report(None, room, {"reason": "x"}), 401, "M_MISSING_TOKEN")


@spec(REPORT_USER)
def test_report_user(client, alice, bob):
    _, token = alice
    bob_id, _ = bob
    report = lambda user, body: client.post(path("users", user, "report"), token=token, json_body=body)
    assert assert_json_response(report(bob_id, {"reason": "rude"})) == {}
    assert assert_json_response(report("@someone:elsewhere.example", {"reason": ""})) == {}
    assert_matrix_error(report("@nobody:" + bob_id.split(":", 1)[1], {"reason": "x"}), 404, "M_NOT_FOUND")
    assert_matrix_error(report(bob_id, {}), 400, ("M_MISSING_PARAM", "M_BAD_JSON"))
    assert_matrix_error(report("not-a-user", {"reason": "x"}), 400, ("M_INVALID_PARAM", "M_BAD_JSON"))


@spec(OPENID)
def test_openid_request_token(client, alice, bob):
    alice_id, token = alice
    bob_id, _ = bob
    body = assert_json_response(client.post(path("user", alice_id, "openid", "request_token"), token=token,
                                            json_body={}))
    assert body["token_type"] == "Bearer"
    assert body["matrix_server_name"] == alice_id.split(":", 1)[1]
    assert isinstance(body["access_token"], str) and len(body["access_token"]) >= 20
    assert body["expires_in"] == 3600
    again = assert_json_response(client.post(path("user", alice_id, "openid", "request_token"), token=token,
                                             json_body={}))
    assert again["access_token"] != body["access_token"]
    assert_matrix_error(client.post(path("user", bob_id, "openid", "request_token"), token=token, json_body={}),
                        403, "M_FORBIDDEN")

"""Pushers: POST /pushers/set creating, updating (same app_id and pushkey), moving a pushkey
between users unless `append`, and deleting (`kind: null`); GET /pushers; the errors for unknown
kinds, missing fields and push gateway URLs that are not `/_matrix/push/v1/notify`; and a
pusher going away with the device that set it."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import login, new_user, path, user_fixture

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
SET = "client-server-api/#post_matrixclientv3pushersset"
GET = "client-server-api/#get_matrixclientv3pushers"
GATEWAY = "https://push.example.org/_matrix/push/v1/notify"

alice = user_fixture("alice")


def pusher(pushkey="key1", **changes):
    body = {"kind": "http", "app_id": "org.example.app", "app_display_name": "Example",
            "device_display_name": "Phone", "pushkey": pushkey, "lang": "en",
            "data": {"url": GATEWAY, "format": "event_id_only"}}
    body.update(changes)
    return body


def set_pusher(client, token, body):
    return client.post(path("pushers", "set"), token=token, json_body=body)


def pushers(client, token):
    return assert_json_response(client.get(path("pushers"), token=token))["pushers"]


@spec(SET)
def test_create_update_delete(client):
    _, token = new_user(client, "pusherman")
    assert pushers(client, token) == []
    assert assert_json_response(set_pusher(client, token, pusher(profile_tag="work"))) == {}
    listed = pushers(client, token)
    assert listed == [{"app_display_name": "Example", "app_id": "org.example.app",
                       "data": {"url": GATEWAY, "format": "event_id_only"}, "device_display_name": "Phone",
                       "kind": "http", "lang": "en", "profile_tag": "work", "pushkey": "key1"}]
    # Same app_id and pushkey: an update, not a second pusher.
    assert_json_response(set_pusher(client, token, pusher(lang="de")))
    assert [p["lang"] for p in pushers(client, token)] == ["de"]
    assert_json_response(set_pusher(client, token, pusher("key2")))
    assert sorted(p["pushkey"] for p in pushers(client, token)) == ["key1", "key2"]
    # kind null deletes (and deleting again is fine).
    assert_json_response(set_pusher(client, token, {"kind": None, "app_id": "org.example.app", "pushkey": "key1"}))
    assert_json_response(set_pusher(client, token, {"kind": None, "app_id": "org.example.app", "pushkey": "key1"}))
    assert [p["pushkey"] for p in pushers(client, token)] == ["key2"]


@spec(SET)
def test_pushkey_moves_between_users_unless_append(client):
    _, first = new_user(client, "pushfirst")
    _, second = new_user(client, "pushsecond")
    assert_json_response(set_pusher(client, first, pusher("shared")))
    assert_json_response(set_pusher(client, second, pusher("shared", append=True)))
    assert len(pushers(client, first)) == 1 and len(pushers(client, second)) == 1
    # Without append the pushkey now belongs to the last user who set it.
    assert_json_response(set_pusher(client, second, pusher("shared")))
    assert pushers(client, first) == [] and len(pushers(client, second)) == 1


@spec(SET)
def test_pusher_goes_with_its_device(client):
    name = "pushdevice"
    _, token = new_user(client, name)
    other = login(client, name)
    assert_json_response(set_pusher(client, other, pusher("device-bound")))
    assert len(pushers(client, token)) == 1
    assert_json_response(client.post(path("logout"), token=other, json_body={}))
    assert pushers(client, token) == []


@spec(SET)
def test_bad_pushers(client, alice):
    _, token = alice
    for kind in ("sms", "", 5):
        assert_matrix_error(set_pusher(client, token, pusher(kind=kind)), 400, ("M_INVALID_PARAM", "M_BAD_JSON"))
    for url in ("ftp://push.example.org/_matrix/push/v1/notify", "https://push.example.org/notify",
                "https://push.example.org", "https:///_matrix/push/v1/notify", "not a url",
                "https://push.example.org/_matrix/push/v1/notify/extra"):
        assert_matrix_error(set_pusher(client, token, pusher(data={"url": url})), 400, "M_INVALID_PARAM")
    assert_matrix_error(set_pusher(client, token, pusher(data={"url": 5})), 400, "M_BAD_JSON")
    assert_matrix_error(set_pusher(client, token, pusher(data={})), 400, "M_MISSING_PARAM")
    missing = pusher()
    del missing["lang"]
    assert_matrix_error(set_pusher(client, token, missing), 400, "M_MISSING_PARAM")
    no_app = pusher()
    del no_app["app_id"]
    assert_matrix_error(set_pusher(client, token, no_app), 400, ("M_MISSING_PARAM", "M_BAD_JSON"))
    assert_matrix_error(set_pusher(client, token, pusher("x" * 513)), 400, "M_INVALID_PARAM")
    assert_matrix_error(set_pusher(client, token, pusher(app_id="a" * 65)), 400, "M_INVALID_PARAM")
    # Nothing of that was stored; an http URL with a query is fine.
    assert pushers(client, token) == []
    assert_json_response(set_pusher(client, token, pusher(data={"url": "http://127.0.0.1:1/_matrix/push/v1/notify?x=1"})))
    assert len(pushers(client, token)) == 1


@spec(GET)
def test_pushers_need_a_token(client):
    assert_matrix_error(client.get(path("pushers")), 401, "M_MISSING_TOKEN")

"""Server administration (client-server API): GET /admin/whois and the account moderation
endpoints (v1.18: PUT/GET /admin/lock and /admin/suspend), with what locking and suspension do to
the account's requests ("Account locking", "Account suspension"), the m.account_moderation
capability, Synapse's suspend endpoint and `locked` user field, and `ranvier admin
lock/unlock/suspend/unsuspend`."""

import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import (API, PASSWORD, create_room, join, login, messages, new_user, path, public_room, send,
                           sync, text, txn)
from harness.server import run_ranvier

_registration = Path(tempfile.mkdtemp(prefix="ranvier-moderation-")) / "bridge.yaml"
_registration.write_text("""
id: modbridge
url: null
as_token: as-token-moderation
hs_token: hs-token-moderation
sender_localpart: modbridgebot
namespaces:
  users:
    - exclusive: false
      regex: "@asmod_.*"
""")
CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}, "app_services": [str(_registration)]}
V1 = "/_matrix/client/v1/admin"


def q(part: str) -> str:
    return quote(part, safe="")


def uid(server, name: str) -> str:
    return f"@{name}:{server.server_name}"


def register_admin(server, name: str) -> str:
    result = run_ranvier(["register-user", "--config", str(server.config_path), "--user", name,
                          "--password", PASSWORD, "--admin"])
    assert result.returncode == 0, result.stderr
    with server.client() as c:
        return login(c, name)


@pytest.fixture(scope="module")
def admin_token(server):
    return register_admin(server, "modroot")


def moderation(client, token, kind, user_id, value=None):
    route = f"{V1}/{kind}/{q(user_id)}"
    if value is None:
        return client.get(route, token=token)
    field = "locked" if kind == "lock" else "suspended"
    return client.put(route, token=token, json_body={field: value})


def whoami(client, token):
    return client.get(API + "/account/whoami", token=token)


@spec("client-server-api/#put_matrixclientv1adminlockuserid")
@pytest.mark.parametrize("kind", ["lock", "suspend"])
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_non_admins_are_forbidden_before_any_lookup(server, client, kind, method):
    _, token = new_user(client, f"nonadmin_{kind}_{method.lower()}")
    victim, _ = new_user(client, f"victim_{kind}_{method.lower()}")
    value = None if method == "GET" else True
    # An existing and an unknown user answer alike: no user enumeration.
    for target in (victim, uid(server, "nobody_at_all")):
        assert_matrix_error(moderation(client, token, kind, target, value), 403, "M_FORBIDDEN")


@spec("client-server-api/#get_matrixclientv1adminsuspenduserid")
@pytest.mark.parametrize("kind", ["lock", "suspend"])
def test_remote_unknown_and_deactivated_users(server, client, admin_token, kind):
    for value in (None, True):
        assert_matrix_error(moderation(client, admin_token, kind, "@someone:remote.example", value),
                            400, "M_INVALID_PARAM")
        assert_matrix_error(moderation(client, admin_token, kind, uid(server, "never_registered"), value),
                            404, "M_NOT_FOUND")
    gone, gone_token = new_user(client, f"gone_{kind}")
    assert_json_response(client.post(API + "/account/deactivate", token=gone_token, json_body={
        "auth": {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": gone},
                 "password": PASSWORD}}))
    assert_matrix_error(moderation(client, admin_token, kind, gone), 404, "M_NOT_FOUND")
    assert_matrix_error(moderation(client, admin_token, kind, gone, True), 404, "M_NOT_FOUND")


@spec("client-server-api/#put_matrixclientv1adminsuspenduserid")
@pytest.mark.parametrize("kind", ["lock", "suspend"])
def test_bad_bodies(server, client, admin_token, kind):
    target, _ = new_user(client, f"badbody_{kind}")
    route = f"{V1}/{kind}/{q(target)}"
    field = "locked" if kind == "lock" else "suspended"
    assert_matrix_error(client.put(route, token=admin_token, json_body={}), 400, ("M_BAD_JSON", "M_MISSING_PARAM"))
    assert_matrix_error(client.put(route, token=admin_token, json_body={field: "yes"}), 400, "M_BAD_JSON")
    assert_matrix_error(client.put(route, token=admin_token, json_body=[True]), 400, ("M_BAD_JSON", "M_NOT_JSON"))
    assert_matrix_error(client.put(route, token=admin_token, body=b"{not json"), 400, "M_NOT_JSON")
    # Nothing was changed by the refused requests.
    assert assert_json_response(moderation(client, admin_token, kind, target)) == {field: False}


@spec("client-server-api/#put_matrixclientv1adminlockuserid")
@pytest.mark.parametrize("kind", ["lock", "suspend"])
def test_admins_cannot_target_themselves_or_other_admins(server, client, admin_token, kind):
    me = uid(server, "modroot")
    assert_matrix_error(moderation(client, admin_token, kind, me, True), 403, "M_FORBIDDEN")
    field = "locked" if kind == "lock" else "suspended"
    assert assert_json_response(moderation(client, admin_token, kind, me)) == {field: False}
    register_admin(server, f"otheradmin_{kind}")
    other = uid(server, f"otheradmin_{kind}")
    assert_matrix_error(moderation(client, admin_token, kind, other, True), 403, "M_FORBIDDEN")
    assert_matrix_error(moderation(client, admin_token, kind, other), 403, "M_FORBIDDEN")


@spec("client-server-api/#account-locking")
def test_locked_account_is_soft_logged_out_until_unlocked(server, client, admin_token):
    user, token = new_user(client, "lockme")
    second = login(client, "lockme")
    assert assert_json_response(moderation(client, admin_token, "lock", user, True)) == {"locked": True}
    assert assert_json_response(moderation(client, admin_token, "lock", user)) == {"locked": True}
    for response in (whoami(client, token), client.get(path("sync"), token=token),
                     client.put(path("profile", user, "displayname"), token=token, json_body={"displayname": "x"})):
        body = assert_matrix_error(response, 401, "M_USER_LOCKED")
        assert body.get("soft_logout") is True, body
    # Logging out stays possible, and ends that session for good.
    assert_json_response(client.post(API + "/logout", token=second, json_body={}))
    assert_matrix_error(whoami(client, second), 401, "M_UNKNOWN_TOKEN")
    # Unlocking needs no new login: the sessions were kept.
    assert assert_json_response(moderation(client, admin_token, "lock", user, False)) == {"locked": False}
    assert assert_json_response(whoami(client, token))["user_id"] == user
    # A new login while locked gets a token that is refused the same way.
    moderation(client, admin_token, "lock", user, True)
    later = login(client, "lockme")
    assert_matrix_error(whoami(client, later), 401, "M_USER_LOCKED")
    moderation(client, admin_token, "lock", user, False)


@spec("client-server-api/#account-suspension")
def test_suspended_account_reads_but_does_not_act(server, client, admin_token):
    owner, owner_token = new_user(client, "susp_owner")
    user, token = new_user(client, "susp_user")
    friend, _ = new_user(client, "susp_friend")
    room = public_room(client, owner_token, token)
    other_room = public_room(client, owner_token)
    own_event = text(client, token, room, "before the suspension")
    owner_event = text(client, owner_token, room, "the owner speaks")
    assert assert_json_response(moderation(client, admin_token, "suspend", user, True)) == {"suspended": True}

    refused = [
        client.put(path("rooms", room, "send", "m.room.message", txn()), token=token,
                   json_body={"msgtype": "m.text", "body": "nope"}),
        client.put(path("rooms", room, "state", "m.room.topic", ""), token=token, json_body={"topic": "t"}),
        client.post(path("join", other_room), token=token, json_body={}),
        client.post(path("rooms", other_room, "join"), token=token, json_body={}),
        client.post(path("rooms", room, "invite"), token=token, json_body={"user_id": friend}),
        client.put(path("profile", user, "displayname"), token=token, json_body={"displayname": "new"}),
        client.post(path("createRoom"), token=token, json_body={}),
        client.put(path("rooms", room, "redact", owner_event, txn()), token=token, json_body={}),
        client.put(path("rooms", room, "send", "m.room.redaction", txn()), token=token,
                   json_body={"redacts": owner_event}),
    ]
    for response in refused:
        assert_matrix_error(response, 403, "M_USER_SUSPENDED")

    # Reading keeps working, and so does redacting one's own events.
    assert any(e.get("event_id") == own_event for e in messages(client, token, room, dir="b")["chunk"])
    assert room in sync(client, token)["rooms"]["join"]
    assert assert_json_response(whoami(client, token))["user_id"] == user
    assert_json_response(client.put(path("rooms", room, "redact", own_event, txn()), token=token, json_body={}))
    # Leaving does too.
    assert_json_response(client.post(path("rooms", room, "leave"), token=token, json_body={}))

    assert assert_json_response(moderation(client, admin_token, "suspend", user, False)) == {"suspended": False}
    join(client, token, room)
    send(client, token, room)


@spec("client-server-api/#get_matrixclientv3capabilities")
def test_account_moderation_capability_for_admins_only(client, admin_token):
    caps = assert_json_response(client.get(API + "/capabilities", token=admin_token))["capabilities"]
    assert caps["m.account_moderation"] == {"suspend": True, "lock": True}
    _, token = new_user(client, "capsplain")
    caps = assert_json_response(client.get(API + "/capabilities", token=token))["capabilities"]
    assert "m.account_moderation" not in caps


@spec("client-server-api/#get_matrixclientv3adminwhoisuserid")
def test_whois_reports_devices_and_last_connection(server, client, admin_token):
    registered = assert_json_response(client.post(path("register"), json_body={
        "username": "whoisme", "password": PASSWORD, "auth": {"type": "m.login.dummy"}}))
    user, token, device_id = registered["user_id"], registered["access_token"], registered["device_id"]
    # The first authenticated request after the login is recorded with its user agent; the ones
    # that follow within minutes are not written again.
    assert_json_response(client.get(API + "/account/whoami", token=token,
                                    headers={"User-Agent": "conformance-agent/1.0"}))
    for caller, route in ((token, API + "/admin/whois/"), (admin_token, API + "/admin/whois/"),
                          (admin_token, "/_synapse/admin/v1/whois/")):
        body = assert_json_response(client.get(route + q(user), token=caller))
        assert body["user_id"] == user
        assert list(body["devices"]) == [device_id]
        sessions = body["devices"][device_id]["sessions"]
        assert isinstance(sessions, list) and len(sessions) == 1
        connections = sessions[0]["connections"]
        assert len(connections) == 1, connections
        connection = connections[0]
        assert isinstance(connection["ip"], str) and connection["ip"]
        assert isinstance(connection["last_seen"], int) and connection["last_seen"] > 0
        assert connection["user_agent"] == "conformance-agent/1.0"


@spec("client-server-api/#get_matrixclientv3adminwhoisuserid")
def test_whois_errors(server, client, admin_token):
    _, token = new_user(client, "whoisnosy")
    assert_matrix_error(client.get(API + "/admin/whois/" + q(uid(server, "modroot")), token=token),
                        403, "M_FORBIDDEN")
    assert_matrix_error(client.get(API + "/admin/whois/" + q("@x:remote.example"), token=admin_token),
                        400, "M_INVALID_PARAM")
    assert_matrix_error(client.get(API + "/admin/whois/" + q(uid(server, "nobody_here")), token=admin_token),
                        404, "M_NOT_FOUND")
    assert_matrix_error(client.get(API + "/admin/whois/" + q(uid(server, "modroot"))), 401, "M_MISSING_TOKEN")


@spec("ranvier:docs/admin.md")
def test_synapse_admin_suspend_and_locked_field(server, client, admin_token):
    user, token = new_user(client, "synapse_mod")
    route = "/_synapse/admin/v1/suspend/" + q(user)
    body = assert_json_response(client.put(route, token=admin_token, json_body={"suspend": True}))
    assert body == {f"user_{user}_suspended": True}
    assert assert_json_response(moderation(client, admin_token, "suspend", user)) == {"suspended": True}
    details = assert_json_response(client.get("/_synapse/admin/v2/users/" + q(user), token=admin_token))
    assert details["suspended"] is True and details["locked"] is False
    assert_json_response(client.put(route, token=admin_token, json_body={"suspend": False}))
    assert_matrix_error(client.put(route, token=admin_token, json_body={}), 400, "M_MISSING_PARAM")
    assert_matrix_error(client.put(route, token=token, json_body={"suspend": True}), 403, "M_FORBIDDEN")
    assert_matrix_error(client.put("/_synapse/admin/v1/suspend/" + q(uid(server, "ghost")), token=admin_token,
                                   json_body={"suspend": True}), 404, "M_NOT_FOUND")

    assert_json_response(client.put("/_synapse/admin/v2/users/" + q(user), token=admin_token,
                                    json_body={"locked": True}))
    assert_matrix_error(whoami(client, token), 401, "M_USER_LOCKED")
    details = assert_json_response(client.get("/_synapse/admin/v2/users/" + q(user), token=admin_token))
    assert details["locked"] is True
    assert_json_response(client.put("/_synapse/admin/v2/users/" + q(user), token=admin_token,
                                    json_body={"locked": False}))
    assert_json_response(whoami(client, token))


@spec("ranvier:docs/admin.md")
def test_admin_cli_lock_and_suspend(server, client, admin_token):
    user, token = new_user(client, "cli_mod")

    def cli(*args):
        result = run_ranvier(["admin", args[0], "--config", str(server.config_path), *args[1:]])
        assert "terminate called" not in result.stderr, result.stderr
        return result

    for command, field, value in (("lock", "locked", True), ("unlock", "locked", False),
                                  ("suspend", "suspended", True), ("unsuspend", "suspended", False)):
        result = cli(command, "--user", "cli_mod")
        assert result.returncode == 0, result.stderr
        kind = "lock" if field == "locked" else "suspend"
        assert assert_json_response(moderation(client, admin_token, kind, user)) == {field: value}
        if command == "lock":
            assert_matrix_error(whoami(client, token), 401, "M_USER_LOCKED")
        if command == "suspend":
            room = create_room(client, admin_token, preset="public_chat")
            assert_matrix_error(client.post(path("join", room), token=token, json_body={}), 403, "M_USER_SUSPENDED")
    assert_json_response(whoami(client, token))
    unknown = cli("lock", "--user", "cli_nobody")
    assert unknown.returncode == 1 and "M_NOT_FOUND" in unknown.stderr


@spec("client-server-api/#account-suspension")
def test_application_service_acting_as_a_moderated_user(server, client, admin_token):
    user, _ = new_user(client, "asmod_user")
    as_token = "as-token-moderation"
    as_user = "?user_id=" + q(user)
    assert_json_response(client.get(API + "/account/whoami" + as_user, token=as_token))
    moderation(client, admin_token, "suspend", user, True)
    assert_matrix_error(client.post(API + "/createRoom" + as_user, token=as_token, json_body={}),
                        403, "M_USER_SUSPENDED")
    assert_json_response(client.get(API + "/account/whoami" + as_user, token=as_token))
    moderation(client, admin_token, "suspend", user, False)
    moderation(client, admin_token, "lock", user, True)
    body = assert_matrix_error(client.get(API + "/account/whoami" + as_user, token=as_token), 401, "M_USER_LOCKED")
    assert body.get("soft_logout") is True
    moderation(client, admin_token, "lock", user, False)
    assert_json_response(client.post(API + "/createRoom" + as_user, token=as_token, json_body={}))

"""Login tokens and refresh tokens: POST /login/get_token (password re-authentication every
time) and the m.login.token login it feeds, single use and short-lived; `refresh_token: true`
on /login and /register, POST /refresh, expiring access tokens (soft logout) and the rule that an
old refresh token lasts until its replacement is used."""

import threading
import time

from harness.checks import assert_json_response, assert_matrix_error, spec

# Short lifetimes so expiry can be watched; every other step takes milliseconds.
LIFETIME_MS = 3000
CONFIG_OVERRIDES = {
    "rate_limits": {"enabled": False},
    "sessions": {"login_token_lifetime_ms": LIFETIME_MS, "refreshable_access_token_lifetime_ms": LIFETIME_MS},
}
REGISTER = "/_matrix/client/v3/register"
LOGIN = "/_matrix/client/v3/login"
LOGOUT = "/_matrix/client/v3/logout"
GET_TOKEN = "/_matrix/client/v1/login/get_token"
REFRESH = "/_matrix/client/v3/refresh"
WHOAMI = "/_matrix/client/v3/account/whoami"
CAPABILITIES = "/_matrix/client/v3/capabilities"
PASSWORD = "login token pw"

GET_TOKEN_SPEC = "client-server-api/#post_matrixclientv1loginget_token"
TOKEN_LOGIN_SPEC = "client-server-api/#token-based"
REFRESH_SPEC = "client-server-api/#post_matrixclientv3refresh"
REFRESHING_SPEC = "client-server-api/#refreshing-access-tokens"


def new_user(client, name, **extra):
    body = assert_json_response(client.post(REGISTER, json_body={
        "username": name, "password": PASSWORD, "auth": {"type": "m.login.dummy"}, **extra}))
    return body


def password_login(client, name, **extra):
    return client.post(LOGIN, json_body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": name},
        "password": PASSWORD, **extra})


def password_auth(user_id, password=PASSWORD):
    return {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user_id},
            "password": password}


def get_login_token(client, user_id, token):
    return assert_json_response(client.post(GET_TOKEN, token=token, json_body={"auth": password_auth(user_id)}))


def token_login(client, login_token, **extra):
    return client.post(LOGIN, json_body={"type": "m.login.token", "token": login_token, **extra})


def refresh(client, refresh_token):
    return client.post(REFRESH, json_body={"refresh_token": refresh_token})


def assert_soft_logout(response):
    body = assert_matrix_error(response, 401, "M_UNKNOWN_TOKEN")
    assert body.get("soft_logout") is True, body


@spec("client-server-api/#get_matrixclientv3login")
def test_login_flows_offer_token_login(client):
    flows = assert_json_response(client.get(LOGIN))["flows"]
    token_flows = [flow for flow in flows if flow["type"] == "m.login.token"]
    assert token_flows == [{"type": "m.login.token", "get_login_token": True}], flows


@spec("client-server-api/#mget_login_token-capability")
def test_capability_enabled(client):
    token = new_user(client, "lt_capable")["access_token"]
    capabilities = assert_json_response(client.get(CAPABILITIES, token=token))["capabilities"]
    assert capabilities["m.get_login_token"] == {"enabled": True}, capabilities


@spec(GET_TOKEN_SPEC)
def test_get_token_needs_the_password(client):
    user = new_user(client, "lt_uia")
    first = client.post(GET_TOKEN, token=user["access_token"], json_body={})
    assert first.status == 401, first
    uia = first.json()
    assert ["m.login.password"] in [flow["stages"] for flow in uia["flows"]], uia
    assert isinstance(uia["session"], str), uia
    wrong = client.post(GET_TOKEN, token=user["access_token"], json_body={
        "auth": {**password_auth(user["user_id"], "not it"), "session": uia["session"]}})
    assert wrong.status == 401, wrong
    assert wrong.json()["errcode"] == "M_FORBIDDEN", wrong.json()
    body = get_login_token(client, user["user_id"], user["access_token"])
    assert isinstance(body["login_token"], str) and body["login_token"], body
    assert body["expires_in_ms"] == LIFETIME_MS, body
    # Spec: servers MUST re-prompt every time, even right after a success.
    again = client.post(GET_TOKEN, token=user["access_token"], json_body={})
    assert again.status == 401, again


@spec(GET_TOKEN_SPEC)
def test_get_token_needs_an_access_token(client):
    assert_matrix_error(client.post(GET_TOKEN, json_body={}), 401, "M_MISSING_TOKEN")


@spec(TOKEN_LOGIN_SPEC)
def test_token_logs_a_new_device_in_once(client):
    user = new_user(client, "lt_once")
    login_token = get_login_token(client, user["user_id"], user["access_token"])["login_token"]
    body = assert_json_response(token_login(client, login_token))
    assert body["user_id"] == user["user_id"], body
    assert body["device_id"] != user["device_id"], body
    assert assert_json_response(client.get(WHOAMI, token=body["access_token"]))["user_id"] == user["user_id"]
    assert_matrix_error(token_login(client, login_token), 403, "M_FORBIDDEN")


@spec(TOKEN_LOGIN_SPEC)
def test_each_token_is_its_own(client):
    user = new_user(client, "lt_two")
    first = get_login_token(client, user["user_id"], user["access_token"])["login_token"]
    second = get_login_token(client, user["user_id"], user["access_token"])["login_token"]
    assert first != second
    assert_json_response(token_login(client, second))
    assert_json_response(token_login(client, first))


@spec(GET_TOKEN_SPEC)  # "The generated token MUST only be valid for a single login, enforced by the server."
def test_racing_logins_with_one_token(server, client):
    user = new_user(client, "lt_race")
    for _ in range(3):
        login_token = get_login_token(client, user["user_id"], user["access_token"])["login_token"]
        barrier = threading.Barrier(4)
        statuses = []

        def attempt():
            with server.client() as racer:
                barrier.wait()
                statuses.append(token_login(racer, login_token).status)

        threads = [threading.Thread(target=attempt) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [200, 403, 403, 403], statuses


@spec(TOKEN_LOGIN_SPEC)
def test_unknown_token_is_forbidden(client):
    assert_matrix_error(token_login(client, "rvl_no_such_token"), 403, "M_FORBIDDEN")


@spec(TOKEN_LOGIN_SPEC)
def test_access_token_is_no_login_token(client):
    user = new_user(client, "lt_wrong_kind")
    assert_matrix_error(token_login(client, user["access_token"]), 403, "M_FORBIDDEN")


@spec(TOKEN_LOGIN_SPEC)
def test_expired_token_is_forbidden(client):
    user = new_user(client, "lt_expired")
    login_token = get_login_token(client, user["user_id"], user["access_token"])["login_token"]
    time.sleep(LIFETIME_MS / 1000 + 0.3)
    assert_matrix_error(token_login(client, login_token), 403, "M_FORBIDDEN")


@spec(TOKEN_LOGIN_SPEC)
def test_token_login_can_ask_for_a_refresh_token(client):
    user = new_user(client, "lt_refreshable")
    login_token = get_login_token(client, user["user_id"], user["access_token"])["login_token"]
    body = assert_json_response(token_login(client, login_token, refresh_token=True, device_id="LTDEVICE"))
    assert body["device_id"] == "LTDEVICE", body
    assert isinstance(body["refresh_token"], str), body
    assert body["expires_in_ms"] == LIFETIME_MS, body


@spec(GET_TOKEN_SPEC)
def test_guests_cannot_issue_login_tokens(client):
    guest = assert_json_response(client.post(REGISTER + "?kind=guest", json_body={}))
    response = client.post(GET_TOKEN, token=guest["access_token"], json_body={})
    assert_matrix_error(response, 403, "M_GUEST_ACCESS_FORBIDDEN")


@spec("client-server-api/#post_matrixclientv3login")
def test_login_without_refresh_token_does_not_expire(client):
    new_user(client, "rt_plain")
    body = assert_json_response(password_login(client, "rt_plain"))
    assert "refresh_token" not in body and "expires_in_ms" not in body, body
    body = assert_json_response(password_login(client, "rt_plain", refresh_token=False))
    assert "refresh_token" not in body and "expires_in_ms" not in body, body


@spec("client-server-api/#post_matrixclientv3login")
def test_login_with_refresh_token(client):
    new_user(client, "rt_login")
    body = assert_json_response(password_login(client, "rt_login", refresh_token=True))
    assert isinstance(body["refresh_token"], str) and body["refresh_token"] != body["access_token"], body
    assert body["expires_in_ms"] == LIFETIME_MS, body
    assert_json_response(client.get(WHOAMI, token=body["access_token"]))
    # A refresh token is not an access token.
    assert_matrix_error(client.get(WHOAMI, token=body["refresh_token"]), 401, "M_UNKNOWN_TOKEN")


@spec("client-server-api/#post_matrixclientv3register")
def test_register_with_refresh_token(client):
    body = new_user(client, "rt_register", refresh_token=True)
    assert isinstance(body["refresh_token"], str), body
    assert body["expires_in_ms"] == LIFETIME_MS, body
    refreshed = assert_json_response(refresh(client, body["refresh_token"]))
    assert assert_json_response(client.get(WHOAMI, token=refreshed["access_token"]))["user_id"] == body["user_id"]


@spec(REFRESH_SPEC)
def test_refresh_issues_new_tokens_for_the_same_device(client):
    body = new_user(client, "rt_refresh", refresh_token=True)
    refreshed = assert_json_response(refresh(client, body["refresh_token"]))
    assert refreshed["access_token"] != body["access_token"], refreshed
    assert refreshed["refresh_token"] != body["refresh_token"], refreshed
    assert refreshed["expires_in_ms"] == LIFETIME_MS, refreshed
    whoami = assert_json_response(client.get(WHOAMI, token=refreshed["access_token"]))
    assert whoami["user_id"] == body["user_id"] and whoami["device_id"] == body["device_id"], whoami


@spec(REFRESH_SPEC)
def test_unknown_refresh_token(client):
    assert_soft_logout(refresh(client, "rvr_no_such_token"))


@spec(REFRESH_SPEC)
def test_access_token_is_no_refresh_token(client):
    body = new_user(client, "rt_wrong_kind", refresh_token=True)
    assert_soft_logout(refresh(client, body["access_token"]))


@spec(REFRESH_SPEC)
def test_refresh_needs_a_refresh_token(client):
    assert_matrix_error(client.post(REFRESH, json_body={}), 400, "M_BAD_JSON")


@spec(REFRESHING_SPEC)
def test_expired_access_token_is_a_soft_logout(client):
    body = new_user(client, "rt_expiry", refresh_token=True)
    time.sleep(LIFETIME_MS / 1000 + 0.3)
    assert_soft_logout(client.get(WHOAMI, token=body["access_token"]))
    refreshed = assert_json_response(refresh(client, body["refresh_token"]))
    assert_json_response(client.get(WHOAMI, token=refreshed["access_token"]))


@spec(REFRESH_SPEC)
def test_old_refresh_token_lasts_until_the_new_access_token_is_used(client):
    body = new_user(client, "rt_retry", refresh_token=True)
    old = body["refresh_token"]
    # As if the first answer was lost: the old refresh token still works.
    assert_json_response(refresh(client, old))
    refreshed = assert_json_response(refresh(client, old))
    assert_json_response(client.get(WHOAMI, token=refreshed["access_token"]))
    assert_soft_logout(refresh(client, old))
    assert_json_response(refresh(client, refreshed["refresh_token"]))


@spec(REFRESH_SPEC)
def test_racing_refreshes_leave_one_working_pair(server, client):
    body = new_user(client, "rt_race", refresh_token=True)
    barrier = threading.Barrier(4)
    answers = []

    def attempt():
        with server.client() as racer:
            barrier.wait()
            answers.append(assert_json_response(refresh(racer, body["refresh_token"])))

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 4, answers
    # Each exchange replaced what the one before it issued: one pair is left.
    working = [a for a in answers if client.get(WHOAMI, token=a["access_token"]).status == 200]
    assert len(working) == 1, answers
    assert_json_response(refresh(client, working[0]["refresh_token"]))


@spec(REFRESH_SPEC)
def test_old_refresh_token_lasts_until_the_new_refresh_token_is_used(client):
    body = new_user(client, "rt_chain", refresh_token=True)
    second = assert_json_response(refresh(client, body["refresh_token"]))
    third = assert_json_response(refresh(client, second["refresh_token"]))
    assert_soft_logout(refresh(client, body["refresh_token"]))
    assert_json_response(client.get(WHOAMI, token=third["access_token"]))


@spec("client-server-api/#post_matrixclientv3logout")
def test_logout_ends_the_refresh_token(client):
    body = new_user(client, "rt_logout", refresh_token=True)
    assert_json_response(client.post(LOGOUT, token=body["access_token"], json_body={}))
    assert_soft_logout(refresh(client, body["refresh_token"]))


@spec("client-server-api/#post_matrixclientv3logoutall")
def test_logout_all_ends_every_refresh_token(client):
    first = new_user(client, "rt_logout_all", refresh_token=True)
    second = assert_json_response(password_login(client, "rt_logout_all", refresh_token=True))
    assert_json_response(client.post(LOGOUT + "/all", token=second["access_token"], json_body={}))
    assert_soft_logout(refresh(client, first["refresh_token"]))
    assert_soft_logout(refresh(client, second["refresh_token"]))

"""Account management: password change and deactivation (both re-authenticate with
m.login.password through user-interactive auth), and the capabilities that advertise them."""

from harness.checks import assert_json_response, assert_matrix_error, spec

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
REGISTER = "/_matrix/client/v3/register"
LOGIN = "/_matrix/client/v3/login"
WHOAMI = "/_matrix/client/v3/account/whoami"
PASSWORD = "/_matrix/client/v3/account/password"
DEACTIVATE = "/_matrix/client/v3/account/deactivate"
CAPABILITIES = "/_matrix/client/v3/capabilities"


def new_user(client, name, password="first pw"):
    body = assert_json_response(client.post(REGISTER, json_body={
        "username": name, "password": password, "auth": {"type": "m.login.dummy"}}))
    return body["user_id"], body["access_token"]


def login(client, name, password):
    return client.post(LOGIN, json_body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": name},
        "password": password})


def password_auth(user_id, password, session=None):
    auth = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user_id},
            "password": password}
    if session:
        auth["session"] = session
    return auth


@spec("client-server-api/#post_matrixclientv3accountpassword")
def test_password_change_needs_the_old_password(client):
    user_id, token = new_user(client, "pw_changer")
    first = client.post(PASSWORD, token=token, json_body={"new_password": "second pw"})
    assert first.status == 401, first
    uia = first.json()
    assert ["m.login.password"] in [flow["stages"] for flow in uia["flows"]], uia
    wrong = client.post(PASSWORD, token=token, json_body={
        "new_password": "second pw", "auth": password_auth(user_id, "not it", uia["session"])})
    assert wrong.status == 401, wrong
    assert wrong.json()["errcode"] == "M_FORBIDDEN", wrong.json()
    assert login(client, "pw_changer", "first pw").status == 200  # unchanged so far


@spec("client-server-api/#post_matrixclientv3accountpassword")
def test_password_change_logs_out_other_devices(client):
    user_id, token = new_user(client, "pw_rotator")
    other = assert_json_response(login(client, "pw_rotator", "first pw"))["access_token"]
    assert_json_response(client.post(PASSWORD, token=token, json_body={
        "new_password": "second pw", "auth": password_auth(user_id, "first pw")}))
    assert login(client, "pw_rotator", "first pw").status == 403
    assert login(client, "pw_rotator", "second pw").status == 200
    assert_json_response(client.get(WHOAMI, token=token))  # the device that asked stays
    assert_matrix_error(client.get(WHOAMI, token=other), 401, "M_UNKNOWN_TOKEN")


@spec("client-server-api/#post_matrixclientv3accountpassword")
def test_password_change_can_keep_other_devices(client):
    user_id, token = new_user(client, "pw_keeper")
    other = assert_json_response(login(client, "pw_keeper", "first pw"))["access_token"]
    assert_json_response(client.post(PASSWORD, token=token, json_body={
        "new_password": "second pw", "logout_devices": False,
        "auth": password_auth(user_id, "first pw")}))
    assert_json_response(client.get(WHOAMI, token=other))


@spec("client-server-api/#post_matrixclientv3accountdeactivate")
def test_deactivation(client):
    user_id, token = new_user(client, "leaver")
    assert client.post(DEACTIVATE, token=token, json_body={}).status == 401
    body = assert_json_response(client.post(DEACTIVATE, token=token, json_body={
        "auth": password_auth(user_id, "first pw")}))
    assert body["id_server_unbind_result"] in ("success", "no-support")
    assert_matrix_error(client.get(WHOAMI, token=token), 401, "M_UNKNOWN_TOKEN")
    assert_matrix_error(login(client, "leaver", "first pw"), 403, ("M_USER_DEACTIVATED", "M_FORBIDDEN"))
    # The user ID stays taken: it must never be handed to someone else.
    taken = client.post(REGISTER, json_body={"username": "leaver", "password": "x",
                                             "auth": {"type": "m.login.dummy"}})
    assert_matrix_error(taken, 400, "M_USER_IN_USE")


@spec("client-server-api/#get_matrixclientv3capabilities")
def test_capabilities(client):
    _, token = new_user(client, "capable")
    caps = assert_json_response(client.get(CAPABILITIES, token=token))["capabilities"]
    assert caps["m.change_password"]["enabled"] is True
    versions = caps["m.room_versions"]
    assert versions["default"] in versions["available"]
    assert set(versions["available"]) >= {str(v) for v in range(1, 13)}
    assert_matrix_error(client.get(CAPABILITIES), 401, "M_MISSING_TOKEN")

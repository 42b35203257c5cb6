"""Access tokens end to end: an account made with `ranvier register-user`, a password login,
whoami with the token in either place the spec allows, and logout invalidating it."""

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.server import run_ranvier

WHOAMI = "/_matrix/client/v3/account/whoami"
PASSWORD = "conformance horse battery"
# Many logins in a row: rate limiting is tested in its own suite.
CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}


@pytest.fixture(scope="module")
def account(server):
    result = run_ranvier(["register-user", "--config", str(server.config_path),
                          "--user", "alice", "--password", PASSWORD])
    assert result.returncode == 0, result.stderr
    return f"@alice:{server.server_name}"


def login(client, user="alice", password=PASSWORD):
    return client.post("/_matrix/client/v3/login", json_body={
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": user},
        "password": password,
    })


@spec("client-server-api/#post_matrixclientv3login")
def test_login_returns_token(client, account):
    body = assert_json_response(login(client))
    assert body["user_id"] == account
    assert isinstance(body["access_token"], str) and body["access_token"]
    assert isinstance(body["device_id"], str) and body["device_id"]


@spec("client-server-api/#post_matrixclientv3login")
def test_login_wrong_password(client, account):
    assert_matrix_error(login(client, password="wrong"), 403, "M_FORBIDDEN")


@spec("client-server-api/#get_matrixclientv3accountwhoami")
def test_whoami_with_bearer_header(client, account):
    token = assert_json_response(login(client))["access_token"]
    body = assert_json_response(client.get(WHOAMI, token=token))
    assert body["user_id"] == account
    assert isinstance(body.get("device_id"), str)


@spec("client-server-api/#using-access-tokens")
def test_whoami_with_query_token(client, account):
    token = assert_json_response(login(client))["access_token"]
    body = assert_json_response(client.get(f"{WHOAMI}?access_token={token}"))
    assert body["user_id"] == account


@spec("client-server-api/#post_matrixclientv3logout")
def test_logout_invalidates_token(client, account):
    token = assert_json_response(login(client))["access_token"]
    assert_json_response(client.post("/_matrix/client/v3/logout", json_body={}, token=token))
    assert_matrix_error(client.get(WHOAMI, token=token), 401, "M_UNKNOWN_TOKEN")


@spec("client-server-api/#web-browser-clients")
def test_cors_on_authenticated_success(client, account):
    token = assert_json_response(login(client))["access_token"]
    response = client.get(WHOAMI, token=token, headers={"Origin": "https://app.example.org"})
    assert response.status == 200
    assert response.header("access-control-allow-origin") == "*"


@spec("client-server-api/#get_matrixclientv3login")
def test_login_flows_offer_password(client):
    body = assert_json_response(client.get("/_matrix/client/v3/login"))
    types = [flow["type"] for flow in body["flows"]]
    assert "m.login.password" in types, body


@spec("client-server-api/#post_matrixclientv3login")
def test_login_unknown_user(client, account):
    assert_matrix_error(login(client, user="nobody_here"), 403, "M_FORBIDDEN")


@spec("client-server-api/#post_matrixclientv3login")
def test_login_unknown_type(client):
    response = client.post("/_matrix/client/v3/login", json_body={"type": "m.login.carrier_pigeon"})
    assert_matrix_error(response, 400, ("M_UNKNOWN", "M_INVALID_PARAM", "M_BAD_JSON"))


@spec("client-server-api/#post_matrixclientv3login")
def test_login_missing_type(client):
    response = client.post("/_matrix/client/v3/login", json_body={"password": "x"})
    assert_matrix_error(response, 400, ("M_BAD_JSON", "M_MISSING_PARAM", "M_UNKNOWN"))


@spec("client-server-api/#post_matrixclientv3logoutall")
def test_logout_all_invalidates_every_token(client, account):
    first = assert_json_response(login(client))["access_token"]
    second = assert_json_response(login(client))["access_token"]
    assert first != second
    assert_json_response(client.post("/_matrix/client/v3/logout/all", json_body={}, token=first))
    for token in (first, second):
        assert_matrix_error(client.get(WHOAMI, token=token), 401, "M_UNKNOWN_TOKEN")

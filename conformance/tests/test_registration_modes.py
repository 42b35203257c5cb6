"""registration.mode (closed, token) and shared-secret registration: each test runs its own
server with the configuration it needs."""

import hashlib
import hmac

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.server import RanvierServer, run_ranvier

REGISTER = "/_matrix/client/v3/register"
ADMIN_REGISTER = "/_synapse/admin/v1/register"
SECRET = "conformance shared secret"


@pytest.fixture
def configured(tmp_path):
    """Starts a server with the given config overrides; stops it (exit 0) afterwards."""
    started = []

    def start(overrides):
        instance = RanvierServer(tmp_path / f"s{len(started)}")
        instance.init()
        instance.configure(overrides)
        instance.start()
        started.append(instance)
        return instance

    yield start
    for instance in started:
        try:
            assert instance.stop() == 0
        finally:
            instance.cleanup()


@spec("client-server-api/#post_matrixclientv3register")
def test_closed_registration_is_forbidden(configured):
    server = configured({"registration": {"mode": "closed"}})
    with server.client() as client:
        response = client.post(REGISTER, json_body={"username": "x", "password": "y"})
    assert_matrix_error(response, 403, "M_FORBIDDEN")


@spec("client-server-api/#token-authenticated-registration")
def test_token_registration_offers_token_stage(configured):
    server = configured({"registration": {"mode": "token"}})
    with server.client() as client:
        response = client.post(REGISTER, json_body={"username": "x", "password": "y"})
    assert response.status == 401, response
    stages = {stage for flow in response.json()["flows"] for stage in flow["stages"]}
    assert "m.login.registration_token" in stages, response.json()
    assert all("m.login.registration_token" in flow["stages"] for flow in response.json()["flows"]), \
        "a flow without the token stage lets anyone register"


def issue_token(server, *args):
    """`ranvier registration-token` against the server's config; returns the token."""
    result = run_ranvier(["registration-token", "--config", str(server.config_path), *args])
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[0]


def register_with_token(client, username, token):
    first = client.post(REGISTER, json_body={"username": username, "password": "pw"})
    assert first.status == 401, first
    session = first.json()["session"]
    return client.post(REGISTER, json_body={"username": username, "password": "pw", "auth": {
        "type": "m.login.registration_token", "token": token, "session": session}})


@spec("client-server-api/#token-authenticated-registration")
def test_registration_tokens_admit_as_many_users_as_they_allow(configured):
    server = configured({"registration": {"mode": "token"}, "rate_limits": {"enabled": False}})
    token = issue_token(server, "--uses", "1")
    validity = "/_matrix/client/v1/register/m.login.registration_token/validity"
    with server.client() as client:
        assert assert_json_response(client.get(f"{validity}?token={token}")) == {"valid": True}
        assert assert_json_response(client.get(f"{validity}?token=nonsense")) == {"valid": False}
        assert_matrix_error(register_with_token(client, "gatecrasher", "nonsense"), 401, "M_UNAUTHORIZED")
        body = assert_json_response(register_with_token(client, "invited", token))
        assert body["user_id"] == f"@invited:{server.server_name}"
        # The one use is spent.
        assert assert_json_response(client.get(f"{validity}?token={token}")) == {"valid": False}
        assert_matrix_error(register_with_token(client, "second", token), 401, "M_UNAUTHORIZED")
        # An expired token (valid for 0 days) admits nobody; a chosen unlimited one admits many.
        expired = issue_token(server, "--valid-days", "0")
        assert_matrix_error(register_with_token(client, "late", expired), 401, "M_UNAUTHORIZED")
        issue_token(server, "--token", "open.sesame")
        for name in ("one", "two"):
            assert_json_response(register_with_token(client, name, "open.sesame"))
    listed = run_ranvier(["registration-token", "--config", str(server.config_path), "--list"])
    assert "open.sesame  uses 2/unlimited" in listed.stdout


def mac(nonce, user, password, admin):
    message = b"\x00".join([nonce.encode(), user.encode(), password.encode(),
                            b"admin" if admin else b"notadmin"])
    return hmac.new(SECRET.encode(), message, hashlib.sha1).hexdigest()


@spec("synapse:docs/admin_api/register_api.md")
def test_shared_secret_registration(configured):
    server = configured({"registration": {"mode": "closed", "shared_secret": SECRET}})
    with server.client() as client:
        nonce = assert_json_response(client.get(ADMIN_REGISTER))["nonce"]
        body = assert_json_response(client.post(ADMIN_REGISTER, json_body={
            "nonce": nonce, "username": "boss", "password": "pw", "admin": True,
            "mac": mac(nonce, "boss", "pw", True)}))
        assert body["user_id"] == f"@boss:{server.server_name}"
        whoami = assert_json_response(client.get("/_matrix/client/v3/account/whoami",
                                                 token=body["access_token"]))
        assert whoami["user_id"] == body["user_id"]
        # A nonce is good for one registration only.
        replay = client.post(ADMIN_REGISTER, json_body={
            "nonce": nonce, "username": "boss2", "password": "pw", "admin": False,
            "mac": mac(nonce, "boss2", "pw", False)})
        assert_matrix_error(replay, (400, 403), None)


@spec("synapse:docs/admin_api/register_api.md")
def test_shared_secret_wrong_mac(configured):
    server = configured({"registration": {"mode": "closed", "shared_secret": SECRET}})
    with server.client() as client:
        nonce = assert_json_response(client.get(ADMIN_REGISTER))["nonce"]
        response = client.post(ADMIN_REGISTER, json_body={
            "nonce": nonce, "username": "mallory", "password": "pw", "admin": True,
            "mac": mac(nonce, "mallory", "pw", False)})  # signed as non-admin
        assert_matrix_error(response, 403, "M_FORBIDDEN")


@spec("synapse:docs/admin_api/register_api.md")
def test_shared_secret_registration_disabled_without_secret(configured):
    server = configured({"registration": {"mode": "open", "shared_secret": None}})
    with server.client() as client:
        response = client.get(ADMIN_REGISTER)
    assert 400 <= response.status < 500, response
    assert_matrix_error(response, None, None)

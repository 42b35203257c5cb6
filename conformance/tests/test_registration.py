"""Account registration over the client-server API with registration `open`: the
user-interactive authentication round trip, username availability, and the errors the spec
lists for taken and invalid usernames."""

import threading

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
REGISTER = "/_matrix/client/v3/register"
AVAILABLE = "/_matrix/client/v3/register/available"


def dummy_flow_or_skip(uia):
    if not any(flow.get("stages") == ["m.login.dummy"] for flow in uia["flows"]):
        pytest.skip(f"no flow that is only m.login.dummy: {uia['flows']}")


def register(client, username, password="registration pw", **extra):
    """POST /register, completing user-interactive auth with m.login.dummy if asked to. A
    refusal before UIA (the spec allows checking the username first) is returned as is."""
    body = {"username": username, "password": password, **extra}
    response = client.post(REGISTER, json_body=body)
    if response.status != 401:
        return response
    uia = response.json()
    dummy_flow_or_skip(uia)
    return client.post(REGISTER, json_body={
        **body, "auth": {"type": "m.login.dummy", "session": uia["session"]}})


@spec("client-server-api/#user-interactive-authentication-api")
def test_register_without_auth_starts_uia(client):
    response = client.post(REGISTER, json_body={"username": "uia_probe", "password": "pw"})
    assert response.status == 401, response
    body = response.json()
    assert isinstance(body["flows"], list) and body["flows"], body
    for flow in body["flows"]:
        assert isinstance(flow["stages"], list) and all(isinstance(s, str) for s in flow["stages"])
    assert isinstance(body.get("params", {}), dict)
    assert isinstance(body["session"], str) and body["session"]


@spec("client-server-api/#post_matrixclientv3register")
def test_register_with_dummy_auth(client, server):
    body = assert_json_response(register(client, "newcomer"))
    assert body["user_id"] == f"@newcomer:{server.server_name}"
    assert isinstance(body["access_token"], str) and body["access_token"]
    assert isinstance(body["device_id"], str) and body["device_id"]
    whoami = assert_json_response(client.get("/_matrix/client/v3/account/whoami",
                                             token=body["access_token"]))
    assert whoami["user_id"] == body["user_id"]


@spec("client-server-api/#post_matrixclientv3register")
def test_register_inhibit_login(client):
    body = assert_json_response(register(client, "quiet", inhibit_login=True))
    assert "user_id" in body
    assert "access_token" not in body, body


@spec("client-server-api/#post_matrixclientv3register")
def test_register_taken_username(client):
    assert_json_response(register(client, "taken"))
    assert_matrix_error(register(client, "taken"), 400, "M_USER_IN_USE")


@spec("client-server-api/#post_matrixclientv3register")
@pytest.mark.parametrize("username", ["has space", "UPPER", "a:b", "é", "@at"])
def test_register_invalid_username(client, username):
    assert_matrix_error(register(client, username), 400, "M_INVALID_USERNAME")


@spec("client-server-api/#get_matrixclientv3registeravailable")
def test_available_for_free_name(client):
    body = assert_json_response(client.get(f"{AVAILABLE}?username=nobody_yet"))
    assert body == {"available": True}


@spec("client-server-api/#get_matrixclientv3registeravailable")
def test_available_for_taken_name(client):
    assert_json_response(register(client, "occupied"))
    assert_matrix_error(client.get(f"{AVAILABLE}?username=occupied"), 400, "M_USER_IN_USE")


@spec("client-server-api/#get_matrixclientv3registeravailable")
def test_available_for_invalid_name(client):
    assert_matrix_error(client.get(f"{AVAILABLE}?username=has%20space"), 400, "M_INVALID_USERNAME")


@spec("client-server-api/#get_matrixclientv3registeravailable")
def test_available_without_username(client):
    assert_matrix_error(client.get(AVAILABLE), 400, ("M_MISSING_PARAM", "M_INVALID_PARAM"))


@spec("client-server-api/#post_matrixclientv3register")
def test_register_bad_kind(client):
    response = client.post(f"{REGISTER}?kind=robot", json_body={})
    assert_matrix_error(response, 400, ("M_INVALID_PARAM", "M_BAD_JSON", "M_UNKNOWN"))


@spec("client-server-api/#post_matrixclientv3register")
def test_concurrent_registrations(server):
    """Many clients registering at once: each gets its account (writes are serialised by the
    server, not lost or failed with a database-busy error)."""
    names = [f"crowd{i}" for i in range(16)]
    results = {}

    def one(name):
        with server.client(timeout=30) as own:
            results[name] = register(own, name)

    threads = [threading.Thread(target=one, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in names:
        body = assert_json_response(results[name])
        assert body["user_id"] == f"@{name}:{server.server_name}"


@spec("client-server-api/#post_matrixclientv3register")
def test_concurrent_registrations_of_one_name(server):
    """The same username from several clients at once: exactly one wins, the rest get
    M_USER_IN_USE."""
    results = []

    def one():
        with server.client(timeout=30) as own:
            results.append(register(own, "contested"))

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status for r in results)
    assert statuses.count(200) == 1, [(r.status, r.body[:100]) for r in results]
    for response in results:
        if response.status != 200:
            assert_matrix_error(response, 400, "M_USER_IN_USE")

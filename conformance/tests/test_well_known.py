"""`.well-known/matrix/*` served from the `well_known` section of the config, so delegation
needs no other web server."""

from harness.checks import assert_json_response, spec

SERVER_DELEGATION = "matrix.example.org:443"
CLIENT_BASE_URL = "https://matrix.example.org"
SUPPORT = {
    "contacts": [{"matrix_id": "@admin:example.org", "email_address": "admin@example.org",
                  "role": "m.role.admin"}],
    "support_page": "https://example.org/support.html",
}

CONFIG_OVERRIDES = {
    "well_known": {"server": SERVER_DELEGATION, "client_base_url": CLIENT_BASE_URL,
                   "support": SUPPORT},
}


@spec("server-server-api/#getwell-knownmatrixserver")
def test_well_known_server(client):
    body = assert_json_response(client.get("/.well-known/matrix/server"))
    assert body == {"m.server": SERVER_DELEGATION}


@spec("server-server-api/#getwell-knownmatrixserver")
def test_well_known_server_on_federation_listener(server):
    federation = server.federation()
    try:
        body = assert_json_response(federation.get("/.well-known/matrix/server"))
    finally:
        federation.close()
    assert body == {"m.server": SERVER_DELEGATION}


@spec("client-server-api/#getwell-knownmatrixclient")
def test_well_known_client(client):
    body = assert_json_response(client.get("/.well-known/matrix/client"))
    assert body["m.homeserver"]["base_url"] == CLIENT_BASE_URL
    # Anything else must be namespaced (Java package naming).
    for key in body:
        assert "." in key, f"un-namespaced key {key!r}"


@spec("client-server-api/#getwell-knownmatrixsupport")
def test_well_known_support(client):
    body = assert_json_response(client.get("/.well-known/matrix/support"))
    assert body == SUPPORT


@spec("client-server-api/#web-browser-clients")
def test_well_known_client_has_cors(client):
    response = client.get("/.well-known/matrix/client", headers={"Origin": "https://x.example"})
    assert response.header("access-control-allow-origin") == "*"


@spec("client-server-api/#other-error-codes")
def test_well_known_wrong_method(client):
    response = client.post("/.well-known/matrix/client", body=b"{}")
    assert response.status in (404, 405), response
    assert response.json()["errcode"] == "M_UNRECOGNIZED"

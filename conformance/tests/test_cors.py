"""CORS on the client-server API: headers on every response, OPTIONS pre-flight without any
endpoint logic (client-server-api "Web Browser Clients")."""

import pytest

from harness.checks import spec

REQUIRED_METHODS = {"GET", "POST", "PUT", "DELETE", "OPTIONS"}
REQUIRED_HEADERS = {"x-requested-with", "content-type", "authorization"}
ORIGIN = {"Origin": "https://app.example.org"}


def tokens(value):
    return {part.strip() for part in (value or "").split(",") if part.strip()}


def assert_cors(response):
    assert response.header("access-control-allow-origin") == "*", response.headers
    methods = {m.upper() for m in tokens(response.header("access-control-allow-methods"))}
    assert REQUIRED_METHODS <= methods, f"Allow-Methods {methods}"
    headers = {h.lower() for h in tokens(response.header("access-control-allow-headers"))}
    assert REQUIRED_HEADERS <= headers, f"Allow-Headers {headers}"


@spec("client-server-api/#web-browser-clients")
@pytest.mark.parametrize("method,path", [
    ("GET", "/_matrix/client/versions"),
    ("GET", "/_matrix/client/v3/account/whoami"),          # 401 error response
    ("GET", "/_matrix/client/v3/no/such/endpoint"),        # 404 error response
    ("POST", "/_matrix/client/versions"),                  # 405 error response
])
def test_cors_headers_on_responses(client, method, path):
    response = client.request(method, path, headers=ORIGIN,
                              body=b"{}" if method == "POST" else None)
    assert_cors(response)


@spec("client-server-api/#getwell-knownmatrixclient")
def test_cors_headers_on_well_known(client):
    # "Servers hosting the .well-known JSON file SHOULD offer CORS headers"; the 404 is what a
    # browser client sees when nothing is configured, and it must be able to read it.
    assert_cors(client.get("/.well-known/matrix/client", headers=ORIGIN))


@spec("client-server-api/#web-browser-clients")
def test_preflight_on_authenticated_endpoint_runs_no_endpoint_logic(client):
    response = client.options("/_matrix/client/v3/account/whoami", headers={
        **ORIGIN,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization, content-type",
    })
    # No token was sent: any 401 would mean the endpoint's logic ran.
    assert response.status in (200, 204), response
    assert_cors(response)


@spec("client-server-api/#web-browser-clients")
def test_preflight_for_put(client):
    response = client.options("/_matrix/client/versions", headers={
        **ORIGIN, "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status in (200, 204), response
    assert_cors(response)


@spec("client-server-api/#web-browser-clients")
def test_preflight_without_origin(client):
    # A bare OPTIONS (no Origin) is how "clients discover the CORS headers".
    response = client.options("/_matrix/client/versions")
    assert response.status in (200, 204), response
    assert_cors(response)

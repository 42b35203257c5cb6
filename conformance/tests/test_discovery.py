"""Discovery endpoints on a freshly initialised server: /versions, and .well-known files
that are not configured."""

import email.utils
import re
import time

from harness.checks import assert_json_response, assert_matrix_error, spec

VERSION_PATTERN = re.compile(r"^(v\d+\.\d+|r\d+\.\d+\.\d+)$")


@spec("client-server-api/#get_matrixclientversions")
def test_versions_shape(client):
    body = assert_json_response(client.get("/_matrix/client/versions"))
    versions = body.get("versions")
    assert isinstance(versions, list) and versions, body
    for version in versions:
        assert isinstance(version, str) and VERSION_PATTERN.match(version), version
    assert any(v.startswith("v1.") for v in versions), "no stable v1.x version advertised"
    assert len(set(versions)) == len(versions), "duplicate versions"


@spec("client-server-api/#get_matrixclientversions")
def test_versions_unstable_features_are_booleans(client):
    body = assert_json_response(client.get("/_matrix/client/versions"))
    features = body.get("unstable_features", {})
    assert isinstance(features, dict), body
    for name, enabled in features.items():
        assert isinstance(name, str) and isinstance(enabled, bool), (name, enabled)


@spec("client-server-api/#get_matrixclientversions")
def test_versions_ignores_query_string(client):
    response = client.get("/_matrix/client/versions?foo=bar&baz")
    assert_json_response(response)


@spec("rfc9110#section-9.3.2")
def test_head_versions_has_no_body(server):
    with server.raw() as connection:
        connection.send(b"HEAD /_matrix/client/versions HTTP/1.1\r\nHost: localhost\r\n\r\n")
        head = connection.read_response(head_request=True)
        assert head.status == 200, head
        # The connection must still be usable: no stray body bytes were sent after the head.
        connection.send(b"GET /_matrix/client/versions HTTP/1.1\r\nHost: localhost\r\n\r\n")
        get = connection.read_response()
        assert get.status == 200, get
        assert get.json()["versions"]


@spec("client-server-api/#getwell-knownmatrixclient")
def test_well_known_client_absent_is_404(client):
    assert_matrix_error(client.get("/.well-known/matrix/client"), 404, None)


@spec("server-server-api/#getwell-knownmatrixserver")
def test_well_known_server_absent_is_404(client):
    assert_matrix_error(client.get("/.well-known/matrix/server"), 404, None)


@spec("client-server-api/#getwell-knownmatrixsupport")
def test_well_known_support_absent_is_404(client):
    assert_matrix_error(client.get("/.well-known/matrix/support"), 404, None)


@spec("ranvier:docs/configuration.md#well_known")
def test_well_known_absent_uses_not_found_code(client):
    for name in ("client", "server", "support"):
        assert_matrix_error(client.get(f"/.well-known/matrix/{name}"), 404, "M_NOT_FOUND")


@spec("ranvier:issue-2#set-up-and-commands")
def test_requests_are_logged(server, client):
    client.get("/_matrix/client/versions?logged=marker")
    deadline = time.monotonic() + 3
    while "/_matrix/client/versions" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "/_matrix/client/versions" in server.log()


@spec("rfc9110#section-6.6.1")  # an origin server with a clock MUST send Date on 2xx-4xx
def test_date_header(client):
    for path in ("/_matrix/client/versions", "/_matrix/client/v3/nope"):
        response = client.get(path)
        date = response.header("date")
        assert date, f"no Date header on {response.status} for {path}"
        parsed = email.utils.parsedate_to_datetime(date)
        assert abs(parsed.timestamp() - time.time()) < 60, date

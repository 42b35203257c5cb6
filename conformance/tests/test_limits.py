"""Configured limits: body size, header size, read timeout (slow clients). Over a limit the
server answers with the right status and a Matrix error, or closes the connection, and keeps
serving everyone else (issue 2, "HTTP layer" and "Bad input")."""

import time

import pytest

from harness.checks import assert_matrix_error, spec
from harness.client import ConnectionClosed, build_request
from harness.probes import assert_still_serving

MAX_BODY = 4096
MAX_HEADER = 8192
READ_TIMEOUT_MS = 1000

CONFIG_OVERRIDES = {
    "limits": {"max_body_bytes": MAX_BODY, "max_header_bytes": MAX_HEADER,
               "read_timeout_ms": READ_TIMEOUT_MS},
    "rate_limits": {"enabled": False},
}

LOGIN = "/_matrix/client/v3/login"
REGISTER = "/_matrix/client/v3/register"


def padded_json(size):
    """A JSON object of exactly `size` bytes."""
    prefix, suffix = b'{"type":"m.login.password","pad":"', b'"}'
    return prefix + b"x" * (size - len(prefix) - len(suffix)) + suffix


@spec("client-server-api/#other-error-codes")  # M_TOO_LARGE
@pytest.mark.parametrize("path", [LOGIN, REGISTER])
def test_body_over_limit_is_413_too_large(server, client, path):
    response = client.post(path, body=padded_json(MAX_BODY + 1),
                           headers={"Content-Type": "application/json"})
    assert_matrix_error(response, 413, "M_TOO_LARGE")
    assert_still_serving(server)


@spec("client-server-api/#other-error-codes")
def test_body_at_limit_is_not_too_large(client):
    response = client.post(LOGIN, body=padded_json(MAX_BODY),
                           headers={"Content-Type": "application/json"})
    assert response.status != 413, response


@spec("client-server-api/#other-error-codes")
def test_huge_declared_length_is_refused_without_waiting(server):
    # Content-Length of 10 GB and no body: the answer must come from the header alone. A
    # server that waited for the body would hit read_timeout_ms and close without an answer.
    request = build_request("POST", LOGIN, {"Content-Length": str(10 * 1024**3),
                                            "Content-Type": "application/json"})
    with server.raw() as connection:
        connection.send(request)
        try:
            response = connection.read_response(timeout=5)
        except ConnectionClosed:
            pytest.fail("closed without an answer: the server waited for the 10 GB body")
    assert_matrix_error(response, 413, "M_TOO_LARGE")
    assert_still_serving(server)


@spec("rfc9112#section-7.1")  # chunked transfer coding
def test_chunked_body_over_limit_is_413(server):
    chunk = b"x" * 1024
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(MAX_BODY // 1024 + 2))
    request = build_request("POST", LOGIN, {"Transfer-Encoding": "chunked",
                                            "Content-Type": "application/json"})
    with server.raw() as connection:
        connection.send(request)
        try:
            connection.send(body + b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may stop reading once the limit is passed
        response = connection.read_response()
    assert_matrix_error(response, 413, "M_TOO_LARGE")
    assert_still_serving(server)


@spec("rfc6585#section-5")  # 431 Request Header Fields Too Large
def test_one_huge_header_is_431(server):
    request = build_request("GET", "/_matrix/client/versions", {"X-Big": "a" * (MAX_HEADER + 100)})
    with server.raw() as connection:
        try:
            connection.send(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = connection.read_response()
    assert_matrix_error(response, (431, 400), None)
    assert_still_serving(server)


@spec("rfc6585#section-5")
def test_many_headers_over_limit_is_431(server):
    headers = {f"X-Header-{i}": "v" * 50 for i in range(MAX_HEADER // 50 + 10)}
    with server.raw() as connection:
        try:
            connection.send(build_request("GET", "/_matrix/client/versions", headers))
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = connection.read_response()
    assert_matrix_error(response, (431, 400), None)
    assert_still_serving(server)


@spec("rfc9112#section-3")  # a request line longer than the server accepts: 414 / 431 / 400
def test_huge_request_target(server):
    path = "/_matrix/client/versions?" + "q=" + "a" * (MAX_HEADER + 100)
    with server.raw() as connection:
        try:
            connection.send(build_request("GET", path))
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = connection.read_response()
    assert response.status in (400, 414, 431), response
    assert_still_serving(server)


@spec("rfc6585#section-5")
def test_headers_under_limit_are_fine(client):
    response = client.get("/_matrix/client/versions", headers={"X-Medium": "m" * (MAX_HEADER // 2)})
    assert response.status == 200, response


@spec("ranvier:issue-2#http-layer")  # read timeouts (slow-loris)
def test_slow_loris_headers_are_cut_off(server):
    """One byte of the header every 200 ms never completes a request; the connection must be
    closed after about read_timeout_ms, not kept alive by each trickle."""
    request = build_request("GET", "/_matrix/client/versions", {"X-Slow": "s" * 200})
    limit_s = READ_TIMEOUT_MS / 1000
    with server.raw() as connection:
        started = time.monotonic()
        closed = False
        for byte in request[:-2]:
            try:
                connection.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if connection.wait_closed(0.2):
                closed = True
                break
            if time.monotonic() - started > 4 * limit_s + 2:
                break
        elapsed = time.monotonic() - started
    assert closed, f"still open after {elapsed:.1f}s of trickled headers"
    assert elapsed < 3 * limit_s + 1.5, f"closed only after {elapsed:.1f}s"
    assert_still_serving(server)


@spec("ranvier:issue-2#http-layer")
def test_idle_connection_without_request_is_closed(server):
    with server.raw() as connection:
        assert connection.wait_closed(3 * READ_TIMEOUT_MS / 1000 + 2), "idle connection kept open"
    assert_still_serving(server)


@spec("ranvier:issue-2#http-layer")
def test_slow_body_is_cut_off(server):
    body = padded_json(1000)
    request = build_request("POST", LOGIN, {"Content-Type": "application/json"}, body=body)
    head_length = len(request) - len(body)
    with server.raw() as connection:
        connection.send(request[:head_length + 10])
        closed = connection.wait_closed(3 * READ_TIMEOUT_MS / 1000 + 2)
    assert closed, "a body that never arrives kept the connection open"
    assert_still_serving(server)


@spec("ranvier:issue-2#http-layer")
def test_slow_client_does_not_block_others(server):
    with server.raw() as stalled:
        stalled.send(b"GET /_matrix/client/versions HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        assert_still_serving(server)
        assert time.monotonic() - started < READ_TIMEOUT_MS / 1000, "served only after the stall"


@spec("rfc9112#section-9.3")  # persistence: an idle keep-alive connection may be closed
def test_keep_alive_connection_survives_short_pauses(server):
    with server.raw() as connection:
        for _ in range(3):
            connection.send(build_request("GET", "/_matrix/client/versions"))
            try:
                assert connection.read_response().status == 200
            except ConnectionClosed:
                pytest.fail("keep-alive connection closed between requests")
            time.sleep(READ_TIMEOUT_MS / 1000 / 4)


@spec("ranvier:issue-2#http-layer")
def test_tls_connection_without_handshake_is_closed(server):
    """A client that opens the federation port and never says hello is a slow client too. The
    bound is generous (the handshake may have its own timeout), but it must be finite."""
    with server.raw_plain_federation() as connection:
        assert connection.wait_closed(15), "TLS connection without a handshake kept open"
    assert_still_serving(server)


@spec("ranvier:issue-2#http-layer")  # the same limits on a TLS listener
def test_limits_apply_over_tls(server):
    with server.raw_federation() as connection:
        body = b'{"server_keys":{"x":{}},"pad":"' + b"p" * MAX_BODY + b'"}'
        connection.send(build_request("POST", "/_matrix/key/v2/query",
                                      {"Content-Type": "application/json"}, body=body))
        assert_matrix_error(connection.read_response(), 413, "M_TOO_LARGE")
    with server.raw_federation() as connection:
        connection.send(build_request("GET", "/_matrix/federation/v1/version",
                                      {"X-Big": "b" * (MAX_HEADER + 100)}))
        assert_matrix_error(connection.read_response(), (431, 400), None)
    with server.raw_federation() as connection:
        connection.send(b"GET /_matrix/federation/v1/version HTTP/1.1\r\n")  # and nothing more
        assert connection.wait_closed(3 * READ_TIMEOUT_MS / 1000 + 2), "stalled TLS request kept open"
    assert_still_serving(server)

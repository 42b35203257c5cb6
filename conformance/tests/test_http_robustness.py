"""Malformed HTTP on the client listener: each gets a 4xx (or a closed connection where no
response is possible) and the server keeps serving (issue 2, "Bad input"; RFC 9112)."""

import socket
import ssl

import pytest

from harness.checks import assert_matrix_error, spec
from harness.client import ConnectionClosed, RawConnection, build_request, tls_context
from harness.probes import assert_still_serving
from harness.server import LOOPBACK

VERSIONS = "/_matrix/client/versions"


def send_and_read(server, data, timeout=5.0):
    """Sends raw bytes; returns the response, or None if the server just closed."""
    with server.raw(timeout=timeout) as connection:
        try:
            connection.send(data)
            return connection.read_response(timeout)
        except (ConnectionClosed, BrokenPipeError, ConnectionResetError):
            return None


@spec("rfc9112#section-3")  # request line
@pytest.mark.parametrize("data", [
    pytest.param(b"GARBAGE\r\n\r\n", id="one_word"),
    pytest.param(b"GET\r\n\r\n", id="method_only"),
    pytest.param(b"GET /_matrix/client/versions\r\n\r\n", id="http_0_9"),
    pytest.param(b"GET  /_matrix/client/versions  HTTP/1.1\r\nHost: x\r\n\r\n", id="double_spaces"),
    pytest.param(b"GET /_matrix/client/versions HTTP/1.1 extra\r\nHost: x\r\n\r\n", id="extra_word"),
    pytest.param(b"GET _matrix/client/versions HTTP/1.1\r\nHost: x\r\n\r\n", id="target_not_origin_form"),
    pytest.param(b"GET /_matrix/client/ver sions HTTP/1.1\r\nHost: x\r\n\r\n", id="space_in_target"),
    pytest.param(b"G\x00T /_matrix/client/versions HTTP/1.1\r\nHost: x\r\n\r\n", id="nul_in_method"),
    pytest.param(b"GET /_matrix/client/versions HTTP/1.1\r\nNo colon here\r\n\r\n", id="header_without_colon"),
    pytest.param(b"GET /_matrix/client/versions HTTP/1.1\r\n: empty-name\r\n\r\n", id="empty_header_name"),
    pytest.param(b"GET /_matrix/client/versions HTTP/1.1\r\nBad Name: x\r\n\r\n", id="space_in_header_name"),
])
def test_malformed_request_is_400(server, data):
    response = send_and_read(server, data)
    assert response is not None, "connection closed without a 400 response"
    assert_matrix_error(response, 400, None)
    assert_still_serving(server)


@spec("rfc9110#section-5.5")  # NUL in a field value, whitespace before the first field:
@pytest.mark.parametrize("data", [  # "MUST either reject the message or" neutralise it
    pytest.param(b"GET /_matrix/client/versions HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n",
                 id="nul_in_header_value"),
    pytest.param(b"GET /_matrix/client/versions HTTP/1.1\r\n folded: header\r\nHost: x\r\n\r\n",
                 id="whitespace_before_first_header"),
])
def test_dangerous_header_bytes_are_rejected_or_neutralised(server, data):
    response = send_and_read(server, data)
    assert response is not None, "connection closed without a response"
    assert response.status in (200, 400), response
    assert_still_serving(server)


@spec("rfc9112#section-2.6")  # unknown major version
@pytest.mark.parametrize("version", [b"HTTP/9.9", b"HTTP/2.0", b"HTTX/1.1", b"HTTP/1.x"],
                         ids=["9.9", "2.0", "HTTX", "1.x"])
def test_unsupported_http_version(server, version):
    response = send_and_read(server, b"GET /_matrix/client/versions " + version + b"\r\nHost: x\r\n\r\n")
    assert response is not None, "connection closed without a response"
    assert_matrix_error(response, (400, 505), None)
    assert_still_serving(server)


@spec("rfc9112#section-6.3")  # message body length
@pytest.mark.parametrize("headers", [
    pytest.param({"Content-Length": "abc"}, id="length_not_a_number"),
    pytest.param({"Content-Length": "-1"}, id="length_negative"),
    pytest.param({"Content-Length": "1 2"}, id="length_two_numbers"),
    pytest.param({"Content-Length": "99999999999999999999999999"}, id="length_overflow"),
    pytest.param({"Transfer-Encoding": "gzip"}, id="coding_without_chunked"),
    pytest.param({"Transfer-Encoding": "chunked, identity"}, id="chunked_not_last"),
])
def test_bad_body_framing_is_400(server, headers):
    # /versions ignores any body, so only the HTTP layer can turn this into an error.
    data = build_request("GET", VERSIONS, headers) + b"{}"
    response = send_and_read(server, data)
    assert response is not None, "connection closed without a response"
    assert_matrix_error(response, (400, 413, 501), None)
    assert_still_serving(server)


@spec("rfc9112#section-6.3")
def test_conflicting_content_lengths_are_400(server):
    data = (b"GET /_matrix/client/versions HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x")
    response = send_and_read(server, data)
    assert response is not None, "connection closed without a response"
    assert_matrix_error(response, 400, None)
    assert_still_serving(server)


@spec("rfc9112#section-6.1")  # Transfer-Encoding with Content-Length: smuggling guard
def test_chunked_with_content_length_is_not_smuggled(server):
    smuggled = b"GET /_matrix/client/v3/smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    data = (b"GET /_matrix/client/versions HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"0\r\n\r\n" + smuggled)
    with server.raw(timeout=5) as connection:
        connection.send(data)
        try:
            connection.read_response(5)
        except ConnectionClosed:
            pass
        # Rejected (400) or served with chunked framing: either way the server must close the
        # connection afterwards (RFC 9112 6.1), so the appended request is never answered.
        assert connection.wait_closed(5), "connection kept open after a TE + CL request"
        assert b"HTTP/1.1" not in connection.buffer, "smuggled request was answered"
    assert_still_serving(server)


@spec("rfc9112#section-7.1")
@pytest.mark.parametrize("body", [
    pytest.param(b"zz\r\n{}\r\n0\r\n\r\n", id="size_not_hex"),
    pytest.param(b"2\r\n{}XX0\r\n\r\n", id="no_crlf_after_data"),
    pytest.param(b"fffffffffffffffffffff\r\n", id="size_overflow"),
])
def test_bad_chunked_encoding(server, body):
    data = build_request("GET", VERSIONS, {"Transfer-Encoding": "chunked"}) + body
    response = send_and_read(server, data)
    if response is not None:  # closing without an answer is acceptable; serving it is not
        assert response.status in (400, 413), response
    assert_still_serving(server)


@spec("ranvier:issue-2#bad-input")
def test_binary_garbage(server):
    send_and_read(server, bytes(range(256)) * 8 + b"\r\n\r\n")
    assert_still_serving(server)


@spec("ranvier:issue-2#bad-input")
def test_tls_handshake_on_plain_listener(server):
    sock = socket.create_connection((LOOPBACK, server.client_port), timeout=5)
    try:
        with pytest.raises((ssl.SSLError, OSError)):
            tls_context().wrap_socket(sock, server_hostname="localhost").do_handshake()
    finally:
        sock.close()
    assert_still_serving(server)


@spec("ranvier:issue-2#bad-input")
def test_client_disconnects_mid_request(server):
    for cut in (5, 30, 60):
        data = build_request("POST", "/_matrix/client/v3/login", body=b'{"type":"m.login.password"}')
        with server.raw() as connection:
            connection.send(data[:cut])
    with server.raw() as connection:
        connection.send(build_request("GET", "/_matrix/client/versions"))
        connection.sock.shutdown(socket.SHUT_WR)  # half-close right after a full request
        response = connection.read_response()
        assert response.status == 200, response
    assert_still_serving(server)


@spec("ranvier:issue-2#bad-input")
def test_reset_while_response_pending(server):
    for _ in range(20):
        sock = socket.create_connection((LOOPBACK, server.client_port), timeout=5)
        sock.sendall(build_request("GET", "/_matrix/client/versions"))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # RST
    assert_still_serving(server)


@spec("rfc9112#section-3.2")  # "MUST respond with a 400 ... to any HTTP/1.1 request ... that lacks a Host"
def test_request_without_host_header(server):
    response = send_and_read(server, b"GET /_matrix/client/versions HTTP/1.1\r\n\r\n")
    assert response is not None, "connection closed without a response"
    assert_matrix_error(response, 400, None)
    assert_still_serving(server)


@spec("rfc9112#section-3.2")  # HTTP/1.0 requests need no Host
def test_http_1_0_without_host_is_fine(server):
    response = send_and_read(server, b"GET /_matrix/client/versions HTTP/1.0\r\n\r\n")
    assert response is not None and response.status == 200, response


@spec("rfc9112#section-9.3")  # persistence
def test_keep_alive_many_requests_on_one_connection(server):
    client = server.client()
    try:
        for i in range(25):
            response = client.get(f"/_matrix/client/versions?i={i}")
            assert response.status == 200, response
        assert_matrix_error(client.get("/_matrix/client/v3/nope"), 404, "M_UNRECOGNIZED")
        assert client.get("/_matrix/client/versions").status == 200
        assert client.connections_opened == 1, "server closed the keep-alive connection"
    finally:
        client.close()


@spec("rfc9112#section-9.3.2")  # pipelining: responses in request order
def test_pipelined_requests_are_answered_in_order(server):
    requests = (build_request("GET", "/_matrix/client/versions")
                + build_request("GET", "/_matrix/client/v3/nope")
                + build_request("GET", "/.well-known/matrix/client")
                + build_request("GET", "/_matrix/client/versions"))
    with server.raw() as connection:
        connection.send(requests)
        statuses = [connection.read_response().status for _ in range(4)]
    assert statuses == [200, 404, 404, 200], statuses


@spec("rfc9112#section-9.6")  # Connection: close
def test_connection_close_is_honoured(server):
    with server.raw() as connection:
        connection.send(build_request("GET", "/_matrix/client/versions", {"Connection": "close"}))
        response = connection.read_response()
        assert response.status == 200
        assert connection.wait_closed(5), "connection left open after Connection: close"


@spec("rfc9112#section-9.3")  # HTTP/1.0 without keep-alive closes after the response
def test_http_1_0_request(server):
    with server.raw() as connection:
        connection.send(b"GET /_matrix/client/versions HTTP/1.0\r\n\r\n")
        response = connection.read_response()
        assert response.status == 200
        assert response.json()["versions"]
        assert connection.wait_closed(5), "HTTP/1.0 connection left open"


@spec("rfc9112#section-9.3")
def test_error_response_keeps_connection_usable(server):
    with server.raw() as connection:
        connection.send(build_request("POST", "/_matrix/client/versions", body=b"{}"))
        assert connection.read_response().status == 405
        connection.send(build_request("GET", "/_matrix/client/versions"))
        assert connection.read_response().status == 200


@spec("ranvier:issue-2#bad-input")
def test_many_connections_in_a_burst(server):
    connections = [RawConnection(LOOPBACK, server.client_port) for _ in range(50)]
    try:
        for connection in connections:
            connection.send(build_request("GET", "/_matrix/client/versions"))
        for connection in connections:
            assert connection.read_response().status == 200
    finally:
        for connection in connections:
            connection.close()
    assert_still_serving(server)


@spec("rfc9112#section-3.2.2")  # "a server MUST accept the absolute-form in requests"
def test_absolute_form_target(server):
    target = f"http://127.0.0.1:{server.client_port}/_matrix/client/versions"
    response = send_and_read(server, build_request("GET", target))
    assert response is not None and response.status == 200, response
    assert response.json()["versions"]


@spec("rfc9112#section-3.2.4")  # asterisk-form, only for server-wide OPTIONS
def test_asterisk_form_options(server):
    response = send_and_read(server, build_request("OPTIONS", "*"))
    assert response is not None, "connection closed without a response"
    assert response.status < 500, response
    assert_still_serving(server)


@spec("rfc9110#section-10.1.1")  # Expect: 100-continue (curl sends it for bodies over 1 KiB)
def test_expect_100_continue_is_answered_before_the_body(server):
    body = b'{"type":"m.login.password","pad":"' + b"x" * 2000 + b'"}'
    head = build_request("POST", "/_matrix/client/v3/login",
                         {"Expect": "100-continue", "Content-Type": "application/json",
                          "Content-Length": str(len(body))})
    with server.raw() as connection:
        connection.send(head)
        try:  # without the body: 100 or a final status, and not waiting for the content
            first = connection.read_response(timeout=2)
        except TimeoutError:
            pytest.fail("no 100 (Continue) or final status within 2 s; the server waits for the body")
        if first.status == 100:
            connection.send(body)
            final = connection.read_response()
            assert final.status != 100, final
        assert_still_serving(server)

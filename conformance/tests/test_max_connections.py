"""limits.max_connections: connections past the limit are refused or made to wait, never served
in parallel past the limit, and capacity comes back when connections close."""

import time

from harness.checks import spec
from harness.client import ConnectionClosed, RawConnection, build_request
from harness.server import LOOPBACK

MAX_CONNECTIONS = 4
CONFIG_OVERRIDES = {"limits": {"max_connections": MAX_CONNECTIONS, "read_timeout_ms": 20000}}


def open_served(server):
    connection = RawConnection(LOOPBACK, server.client_port, timeout=5)
    connection.send(build_request("GET", "/_matrix/client/versions"))
    assert connection.read_response().status == 200
    return connection


def open_served_eventually(server, timeout=5.0):
    """Like open_served, retrying while the server notices that slots were freed."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return open_served(server)
        except (ConnectionClosed, TimeoutError, ConnectionResetError, AssertionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@spec("ranvier:docs/configuration.md#limits")
def test_connection_past_the_limit_is_not_served_until_one_closes(server):
    held = [open_served(server) for _ in range(MAX_CONNECTIONS)]
    extra = RawConnection(LOOPBACK, server.client_port, timeout=5)
    try:
        extra.send(build_request("GET", "/_matrix/client/versions"))
        try:
            response = extra.read_response(timeout=2)
        except (ConnectionClosed, TimeoutError, ConnectionResetError, BrokenPipeError):
            response = None  # refused (closed) or waiting in the backlog: both acceptable
        if response is not None:
            assert response.status == 503, f"served past max_connections: {response!r}"
            assert response.json()["errcode"], response
        # Free one slot: a new connection must be served (a waiting one may be served first).
        held.pop().close()
        open_served_eventually(server).close()
    finally:
        extra.close()
        for connection in held:
            connection.close()


@spec("ranvier:docs/configuration.md#limits")
def test_capacity_recovers_after_churn(server):
    for _ in range(5):
        batch = [open_served_eventually(server) for _ in range(MAX_CONNECTIONS)]
        for connection in batch:
            connection.close()
    open_served_eventually(server).close()

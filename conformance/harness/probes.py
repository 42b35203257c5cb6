"""Checks that the server is still up and serving after something nasty."""

from __future__ import annotations

from typing import Optional, Sequence

from .server import RanvierServer

# Client endpoints that take a JSON body without authentication; the spec marks both
# rate-limited. Suites probe them because what is implemented grows over time.
UNAUTHENTICATED_JSON_ENDPOINTS = [
    ("POST", "/_matrix/client/v3/login"),
    ("POST", "/_matrix/client/v3/register"),
]


def assert_still_serving(server: RanvierServer) -> None:
    """The process is alive and answers /versions on a new connection."""
    assert server.alive(), f"ranvier died; log tail:\n{server.log()[-3000:]}"
    with server.client(timeout=5) as fresh:
        response = fresh.get("/_matrix/client/versions")
    assert response.status == 200, response


def is_unrouted(response) -> bool:
    """404/405 M_UNRECOGNIZED: no handler behind this method and path."""
    if response.status not in (404, 405):
        return False
    try:
        return response.json().get("errcode") == "M_UNRECOGNIZED"
    except ValueError:
        return False


def first_implemented(server: RanvierServer,
                      candidates: Sequence[tuple[str, str]]) -> Optional[tuple[str, str]]:
    """The first (method, path) whose handler answers a request with body `{}`."""
    with server.client() as client:
        for method, path in candidates:
            if not is_unrouted(client.request(method, path, json_body={})):
                return method, path
    return None

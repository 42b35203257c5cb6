"""Checks that the server is still up and serving after something nasty."""

from __future__ import annotations

from .server import RanvierServer


def assert_still_serving(server: RanvierServer) -> None:
    """The process is alive and answers /versions on a new connection."""
    assert server.alive(), f"ranvier died; log tail:\n{server.log()[-3000:]}"
    with server.client(timeout=5) as fresh:
        response = fresh.get("/_matrix/client/versions")
    assert response.status == 200, response

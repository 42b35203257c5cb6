"""Assertions shared by the suites, phrased in the spec's terms."""

from __future__ import annotations

import json
from typing import Iterable, Optional

import pytest

from .client import Response


def spec(section: str):
    """Names the spec section (or RFC / project document) a test checks, e.g.
    `@spec("client-server-api/#get_matrixclientversions")`."""
    return pytest.mark.spec(section)


def json_body(response: Response) -> dict:
    """The body as a JSON object, failing the test if it is not one."""
    try:
        body = json.loads(response.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        pytest.fail(f"response body is not JSON ({error}): {response!r}")
    assert isinstance(body, dict), f"response body is not a JSON object: {response!r}"
    return body


def assert_json_response(response: Response, status: int = 200) -> dict:
    """Status as expected, Content-Type application/json (client-server-api/#api-standards)."""
    assert response.status == status, f"expected {status}, got {response!r}"
    content_type = (response.header("content-type") or "").split(";")[0].strip().lower()
    assert content_type == "application/json", f"Content-Type {content_type!r}: {response!r}"
    return json_body(response)


def assert_matrix_error(response: Response, status: Optional[int | Iterable[int]],
                        errcode: Optional[str | Iterable[str]]) -> dict:
    """A standard error response: JSON `{errcode, error}` with the expected status and code."""
    if status is not None:
        allowed = {status} if isinstance(status, int) else set(status)
        assert response.status in allowed, f"expected status {sorted(allowed)}, got {response!r}"
    content_type = (response.header("content-type") or "").split(";")[0].strip().lower()
    assert content_type == "application/json", f"error without JSON Content-Type: {response!r}"
    body = json_body(response)
    assert isinstance(body.get("errcode"), str), f"no errcode string: {body}"
    assert isinstance(body.get("error"), str), f"no error string: {body}"
    if errcode is not None:
        allowed_codes = {errcode} if isinstance(errcode, str) else set(errcode)
        assert body["errcode"] in allowed_codes, f"expected errcode {sorted(allowed_codes)}, got {body}"
    return body

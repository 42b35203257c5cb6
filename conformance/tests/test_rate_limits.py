"""Rate limiting of the endpoints the spec marks rate-limited: 429 M_LIMIT_EXCEEDED with
retry_after_ms, per client; endpoints that are not rate-limited are unaffected."""

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.probes import UNAUTHENTICATED_JSON_ENDPOINTS, first_implemented

BURST = 3
CONFIG_OVERRIDES = {"rate_limits": {"enabled": True, "per_second": 0.2, "burst": BURST}}


@pytest.fixture(scope="module")
def limited_endpoint(server):
    found = first_implemented(server, UNAUTHENTICATED_JSON_ENDPOINTS)
    if found is None:
        pytest.skip(f"no implemented rate-limited endpoint among {UNAUTHENTICATED_JSON_ENDPOINTS}")
    return found


@spec("client-server-api/#common-error-codes")  # M_LIMIT_EXCEEDED
def test_burst_then_limit_exceeded(client, limited_endpoint):
    method, path = limited_endpoint
    responses = [client.request(method, path, json_body={}) for _ in range(BURST + 3)]
    limited = [r for r in responses if r.status == 429]
    assert limited, f"no 429 after {len(responses)} requests: {[r.status for r in responses]}"
    body = assert_matrix_error(limited[0], 429, "M_LIMIT_EXCEEDED")
    retry = body.get("retry_after_ms")
    assert isinstance(retry, int) and retry >= 0, body


@spec("client-server-api/#common-error-codes")
def test_unlimited_endpoint_still_served(client, limited_endpoint):
    method, path = limited_endpoint
    for _ in range(BURST + 3):
        client.request(method, path, json_body={})
    for _ in range(20):
        assert_json_response(client.get("/_matrix/client/versions"))

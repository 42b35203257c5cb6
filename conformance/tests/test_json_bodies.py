"""Request bodies that are not valid JSON objects (client-server-api "API Standards" and the
common error codes M_NOT_JSON / M_BAD_JSON).

Which endpoints read a JSON body depends on what is implemented, so the suite finds the first
candidate below that is routed to a handler (anything but 404/405 M_UNRECOGNIZED for a valid
body) and sends the bad bodies there."""

import pytest

from harness.checks import assert_matrix_error, spec
from harness.probes import UNAUTHENTICATED_JSON_ENDPOINTS, first_implemented

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}

CANDIDATES = UNAUTHENTICATED_JSON_ENDPOINTS + [("POST", "/_synapse/admin/v1/register")]


@pytest.fixture(scope="module")
def json_endpoint(server):
    found = first_implemented(server, CANDIDATES)
    if found is None:
        pytest.skip(f"no implemented endpoint with a JSON body among {CANDIDATES}")
    return found


def send(client, endpoint, body, content_type="application/json"):
    method, path = endpoint
    return client.request(method, path, body=body, headers={"Content-Type": content_type})


@spec("client-server-api/#common-error-codes")
@pytest.mark.parametrize("body", [
    b"{", b"not json", b"{'single': 'quotes'}", b'{"a": 1,}', b"", b"{}garbage",
    b'{"a": NaN}', b'{"a": 01}', b"\x00\x01\x02",
])
def test_invalid_json_is_not_json(client, json_endpoint, body):
    assert_matrix_error(send(client, json_endpoint, body), 400, "M_NOT_JSON")


@spec("client-server-api/#api-standards")  # "a request body containing a JSON object"
@pytest.mark.parametrize("body", [b"[]", b'"string"', b"42", b"null", b"true"])
def test_json_that_is_not_an_object(client, json_endpoint, body):
    assert_matrix_error(send(client, json_endpoint, body), 400, ("M_NOT_JSON", "M_BAD_JSON"))


@spec("client-server-api/#api-standards")  # "All JSON data ... must be encoded using UTF-8"
@pytest.mark.parametrize("body", [
    b'{"type": "m.login.password", "x": "\xff"}',
    b'{"type": "m.login.password", "x": "\xc3\x28"}',
    b'{"type": "m.login.password", "x": "\xed\xa0\x80"}',   # encoded surrogate
    b'{"type": "m.login.password", "x": "\xc0\xaf"}',       # overlong
    b'{"type": "m.login.password", "x": "\\ud800"}',       # escaped lone surrogate
])
def test_invalid_utf8_is_rejected(client, json_endpoint, body):
    assert_matrix_error(send(client, json_endpoint, body), 400, ("M_NOT_JSON", "M_BAD_JSON"))


@spec("appendices/#canonical-json")  # objects have unique keys; ambiguous input is refused
def test_duplicate_keys_are_rejected(client, json_endpoint):
    body = b'{"type": "m.login.password", "type": "m.login.token"}'
    assert_matrix_error(send(client, json_endpoint, body), 400, ("M_NOT_JSON", "M_BAD_JSON"))


@spec("appendices/#canonical-json")
def test_deeply_nested_json_does_not_crash(server, client, json_endpoint):
    body = b'{"a":' * 100000 + b"1" + b"}" * 100000
    response = send(client, json_endpoint, body)
    assert_matrix_error(response, (400, 413), ("M_NOT_JSON", "M_BAD_JSON", "M_TOO_LARGE"))
    assert server.alive()


@spec("client-server-api/#api-standards")  # Content-Type application/json "is not required"
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_json_body_is_json_whatever_the_content_type(client, json_endpoint, content_type):
    method, path = json_endpoint
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = client.request(method, path, body=b"{}", headers=headers)
    expected = client.request(method, path, json_body={})
    assert response.status == expected.status, (response, expected)
    if response.status >= 400:
        assert response.json().get("errcode") == expected.json().get("errcode")

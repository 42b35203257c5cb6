"""Standard error responses for requests the server cannot route or authenticate."""

import pytest

from harness.checks import assert_matrix_error, spec

WHOAMI = "/_matrix/client/v3/account/whoami"


@spec("client-server-api/#other-error-codes")  # M_UNRECOGNIZED: 404 for unknown endpoints
@pytest.mark.parametrize("path", [
    "/_matrix/client/v3/this/does/not/exist",
    "/_matrix/client/v99/versions",
    "/_matrix/nothing",
    "/_matrix/client/versions/extra",
    "/_matrix/client/r0/account/whoami/../../..",
])
def test_unknown_endpoint_is_404_unrecognized(client, path):
    assert_matrix_error(client.get(path), 404, "M_UNRECOGNIZED")


@spec("client-server-api/#other-error-codes")
def test_unknown_path_outside_matrix_is_404_json(client):
    assert_matrix_error(client.get("/index.html"), 404, None)


@spec("client-server-api/#other-error-codes")  # M_UNRECOGNIZED: 405 for a wrong method
@pytest.mark.parametrize("method,path", [
    ("POST", "/_matrix/client/versions"),
    ("PUT", "/_matrix/client/versions"),
    ("DELETE", WHOAMI),
    ("POST", WHOAMI),
])
def test_known_path_wrong_method_is_405_unrecognized(client, method, path):
    response = client.request(method, path, body=b"{}" if method in ("POST", "PUT") else None)
    assert_matrix_error(response, 405, "M_UNRECOGNIZED")


@spec("client-server-api/#other-error-codes")
def test_unknown_method_is_rejected_with_matrix_error(client):
    response = client.request("BREW", "/_matrix/client/versions")
    assert_matrix_error(response, (400, 405, 501), None)


@spec("push-gateway-api/#post_matrixpushv1notify")
def test_spec_endpoint_without_handler_is_404_unrecognized(client):
    # The push gateway API is in the spec tables ranvier is generated from, but a homeserver
    # never implements it: the route is known to the generator and has no handler.
    response = client.post("/_matrix/push/v1/notify", json_body={"notification": {"devices": []}})
    assert_matrix_error(response, 404, "M_UNRECOGNIZED")


@spec("identity-service-api/#get_matrixidentityv2terms")
def test_identity_endpoint_on_homeserver_is_404_unrecognized(client):
    assert_matrix_error(client.get("/_matrix/identity/v2/terms"), 404, "M_UNRECOGNIZED")


@spec("client-server-api/#using-access-tokens")
def test_missing_token(client):
    assert_matrix_error(client.get(WHOAMI), 401, "M_MISSING_TOKEN")


@spec("client-server-api/#using-access-tokens")
def test_unknown_bearer_token(client):
    assert_matrix_error(client.get(WHOAMI, token="not-a-real-token"), 401, "M_UNKNOWN_TOKEN")


@spec("client-server-api/#using-access-tokens")
def test_unknown_query_token(client):
    response = client.get(WHOAMI + "?access_token=not-a-real-token")
    assert_matrix_error(response, 401, "M_UNKNOWN_TOKEN")


@spec("client-server-api/#using-access-tokens")
def test_empty_bearer_token(client):
    response = client.get(WHOAMI, headers={"Authorization": "Bearer "})
    assert_matrix_error(response, 401, ("M_MISSING_TOKEN", "M_UNKNOWN_TOKEN"))


@spec("client-server-api/#using-access-tokens")
def test_non_bearer_authorization_is_not_a_token(client):
    response = client.get(WHOAMI, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_matrix_error(response, 401, ("M_MISSING_TOKEN", "M_UNKNOWN_TOKEN"))


@spec("client-server-api/#using-access-tokens")
def test_huge_token_is_rejected_cleanly(client):
    assert_matrix_error(client.get(WHOAMI, token="A" * 4000), 401, "M_UNKNOWN_TOKEN")


# Percent-encoding. The spec has no rule for a path that cannot be percent-decoded; such a
# request is malformed, so we expect 400 with M_INVALID_PARAM ("a parameter that was specified
# has the wrong value") and also accept M_UNRECOGNIZED (the request was not understood).
# Where the bad escape is outside any parameter, the path matches no route: 400 or 404.
BAD_PARAM_CODES = ("M_INVALID_PARAM", "M_UNRECOGNIZED")


@spec("appendices/#common-identifier-format")
@pytest.mark.parametrize("param", ["%ZZ", "%", "%4", "abc%G0", "%C3%28", "%FF%FE"])
def test_bad_percent_encoding_in_path_param(client, param):
    response = client.get(f"/_matrix/client/v3/profile/{param}")
    assert_matrix_error(response, 400, BAD_PARAM_CODES)


@spec("appendices/#common-identifier-format")
def test_bad_percent_encoding_outside_params(client):
    response = client.get("/_matrix/client/%ZZversions")
    assert_matrix_error(response, (400, 404), BAD_PARAM_CODES)


@spec("appendices/#common-identifier-format")
def test_encoded_nul_in_path_param(client):
    response = client.get("/_matrix/client/v3/profile/%40a%00b%3Alocalhost")
    assert_matrix_error(response, (400, 404), ("M_INVALID_PARAM", "M_UNRECOGNIZED", "M_NOT_FOUND"))

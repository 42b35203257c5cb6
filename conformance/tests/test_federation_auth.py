"""Signed federation requests and remote keys, against fake remote homeservers in Python
(harness/federation.py): Ranvier fetches their keys over TLS checked against a test CA,
verifies X-Matrix signatures (method, target with query, origin, destination, body), refuses
what does not verify with 401 M_UNAUTHORIZED, and answers notary queries for their keys."""

import time
from urllib.parse import quote

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.federation import CertificateAuthority, FakeHomeserver, now_ms, ranvier_with_fakes, verify_x_matrix
from harness.keys import verify_signed_json

PROFILE = "/_matrix/federation/v1/query/profile"
KEY_QUERY = "/_matrix/key/v2/query"


# Servers Ranvier must refuse to talk to: a certificate from a CA it does not trust, and one
# from the trusted CA but issued for another name. Also Alice's access token.
UNTRUSTED = {}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Ranvier plus fake servers: `remote` (valid key), `expired` (its key document's validity
    ended an hour ago), `offline` (named in the override map, never started), and the two in
    UNTRUSTED. Alice is a local user."""
    folder = tmp_path_factory.mktemp("federation_auth")
    ca = CertificateAuthority(folder / "ca")
    remote = FakeHomeserver("remote.federation.test", ca).start()
    expired = FakeHomeserver("expired.federation.test", ca, key_valid_for_ms=-3600 * 1000).start()
    offline = FakeHomeserver("offline.federation.test", ca)
    offline.port = 1  # nothing listens there
    other_ca = CertificateAuthority(folder / "other_ca")
    UNTRUSTED["untrusted"] = FakeHomeserver("untrusted.federation.test", other_ca).start()
    UNTRUSTED["misnamed"] = FakeHomeserver("misnamed.federation.test", ca,
                                           certificate_name="someone-else.federation.test").start()
    fakes = [remote, expired, offline, UNTRUSTED["untrusted"], UNTRUSTED["misnamed"]]
    with ranvier_with_fakes(folder, "localhost", ca, fakes) as server:
        with server.client() as client:
            UNTRUSTED["alice_token"] = assert_json_response(client.post("/_matrix/client/v3/register", json_body={
                "username": "alice", "password": "pw", "auth": {"type": "m.login.dummy"}}))["access_token"]
        yield server, remote, expired, offline


def join_remote_alias(server, alias):
    """Asks Ranvier to join a room by an alias of another server: it must ask that server's
    /query/directory, a signed outbound request."""
    with server.client() as client:
        return client.post(f"/_matrix/client/v3/join/{quote(alias, safe='')}", json_body={},
                           token=UNTRUSTED["alice_token"])


def ranvier_keys(server) -> dict:
    with server.federation() as federation:
        own = assert_json_response(federation.get("/_matrix/key/v2/server"))
    return {key_id: value["key"] for key_id, value in own["verify_keys"].items()}


def profile_path(server):
    return f"{PROFILE}?user_id=%40alice%3A{server.server_name}"


@spec("server-server-api/#request-authentication")
def test_signed_request_is_accepted(setup):
    server, remote, _, _ = setup
    body = assert_json_response(remote.request(server, "GET", profile_path(server)))
    assert body.get("displayname") == "alice"
    # Ranvier fetched the origin's key from the origin itself (over TLS checked by the CA).
    assert remote.key_fetches() >= 1


@spec("server-server-api/#request-authentication")
def test_signed_request_with_a_body_is_accepted(setup):
    server, remote, _, _ = setup
    transaction = {"origin": remote.server_name, "origin_server_ts": now_ms(), "pdus": []}
    response = remote.request(server, "PUT", f"/_matrix/federation/v1/send/auth-{time.monotonic_ns()}",
                              transaction)
    assert_json_response(response)


@spec("server-server-api/#request-authentication")
def test_older_servers_may_leave_out_the_destination(setup):
    server, remote, _, _ = setup
    path = profile_path(server)
    header = remote.sign_request("GET", path, server.server_name, include_destination=False)
    assert_json_response(remote.request(server, "GET", path, authorization=header))


@spec("server-server-api/#request-authentication")
def test_unsigned_request_is_refused(setup):
    server, remote, _, _ = setup
    assert_matrix_error(remote.request(server, "GET", profile_path(server), sign=False), 401, "M_UNAUTHORIZED")


@spec("server-server-api/#request-authentication")
def test_malformed_headers_are_refused(setup):
    server, remote, _, _ = setup
    path = profile_path(server)
    for header in ["Bearer abc", "X-Matrix", 'X-Matrix origin="remote.federation.test"',
                   'X-Matrix origin="remote.federation.test",key="ed25519:fake1",sig="unterminated']:
        assert_matrix_error(remote.request(server, "GET", path, authorization=header), 401, "M_UNAUTHORIZED")


@spec("server-server-api/#request-authentication")
def test_bad_signature_is_refused(setup):
    server, remote, _, _ = setup
    path = profile_path(server)
    # Signed for another target, another method, another body, or by another key.
    header = remote.sign_request("GET", f"{PROFILE}?user_id=%40bob%3A{server.server_name}", server.server_name)
    assert_matrix_error(remote.request(server, "GET", path, authorization=header), 401, "M_UNAUTHORIZED")
    header = remote.sign_request("POST", path, server.server_name)
    assert_matrix_error(remote.request(server, "GET", path, authorization=header), 401, "M_UNAUTHORIZED")
    txn_path = f"/_matrix/federation/v1/send/bad-{time.monotonic_ns()}"
    signed_body = {"origin": remote.server_name, "origin_server_ts": 1, "pdus": []}
    header = remote.sign_request("PUT", txn_path, server.server_name, signed_body)
    sent_body = {**signed_body, "origin_server_ts": 2}
    assert_matrix_error(remote.request(server, "PUT", txn_path, sent_body, authorization=header),
                        401, "M_UNAUTHORIZED")
    impostor = FakeHomeserver(remote.server_name, remote.ca, key_version="fake1")
    header = impostor.sign_request("GET", path, server.server_name)
    assert_matrix_error(remote.request(server, "GET", path, authorization=header), 401, "M_UNAUTHORIZED")


@spec("server-server-api/#request-authentication")
def test_wrong_destination_is_refused(setup):
    server, remote, _, _ = setup
    response = remote.request(server, "GET", profile_path(server), destination="elsewhere.example")
    body = assert_matrix_error(response, 401, "M_UNAUTHORIZED")
    assert "another server" in body["error"]


@spec("server-server-api/#request-authentication")
def test_unknown_key_is_refused(setup):
    server, remote, _, _ = setup
    path = profile_path(server)
    stranger = FakeHomeserver(remote.server_name, remote.ca, key_version="unknown")
    header = stranger.sign_request("GET", path, server.server_name)
    assert_matrix_error(remote.request(server, "GET", path, authorization=header), 401, "M_UNAUTHORIZED")


@spec("server-server-api/#get_matrixkeyv2server")
def test_request_signed_with_an_expired_key_is_refused(setup):
    server, _, expired, _ = setup
    body = assert_matrix_error(expired.request(server, "GET", profile_path(server)), 401, "M_UNAUTHORIZED")
    assert "expired" in body["error"]
    assert expired.key_fetches() >= 1


@spec("server-server-api/#request-authentication")
def test_unreachable_origin_is_refused(setup):
    server, _, _, offline = setup
    started = time.monotonic()
    assert_matrix_error(offline.request(server, "GET", profile_path(server)), 401, "M_UNAUTHORIZED")
    assert time.monotonic() - started < 15


@spec("server-server-api/#post_matrixkeyv2query")
def test_notary_answers_for_a_remote_servers_key(setup):
    server, remote, _, _ = setup
    with server.federation() as federation:
        body = assert_json_response(federation.post(KEY_QUERY, json_body={
            "server_keys": {remote.server_name: {remote.key_id: {"minimum_valid_until_ts": 0}}}}))
    documents = [d for d in body["server_keys"] if d.get("server_name") == remote.server_name]
    assert len(documents) == 1, body
    document = documents[0]
    assert document["verify_keys"] == {remote.key_id: {"key": remote.verify_key_b64}}
    # The remote's own signature is kept, and the notary (Ranvier) adds its own.
    assert verify_signed_json(document, remote.server_name, remote.key_id, remote.verify_key_b64) is not False
    assert server.server_name in document["signatures"]
    with server.federation() as federation:
        own = assert_json_response(federation.get("/_matrix/key/v2/server"))
    ranvier_key_id, ranvier_key = next(iter(own["verify_keys"].items()))
    assert verify_signed_json(document, server.server_name, ranvier_key_id, ranvier_key["key"]) is not False


@spec("server-server-api/#get_matrixkeyv2queryservername")
def test_notary_get_form_and_unknown_servers(setup):
    server, remote, _, _ = setup
    with server.federation() as federation:
        body = assert_json_response(federation.get(f"{KEY_QUERY}/{remote.server_name}"))
        assert [d["server_name"] for d in body["server_keys"]] == [remote.server_name]
        # A server that cannot be reached and was never seen: nothing to vouch for.
        body = assert_json_response(federation.get(f"{KEY_QUERY}/offline.federation.test"))
        assert body["server_keys"] == []


@spec("server-server-api/#post_matrixkeyv2query")
def test_notary_serves_documents_unaltered(setup):
    server, _, expired, _ = setup
    with server.federation() as federation:
        body = assert_json_response(federation.post(KEY_QUERY, json_body={"server_keys": {expired.server_name: {}}}))
    # A stale document is still what its server published: served with its own validity and
    # signature, never extended by the notary.
    assert len(body["server_keys"]) == 1, body
    document = body["server_keys"][0]
    assert document["server_name"] == expired.server_name
    assert document["valid_until_ts"] == expired.valid_until_ts < now_ms()
    assert verify_signed_json(document, expired.server_name, expired.key_id, expired.verify_key_b64) is not False


@spec("server-server-api/#request-authentication")
def test_outbound_requests_are_signed(setup):
    server, remote, _, _ = setup
    alias = "#somewhere:remote.federation.test"
    response = join_remote_alias(server, alias)
    assert response.status >= 400, response  # the fake knows no such alias
    asked = [r for r in remote.received if r.target.startswith("/_matrix/federation/v1/query/directory")]
    assert asked, remote.received
    request = asked[-1]
    assert request.target == f"/_matrix/federation/v1/query/directory?room_alias={quote(alias, safe='')}"
    # Checked here with PyNaCl against the key Ranvier publishes, not with Ranvier's own code.
    keys = ranvier_keys(server)
    assert verify_x_matrix(request, server.server_name, keys, remote.server_name), request.headers
    assert request.headers.get("host") == remote.server_name
    forged = type(request)(request.method, request.target + "&x=1", request.headers, request.body)
    assert not verify_x_matrix(forged, server.server_name, keys, remote.server_name)


@spec("server-server-api/#tls")
def test_untrusted_or_misnamed_certificates_are_refused(setup):
    server, _, _, _ = setup
    for name in ("untrusted", "misnamed"):
        fake = UNTRUSTED[name]
        response = join_remote_alias(server, f"#somewhere:{fake.server_name}")
        assert response.status >= 400, response
        # The TLS handshake failed, so no HTTP request (and nothing signed) reached it.
        assert fake.received == [], (name, fake.received)

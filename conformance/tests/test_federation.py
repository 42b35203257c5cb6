"""The federation listener: TLS with the configured certificate, the version and key APIs."""

import socket
import ssl
import time

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.keys import (HAVE_NACL, decode_unpadded_b64, public_key_of, unpadded_b64,
                          verify_signed_json)
from harness.probes import assert_still_serving
from harness.server import LOOPBACK

KEY_PATH = "/_matrix/key/v2/server"


def file_certificate(server):
    pem = (server.workdir / "tls.crt").read_text()
    first = pem[:pem.index("-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----")]
    return ssl.PEM_cert_to_DER_cert(first)


def get_keys(server):
    with server.federation() as federation:
        return assert_json_response(federation.get(KEY_PATH))


@spec("server-server-api/#tls")
def test_federation_serves_configured_certificate(server):
    assert server.federation_certificate() == file_certificate(server)


@spec("server-server-api/#get_matrixfederationv1version")
def test_federation_version(server):
    with server.federation() as federation:
        body = assert_json_response(federation.get("/_matrix/federation/v1/version"))
    assert isinstance(body["server"]["name"], str) and body["server"]["name"]
    assert isinstance(body["server"]["version"], str) and body["server"]["version"]


@spec("server-server-api/#get_matrixkeyv2server")
def test_server_keys_shape(server):
    body = get_keys(server)
    assert body["server_name"] == server.server_name
    valid_until = body["valid_until_ts"]
    assert isinstance(valid_until, int) and valid_until > time.time() * 1000, valid_until
    verify_keys = body["verify_keys"]
    assert isinstance(verify_keys, dict) and verify_keys
    for key_id, value in verify_keys.items():
        algorithm, _, version = key_id.partition(":")
        assert algorithm == "ed25519" and version, key_id
        assert len(decode_unpadded_b64(value["key"])) == 32, value
        assert not value["key"].endswith("="), "key must be unpadded base64"
    assert isinstance(body.get("old_verify_keys", {}), dict)


@spec("server-server-api/#get_matrixkeyv2server")
def test_server_keys_match_signing_key_file(server):
    body = get_keys(server)
    algorithm, version, seed = (server.workdir / "signing.key").read_text().split()
    key_id = f"{algorithm}:{version}"
    assert key_id in body["verify_keys"]
    public = public_key_of(decode_unpadded_b64(seed))
    if public is not None:
        assert body["verify_keys"][key_id]["key"] == unpadded_b64(public)


@spec("appendices/#checking-for-a-signature")
def test_server_keys_are_self_signed(server):
    body = get_keys(server)
    signatures = body["signatures"][server.server_name]
    for key_id, value in body["verify_keys"].items():
        assert key_id in signatures, f"not signed with {key_id}"
        if HAVE_NACL:
            assert verify_signed_json(body, server.server_name, key_id, value["key"]), key_id


@spec("server-server-api/#get_matrixkeyv2server")
def test_server_keys_are_stable(server):
    first, second = get_keys(server), get_keys(server)
    assert first["verify_keys"] == second["verify_keys"]


@spec("server-server-api/#api-standards")
def test_federation_unknown_endpoint(server):
    with server.federation() as federation:
        response = federation.get("/_matrix/federation/v1/not/a/thing")
    assert_matrix_error(response, 404, "M_UNRECOGNIZED")


@spec("ranvier:docs/configuration.md#listeners")  # resources: the listener serves federation only
def test_client_api_not_on_federation_listener(server):
    with server.federation() as federation:
        response = federation.get("/_matrix/client/versions")
    assert_matrix_error(response, 404, "M_UNRECOGNIZED")


@spec("ranvier:docs/configuration.md#listeners")
def test_federation_api_not_on_client_listener(client):
    assert_matrix_error(client.get("/_matrix/federation/v1/version"), 404, "M_UNRECOGNIZED")


@spec("ranvier:issue-2#bad-input")
def test_plain_http_on_tls_listener(server):
    with socket.create_connection((LOOPBACK, server.federation_port), timeout=5) as sock:
        sock.sendall(b"GET /_matrix/federation/v1/version HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(5)
        try:
            data = sock.recv(4096)
        except (ConnectionResetError, socket.timeout):
            data = b""
        assert b"200 OK" not in data
    assert_still_serving(server)


@spec("ranvier:issue-2#bad-input")
def test_tls_handshake_abandoned(server):
    for _ in range(10):
        with socket.create_connection((LOOPBACK, server.federation_port), timeout=5) as sock:
            sock.sendall(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 20)
    with server.federation() as federation:
        assert federation.get("/_matrix/federation/v1/version").status == 200


@spec("rfc9112#section-9.3")  # persistence over TLS
def test_keep_alive_over_tls(server):
    with server.federation() as federation:
        for _ in range(10):
            assert federation.get("/_matrix/federation/v1/version").status == 200
        assert federation.connections_opened == 1, "server closed the TLS keep-alive connection"


@spec("rfc9112#section-3")
def test_malformed_request_over_tls_is_400(server):
    with server.raw_federation() as connection:
        connection.send(b"GARBAGE\r\n\r\n")
        response = connection.read_response()
    assert response.status == 400, response
    with server.federation() as federation:
        assert federation.get("/_matrix/federation/v1/version").status == 200


def check_own_keys_in(server, body):
    server_keys = body["server_keys"]
    assert isinstance(server_keys, list), body
    own = [k for k in server_keys if k.get("server_name") == server.server_name]
    assert own, f"own keys missing from {body}"
    direct = get_keys(server)
    for response in own:
        assert response["verify_keys"] == direct["verify_keys"]
        for key_id, value in response["verify_keys"].items():
            if HAVE_NACL:
                assert verify_signed_json(response, server.server_name, key_id, value["key"]), key_id


@spec("server-server-api/#get_matrixkeyv2queryservername")
def test_notary_get_own_keys(server):
    with server.federation() as federation:
        body = assert_json_response(federation.get(f"/_matrix/key/v2/query/{server.server_name}"))
    check_own_keys_in(server, body)


@spec("server-server-api/#post_matrixkeyv2query")
def test_notary_post_own_keys(server):
    with server.federation() as federation:
        body = assert_json_response(federation.post("/_matrix/key/v2/query", json_body={
            "server_keys": {server.server_name: {}}}))
    check_own_keys_in(server, body)


@spec("server-server-api/#post_matrixkeyv2query")
def test_notary_unknown_server_answers(server):
    # A server that cannot be reached: the notary answers (possibly with nothing) rather than
    # failing the whole query.
    with server.federation(timeout=60) as federation:
        body = assert_json_response(federation.post("/_matrix/key/v2/query", json_body={
            "server_keys": {"unreachable.invalid": {}}}))
    assert isinstance(body["server_keys"], list)
    assert all(k.get("server_name") == "unreachable.invalid" for k in body["server_keys"])


@spec("server-server-api/#post_matrixkeyv2query")
def test_notary_bad_body(server):
    with server.federation() as federation:
        response = federation.post("/_matrix/key/v2/query", json_body={"server_keys": "nope"})
    assert_matrix_error(response, 400, ("M_BAD_JSON", "M_INVALID_PARAM", "M_NOT_JSON"))

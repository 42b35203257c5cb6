"""GET /voip/turnServer with a shared secret: time-limited credentials in the TURN REST API
form (username "<expiry>:<user ID>", password base64 HMAC-SHA1 of it with the secret), the
configured URIs and ttl."""

import base64
import hashlib
import hmac
import time

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import path, user_fixture

SECRET = "turn-shared-secret"
URIS = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"]
CONFIG_OVERRIDES = {"rate_limits": {"enabled": False},
                    "turn": {"uris": URIS, "shared_secret": SECRET, "user_lifetime_ms": 600000}}
TURN = "client-server-api/#get_matrixclientv3voipturnserver"

alice = user_fixture("alice")


@spec(TURN)
def test_turn_server_shared_secret(client, alice):
    alice_id, token = alice
    body = assert_json_response(client.get(path("voip", "turnServer"), token=token))
    assert body["uris"] == URIS
    assert body["ttl"] == 600
    expiry, user = body["username"].split(":", 1)
    assert user == alice_id
    assert abs(int(expiry) - (time.time() + 600)) < 60
    expected = base64.b64encode(hmac.new(SECRET.encode(), body["username"].encode(), hashlib.sha1).digest()).decode()
    assert body["password"] == expected
    assert_matrix_error(client.get(path("voip", "turnServer")), 401, "M_MISSING_TOKEN")


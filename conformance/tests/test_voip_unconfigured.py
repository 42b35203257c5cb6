"""GET /voip/turnServer without a `turn` section: an empty object, as Synapse answers."""

from harness.checks import assert_json_response, spec
from harness.rooms import path, user_fixture

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}

alice = user_fixture("alice")


@spec("client-server-api/#get_matrixclientv3voipturnserver")
def test_turn_server_without_config(client, alice):
    _, token = alice
    assert assert_json_response(client.get(path("voip", "turnServer"), token=token)) == {}

"""Inviting by third-party identifier (client-server API, "Third-party invites", POST
/rooms/{roomId}/invite with id_server, id_access_token, medium and address) against a fake
identity server (harness/fake_identity_server.py) that keeps to the identity service API:
an address bound to a Matrix ID invites that user; an address bound to nobody is stored at the
identity server and the room gets an m.room.third_party_invite event with the invite's token,
display name and public keys. Refusals: an identity token the server does not know, an
identity server that cannot be reached, a sender not in the room."""


import nacl.signing
import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.fake_identity_server import FakeIdentityServer
from harness.federation import CertificateAuthority, FakeHomeserver, ranvier_with_fakes
from harness.federation_events import fed_path, sign_event
from harness.rooms import create_room, membership, new_user, path, state_event

REMOTE = "remote.3pid.test"
ERIN = f"@erin:{REMOTE}"


class InvitedServer(FakeHomeserver):
    """The invitee's server: countersigns every /v2/invite it is sent (room versions 11/12)."""

    def _answer(self, method, target, body):
        if method == "PUT" and target.startswith("/_matrix/federation/v2/invite/"):
            self.requests.append((method, target))
            ours = sign_event(self, body["event"])["signatures"][self.server_name]
            event = dict(body["event"], signatures={**body["event"]["signatures"], self.server_name: ours})
            return 200, {"event": event}
        return super()._answer(method, target, body)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("third_party_invites")
    ca = CertificateAuthority(folder / "ca")
    identity = FakeIdentityServer(ca).start()
    remote = InvitedServer(REMOTE, ca).start()
    try:
        with ranvier_with_fakes(folder, "ranvier.3pid.test", ca, [remote]) as server:
            with server.client() as client:
                alice = new_user(client, "alice")
                bob = new_user(client, "bob")
            yield server, identity, alice, bob, remote
    finally:
        identity.stop()


def invite_3pid(client, token, room, identity, address, **overrides):
    body = {"id_server": identity.server_name, "id_access_token": identity.access_token,
            "medium": "email", "address": address, **overrides}
    return client.post(path("rooms", room, "invite"), json_body=body, token=token)


@spec("client-server-api/#post_matrixclientv3roomsroomidinvite-1")
def test_bound_address_invites_its_user(setup):
    server, identity, (_, alice), (bob_id, _), _ = setup
    identity.bind("bob@example.org", bob_id)
    with server.client() as client:
        room = create_room(client, alice, name="Book club")
        assert_json_response(invite_3pid(client, alice, room, identity, "bob@example.org"))
        assert membership(client, alice, room, bob_id) == "invite"
    # Looked up hashed, with the server's pepper; nothing stored.
    assert ("POST", "/_matrix/identity/v2/lookup") in identity.requests
    assert not identity.invites


@spec("client-server-api/#post_matrixclientv3roomsroomidinvite-1")
def test_unbound_address_gets_a_third_party_invite_event(setup):
    server, identity, (alice_id, alice), _, _ = setup
    with server.client() as client:
        room = create_room(client, alice, name="Book club")
        assert_json_response(invite_3pid(client, alice, room, identity, "carol@example.org"))
        (stored,) = [i for i in identity.invites if i["request"]["room_id"] == room]
        request = stored["request"]
        assert request["sender"] == alice_id and request["address"] == "carol@example.org"
        assert request["medium"] == "email" and request.get("room_name") == "Book club"
        event = state_event(client, alice, room, "m.room.third_party_invite", stored["token"])
    content = event["content"]
    assert event["sender"] == alice_id
    assert content["display_name"] == "ca...@e..."
    assert content["public_key"] == identity.public_key
    assert content["key_validity_url"].endswith("/_matrix/identity/v2/pubkey/isvalid")
    assert [k["public_key"] for k in content["public_keys"]][0] == identity.public_key
    assert len(content["public_keys"]) == 2


@spec("client-server-api/#post_matrixclientv3roomsroomidinvite-1")
def test_refusals(setup):
    server, identity, (_, alice), (_, bob), _ = setup
    with server.client() as client:
        room = create_room(client, alice)
        # The identity server does not know the token.
        response = invite_3pid(client, alice, room, identity, "dave@example.org", id_access_token="wrong")
        assert_matrix_error(response, 403, "M_FORBIDDEN")
        # No identity server there.
        response = invite_3pid(client, alice, room, identity, "dave@example.org", id_server="localhost:1")
        assert_matrix_error(response, 502, "M_UNKNOWN")
        # Not a server name.
        response = invite_3pid(client, alice, room, identity, "dave@example.org", id_server="bad/name")
        assert_matrix_error(response, 502, "M_UNKNOWN")
        # Only members invite.
        response = invite_3pid(client, bob, room, identity, "dave@example.org")
        assert_matrix_error(response, 403, "M_FORBIDDEN")
    assert not [i for i in identity.invites if i["request"]["address"] == "dave@example.org"]


def exchange_body(room, sender, mxid, block, display_name="er...@e..."):
    return {"type": "m.room.member", "room_id": room, "sender": sender, "state_key": mxid,
            "content": {"membership": "invite",
                        "third_party_invite": {"display_name": display_name, "signed": block}}}


@spec("server-server-api/#put_matrixfederationv1exchange_third_party_inviteroomid")
def test_exchange_turns_the_third_party_invite_into_an_invite(setup):
    server, identity, (alice_id, alice), _, remote = setup
    with server.client() as client:
        room = create_room(client, alice, preset="public_chat", room_version="12")
        assert_json_response(invite_3pid(client, alice, room, identity, "erin@example.org"))
    (stored,) = [i for i in identity.invites if i["request"]["room_id"] == room]
    token = stored["token"]

    def exchange(body, target_room=room):
        return remote.request(server, "PUT", fed_path("exchange_third_party_invite", target_room), body)

    # Refused: a block signed by a key the invite does not list; an unknown token; a room
    # without that invite; an inviter other than the one who made it; an invitee of another server.
    stranger = nacl.signing.SigningKey.generate()
    forged = identity.signed_block(ERIN, token, key=stranger)
    assert_matrix_error(exchange(exchange_body(room, alice_id, ERIN, forged)), 403, "M_FORBIDDEN")
    unknown = identity.signed_block(ERIN, "no-such-token")
    assert_matrix_error(exchange(exchange_body(room, alice_id, ERIN, unknown)), 403, "M_FORBIDDEN")
    with server.client() as client:
        other_room = create_room(client, alice, preset="public_chat", room_version="12")
    block = identity.signed_block(ERIN, token)
    assert_matrix_error(exchange(exchange_body(other_room, alice_id, ERIN, block), other_room), 403, "M_FORBIDDEN")
    with server.client() as client:
        bob_id = new_user(client, "bob2")[0]
    assert_matrix_error(exchange(exchange_body(room, bob_id, ERIN, block)), 403, "M_FORBIDDEN")
    carol = "@carol:elsewhere.test"
    assert_matrix_error(exchange(exchange_body(room, alice_id, carol, identity.signed_block(carol, token))),
                        403, "M_FORBIDDEN")
    with server.client() as client:
        assert membership(client, alice, room, ERIN) is None
    # The real thing: signed by the identity server, sent by erin's server.
    assert_json_response(exchange(exchange_body(room, alice_id, ERIN, block)))
    with server.client() as client:
        member = state_event(client, alice, room, "m.room.member", ERIN)
    assert member["sender"] == alice_id and member["content"]["membership"] == "invite"
    assert member["content"]["third_party_invite"]["signed"]["token"] == token
    # Erin's server countersigned it as any invite of its users.
    assert any(t.startswith("/_matrix/federation/v2/invite/") for _, t in remote.requests)


def on_bind(server, identity, address, mxid, invites):
    """The identity server's PUT /3pid/onbind to the user's server (not signed: identity
    servers have no server keys)."""
    body = {"medium": "email", "address": address, "mxid": mxid, "invites": invites}
    with server.federation() as connection:
        return connection.request("PUT", fed_path("3pid", "onbind"), json_body=body)


@spec("server-server-api/#put_matrixfederationv13pidonbind")
def test_binding_the_address_invites_the_user_who_then_joins(setup):
    server, identity, (alice_id, alice), _, _ = setup
    with server.client() as client:
        frank_id, frank = new_user(client, "frank")
        room = create_room(client, alice, preset="private_chat")
        assert_json_response(invite_3pid(client, alice, room, identity, "frank@example.org"))
    (stored,) = [i for i in identity.invites if i["request"]["room_id"] == room]
    invite = {"medium": "email", "address": "frank@example.org", "mxid": frank_id, "room_id": room,
              "sender": alice_id}
    # A block the invite's keys do not verify invites nobody (the call itself is answered).
    stranger = nacl.signing.SigningKey.generate()
    forged = dict(invite, signed=identity.signed_block(frank_id, stored["token"], key=stranger))
    assert_json_response(on_bind(server, identity, "frank@example.org", frank_id, [forged]))
    with server.client() as client:
        assert membership(client, alice, room, frank_id) is None
    # Bound for real, signed with the ephemeral key the invite lists: frank is invited and joins.
    identity.bind("frank@example.org", frank_id)
    good = dict(invite, signed=identity.signed_block(frank_id, stored["token"], key=stored["ephemeral"]))
    assert_json_response(on_bind(server, identity, "frank@example.org", frank_id, [good]))
    with server.client() as client:
        member = state_event(client, alice, room, "m.room.member", frank_id)
        assert member["content"]["membership"] == "invite" and member["sender"] == alice_id
        assert member["content"]["third_party_invite"]["display_name"] == "fr...@e..."
        assert_json_response(client.post(path("rooms", room, "join"), json_body={}, token=frank))
        assert membership(client, alice, room, frank_id) == "join"
    # Users of other servers are not this server's to bind.
    response = on_bind(server, identity, "x@example.org", f"@x:{REMOTE}", [])
    assert_matrix_error(response, 403, "M_FORBIDDEN")

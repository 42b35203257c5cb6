"""Federation between three Ranvier servers on one machine (tools/mesh): a room created on hs1
is joined from hs2 and hs3 (make_join/send_join), messages and state changes travel both ways
in transactions, and every server ends with the same room state — also after a partition
heals and after a server restarts mid-traffic."""

import time

import pytest

from harness.checks import assert_json_response, spec
from harness.mesh import Mesh, converged, netns_unavailable, server_name, wait_for
from harness.rooms import create_room, get_state, new_user, path, put_state, text

MESH_SIZE = 3


@pytest.fixture(scope="module", params=["loopback", "netns"])
def mesh(request, tmp_path_factory):
    """The mesh, once with loopback relays and once with network namespaces (root only)."""
    if request.param == "netns" and (reason := netns_unavailable()):
        pytest.skip(reason)
    instance = Mesh(tmp_path_factory.mktemp("mesh"), MESH_SIZE, mode=request.param,
                    overrides={"rate_limits": {"enabled": False},
                               "password_hashing": {"memory_kib": 8, "iterations": 1},
                               # A cut link in netns mode swallows packets: give up sooner.
                               "federation": {"request_timeout_ms": 5000}})
    try:
        instance.start()
        yield instance
    finally:
        instance.close()


@pytest.fixture(scope="module")
def users(mesh):
    """One account per server: {server name: (client, user ID, token)}."""
    accounts = {}
    for name in mesh.names:
        client = mesh.client(name)
        user_id, token = new_user(client, "user")
        accounts[name] = (client, user_id, token)
    yield accounts
    for client, _, _ in accounts.values():
        client.close()


def bodies_seen(client, token, room_id) -> list:
    response = client.get(path("rooms", room_id, "messages", query={"dir": "b", "limit": 100}), token=token)
    if response.status != 200:
        return []
    return [e["content"].get("body") for e in response.json()["chunk"] if e["type"] == "m.room.message"]


def join_remote(client, token, room_id, via: str) -> None:
    response = client.post(path("join", room_id, query={"via": via}), token=token, json_body={})
    assert_json_response(response)


def all_converged(users, room_id):
    return converged({name: (client, token) for name, (client, _, token) in users.items()}, room_id) is None


@pytest.fixture(scope="module")
def room(mesh, users):
    """A public room on hs1 that hs2's and hs3's users joined over federation."""
    hs1 = server_name(1)
    client, _, token = users[hs1]
    room_id = create_room(client, token, preset="public_chat")
    for name in mesh.names[1:]:
        other_client, _, other_token = users[name]
        join_remote(other_client, other_token, room_id, hs1)
    return room_id


@spec("server-server-api/#joining-rooms")
def test_remote_users_join_and_see_each_other(users, room):
    for name, (client, user_id, token) in users.items():
        joined = wait_for(lambda: client.get(path("rooms", room, "joined_members"), token=token),
                          f"joined_members on {name}")
        assert joined.status == 200
        wait_for(lambda: len(client.get(path("rooms", room, "joined_members"), token=token)
                             .json().get("joined", {})) == len(users), f"all members seen on {name}")


@spec("server-server-api/#transactions")
def test_messages_travel_both_ways(users, room):
    for name, (client, _, token) in users.items():
        text(client, token, room, f"hello from {name}")
    expected = {f"hello from {name}" for name in users}
    for name, (client, _, token) in users.items():
        wait_for(lambda: expected <= set(bodies_seen(client, token, room)), f"all messages on {name}")


@spec("server-server-api/#room-state-resolution")
def test_state_changes_converge(users, room):
    hs1, hs2 = server_name(1), server_name(2)
    client1, _, token1 = users[hs1]
    client2, user2, token2 = users[hs2]
    # The creator on hs1 gives hs2's user the power to set the topic; hs2 must have that power
    # level event before its own topic event passes authorization there.
    levels = get_state(client1, token1, room, "m.room.power_levels")
    levels.setdefault("users", {})[user2] = 50
    put_state(client1, token1, room, "m.room.power_levels", levels)
    wait_for(lambda: get_state(client2, token2, room, "m.room.power_levels").get("users", {}).get(user2) == 50,
             "the new power levels on hs2")
    put_state(client2, token2, room, "m.room.topic", {"topic": "set on hs2"})
    for name, (client, _, token) in users.items():
        wait_for(lambda: client.get(path("rooms", room, "state", "m.room.topic"), token=token).status == 200
                 and get_state(client, token, room, "m.room.topic").get("topic") == "set on hs2",
                 f"the topic on {name}")
    wait_for(lambda: all_converged(users, room), "the same state on every server")


@spec("server-server-api/#transactions")
def test_partition_heals_and_state_converges(mesh, users, room):
    hs1, hs2 = server_name(1), server_name(2)
    mesh.partition([hs1], [name for name in mesh.names if name != hs1])
    client1, _, token1 = users[hs1]
    client2, _, token2 = users[hs2]
    text(client1, token1, room, "during the partition, from hs1")
    text(client2, token2, room, "during the partition, from hs2")
    time.sleep(1.0)
    assert "during the partition, from hs1" not in bodies_seen(client2, token2, room)
    mesh.heal()
    # Each side's queue retries after its back-off; new traffic also resets it.
    text(client1, token1, room, "after the partition, from hs1")
    text(client2, token2, room, "after the partition, from hs2")
    expected = {"during the partition, from hs1", "during the partition, from hs2",
                "after the partition, from hs1", "after the partition, from hs2"}
    for name, (client, _, token) in users.items():
        wait_for(lambda: expected <= set(bodies_seen(client, token, room)), f"every message on {name}",
                 timeout=60)
    wait_for(lambda: all_converged(users, room), "the same state on every server", timeout=60)


@spec("server-server-api/#transactions")
def test_restarted_server_catches_up(mesh, users, room):
    hs1, hs3 = server_name(1), server_name(3)
    mesh.servers[hs3].stop()
    client1, _, token1 = users[hs1]
    text(client1, token1, room, "while hs3 was down")
    mesh.servers[hs3].start()
    client3, _, token3 = users[hs3]
    wait_for(lambda: "while hs3 was down" in bodies_seen(client3, token3, room), "the missed message on hs3",
             timeout=60)

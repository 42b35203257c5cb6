"""`ranvier admin` (docs/admin.md) against a running server and a stopped one: account
operations in transactions, event-producing operations through the running server's admin API
or in-process when it is down, with the results seen by clients afterwards. Unknown users and
rooms give an error and a non-zero exit with nothing written."""

import contextlib
import json
import signal
import time

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import PASSWORD, create_room, login, messages, new_user, public_room, sync, text, timeline_events
from harness.server import describe_exit, run_ranvier

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}


def admin(server, *args):
    result = run_ranvier(["admin", args[0], "--config", str(server.config_path), *args[1:]])
    assert result.returncode >= 0, describe_exit(result.returncode)
    assert "terminate called" not in result.stderr, result.stderr
    return result


def ok(server, *args) -> str:
    result = admin(server, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@contextlib.contextmanager
def stopped(server):
    """The server stopped for the block (SIGTERM, exit 0), started again afterwards."""
    code = server.stop(signal.SIGTERM)
    assert code == 0, describe_exit(code)
    try:
        yield
    finally:
        server.start()


def user_ids(server, *flags) -> list[str]:
    return [u["name"] for u in json.loads(ok(server, "list-users", "--limit", "1000", *flags))["users"]]


def member_events(sync_body, room_id, user_id):
    return [e for e in timeline_events(sync_body, room_id)
            if e["type"] == "m.room.member" and e["state_key"] == user_id]


@spec("ranvier:docs/admin.md")
@pytest.mark.parametrize("running", [True, False], ids=["running", "stopped"])
def test_create_user_with_generated_password(server, running):
    name = f"cli_made_{'r' if running else 's'}"
    with contextlib.nullcontext() if running else stopped(server):
        out = ok(server, "create-user", "--user", name, "--admin")
        again = admin(server, "create-user", "--user", name)
        assert again.returncode == 1 and "already exists" in again.stderr
    password = out.split("password: ")[1].split()[0]
    with server.client() as c:
        assert_json_response(c.post("/_matrix/client/v3/login", json_body={
            "type": "m.login.password", "identifier": {"type": "m.id.user", "user": name}, "password": password}))
    details = [u for u in json.loads(ok(server, "list-users", "--name", name))["users"]]
    assert details[0]["admin"] is True


@spec("ranvier:docs/admin.md")
@pytest.mark.parametrize("command", [
    ["deactivate", "--erase"], ["reset-password", "--password", "x"], ["make-admin"], ["revoke-admin"]])
def test_unknown_users_are_refused_without_writing(server, command):
    before = user_ids(server, "--deactivated")
    result = admin(server, command[0], "--user", "ghost_user", *command[1:])
    assert result.returncode == 1, result
    assert "not found" in result.stderr.lower()
    assert user_ids(server, "--deactivated") == before


@spec("ranvier:docs/admin.md")
def test_bad_arguments_exit_2(server):
    assert admin(server, "create-user", "--user", "Bad Name").returncode == 2
    assert admin(server, "purge-history", "--room", "!r:localhost").returncode == 2
    assert admin(server, "no-such-subcommand").returncode == 2


@spec("ranvier:docs/admin.md")
def test_reset_password_logs_out_unless_keep_devices(server, client):
    _, token = new_user(client, "cli_reset")
    ok(server, "reset-password", "--user", "cli_reset", "--password", "first", "--keep-devices")
    assert_json_response(client.get("/_matrix/client/v3/account/whoami", token=token))
    out = ok(server, "reset-password", "--user", "@cli_reset:localhost")
    assert_matrix_error(client.get("/_matrix/client/v3/account/whoami", token=token), 401, "M_UNKNOWN_TOKEN")
    password = out.split("password: ")[1].split()[0]
    assert_json_response(client.post("/_matrix/client/v3/login", json_body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "cli_reset"}, "password": password}))


@spec("ranvier:docs/admin.md")
def test_admin_flag_and_tokens(server, client):
    new_user(client, "cli_flag")
    ok(server, "make-admin", "--user", "cli_flag")
    assert json.loads(ok(server, "list-users", "--name", "cli_flag"))["users"][0]["admin"] is True
    ok(server, "revoke-admin", "--user", "cli_flag")
    assert json.loads(ok(server, "list-users", "--name", "cli_flag"))["users"][0]["admin"] is False
    assert "cli-token" in ok(server, "token-create", "--token", "cli-token", "--uses", "2")
    assert "cli-token" in ok(server, "token-list")
    ok(server, "token-delete", "--token", "cli-token")
    assert "cli-token" not in ok(server, "token-list")


@spec("ranvier:docs/admin.md")
@pytest.mark.parametrize("running", [True, False], ids=["running", "stopped"])
def test_deactivate_erase_leaves_rooms(server, client, running):
    suffix = "r" if running else "s"
    _, watcher = new_user(client, f"cli_watch_{suffix}")
    leaver_id, _ = new_user(client, f"cli_leaver_{suffix}")
    leaver = login(client, f"cli_leaver_{suffix}")
    room_id = public_room(client, watcher, leaver)
    since = sync(client, watcher)["next_batch"]
    with contextlib.nullcontext() if running else stopped(server):
        result = admin(server, "deactivate", "--user", leaver_id, "--erase")
    assert result.returncode == 0, result.stderr
    assert ("running server" if running else "in-process") in result.stderr
    with server.client() as c:
        leaves = member_events(sync(c, watcher, since=since), room_id, leaver_id)
        assert leaves and leaves[-1]["content"]["membership"] == "leave"
        assert_matrix_error(c.get("/_matrix/client/v3/account/whoami", token=leaver), 401, "M_UNKNOWN_TOKEN")
    details = json.loads(ok(server, "list-users", "--name", leaver_id, "--deactivated"))["users"][0]
    assert details["deactivated"] is True and details["erased"] is True


@spec("ranvier:docs/admin.md")
@pytest.mark.parametrize("running", [True, False], ids=["running", "stopped"])
def test_shutdown_room_makes_users_leave_and_blocks_rejoin(server, client, running):
    suffix = "r" if running else "s"
    owner_id, _ = new_user(client, f"cli_shut_owner_{suffix}")
    owner = login(client, f"cli_shut_owner_{suffix}")
    member_id, _ = new_user(client, f"cli_shut_member_{suffix}")
    member = login(client, f"cli_shut_member_{suffix}")
    room_id = public_room(client, owner, member, name=f"Shut {suffix}")
    with contextlib.nullcontext() if running else stopped(server):
        result = admin(server, "shutdown-room", "--room", room_id, "--new-room-user", owner_id,
                       "--message", "moved")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["status"] == "complete"
    assert sorted(status["shutdown_room"]["kicked_users"]) == sorted([owner_id, member_id])
    new_room = status["shutdown_room"]["new_room_id"]
    with server.client() as c:
        rooms = assert_json_response(c.get("/_matrix/client/v3/joined_rooms", token=member))["joined_rooms"]
        assert room_id not in rooms and new_room in rooms
        assert_matrix_error(c.post("/_matrix/client/v3/rooms/" + room_id + "/join", token=member, json_body={}),
                            403, "M_FORBIDDEN")
    details = json.loads(ok(server, "room-details", "--room", room_id))
    assert details["joined_members"] == 0 and details["blocked"] is True


@spec("ranvier:docs/admin.md")
@pytest.mark.parametrize("running", [True, False], ids=["running", "stopped"])
def test_purge_history_removes_old_messages(server, client, running):
    suffix = "r" if running else "s"
    _, owner = new_user(client, f"cli_purge_{suffix}")
    room_id = create_room(client, owner)
    for i in range(4):
        text(client, owner, room_id, f"old {i}")
    time.sleep(0.05)  # the point's timestamp is later than every old message's
    point = text(client, owner, room_id, "new 0")
    text(client, owner, room_id, "new 1")
    # By event while running, by time while stopped: both name the same point.
    point_ts = assert_json_response(client.get("/_matrix/client/v3/rooms/" + room_id + "/event/" + point,
                                               token=owner))["origin_server_ts"]
    where = ["--event", point] if running else ["--before-ts", str(point_ts)]
    with contextlib.nullcontext() if running else stopped(server):
        result = admin(server, "purge-history", "--room", room_id, *where, "--delete-local")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["deleted_events"] == 4
    with server.client() as c:
        chunk = messages(c, owner, room_id, limit=50)["chunk"]
    assert [e["content"]["body"] for e in chunk if e["type"] == "m.room.message"] == ["new 1", "new 0"]
    assert any(e["type"] == "m.room.create" for e in chunk)


@spec("ranvier:docs/admin.md")
def test_purge_and_shutdown_of_unknown_rooms_fail(server):
    before = user_ids(server, "--deactivated")
    purge = admin(server, "purge-history", "--room", "!unknown:localhost", "--before-ts", "1")
    assert purge.returncode == 1 and "does not know the room" in purge.stderr
    shut = admin(server, "shutdown-room", "--room", "!unknown:localhost", "--no-block")
    assert shut.returncode == 1 and "not found" in shut.stderr.lower()
    assert admin(server, "room-details", "--room", "!unknown:localhost").returncode == 1
    assert user_ids(server, "--deactivated") == before


@spec("ranvier:docs/admin.md")
def test_list_rooms_and_details(server, client):
    owner_id, owner = new_user(client, "cli_lister")
    room_id = create_room(client, owner, name="CLI Listed")
    listed = json.loads(ok(server, "list-rooms", "--search", "cli listed"))
    assert [r["room_id"] for r in listed["rooms"]] == [room_id]
    details = json.loads(ok(server, "room-details", "--room", room_id))
    assert details["name"] == "CLI Listed" and details["creator"] == owner_id
    assert details["joined_local_members"] == 1 and details["state_events"] >= 5
    assert len(details["forward_extremity_ids"]) == 1 and details["members"] == [owner_id]

"""`ranvier register-user` against a running server: creates an account row, refuses a taken
or invalid user ID, and never crashes (issue 2, "Set-up and commands")."""

import pytest

from harness.checks import spec
from harness.probes import assert_still_serving
from harness.server import describe_exit, run_ranvier


def register(server, *args):
    result = run_ranvier(["register-user", "--config", str(server.config_path), *args])
    assert result.returncode >= 0, describe_exit(result.returncode)
    assert "terminate called" not in result.stderr, result.stderr
    return result


@spec("appendices/#user-identifiers")
def test_register_while_serving(server):
    result = register(server, "--user", "alice", "--password", "correct horse")
    assert result.returncode == 0, result.stderr
    assert_still_serving(server)


@spec("appendices/#user-identifiers")
def test_register_full_user_id(server):
    result = register(server, "--user", f"@bob:{server.server_name}", "--password", "pw", "--admin")
    assert result.returncode == 0, result.stderr


@spec("client-server-api/#other-error-codes")  # M_USER_IN_USE: a taken user ID
def test_register_taken_user_is_refused(server):
    assert register(server, "--user", "carol", "--password", "one").returncode == 0
    again = register(server, "--user", "carol", "--password", "two")
    assert again.returncode != 0
    assert "carol" in again.stderr


@spec("appendices/#user-identifiers")
@pytest.mark.parametrize("user", [
    "Upper", "with space", "", "@x:other.example", "a:b", "é",
    pytest.param("x" * 300, id="user_id_over_255_bytes"),
])
def test_register_invalid_user_is_refused(server, user):
    result = register(server, "--user", user, "--password", "pw")
    assert result.returncode != 0, f"accepted user {user!r}"
    assert result.stderr.strip()


@spec("ranvier:issue-2#set-up-and-commands")
def test_register_without_password_is_refused(server):
    result = register(server, "--user", "dave")
    assert result.returncode != 0 and result.stderr.strip()

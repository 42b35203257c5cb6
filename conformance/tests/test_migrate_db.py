"""`ranvier migrate-db` (docs/operations.md): a SQLite-backed server is populated through the
API, stopped, copied into a fresh PostgreSQL database, and started there with the same
configuration otherwise: the same logins, tokens, rooms, messages in order, state, keys,
receipts, account data, alias and search results come back, and new messages can be sent.
Bad input: a source still in use, an unreachable target, a run interrupted mid-copy (the
target is marked incomplete, `serve` refuses it, a re-run resumes) and a target that already
holds data (refused, unchanged). The target PostgreSQL is the suite's server when the suite runs
on PostgreSQL, else the one `ci/postgres.sh` starts."""

from __future__ import annotations

import re
import secrets
import signal
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("nacl.signing", reason="the workload uploads signed keys (python3-nacl)")

from harness.checks import assert_json_response, spec  # noqa: E402
from harness.database import _psql, _with_database, database_setting  # noqa: E402
from harness.rooms import messages, path, text  # noqa: E402
from harness.server import RanvierServer, ranvier_binary, run_ranvier, serve_once  # noqa: E402
from harness.server_state import password_login, populate, snapshot  # noqa: E402

DOC = "ranvier:docs/operations.md"
REPO_ROOT = Path(__file__).resolve().parents[2]


class SqliteDatabase:
    """The source is SQLite whatever backend the suite runs on."""

    def __init__(self, workdir: Path):
        self.url = f"sqlite://{(workdir / 'ranvier.db').resolve()}"

    def drop(self) -> None:
        pass


def postgres_admin_url() -> str:
    setting = database_setting()
    if setting != "sqlite":
        return setting
    started = subprocess.run([str(REPO_ROOT / "ci/postgres.sh"), "start"], capture_output=True,
                             text=True, timeout=120)
    if started.returncode != 0:
        pytest.skip(f"no PostgreSQL for the target: {started.stderr.strip()[-300:]}")
    return started.stdout.strip().splitlines()[-1]


class Target:
    """A fresh PostgreSQL database, dropped at the end."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.name = "ranvier_migrate_" + secrets.token_hex(5)
        _psql(admin_url, f'CREATE DATABASE "{self.name}"')
        self.url = _with_database(admin_url, self.name)

    def scalar(self, sql: str) -> str:
        result = subprocess.run(["psql", self.url, "-At", "-c", sql], capture_output=True,
                                text=True, timeout=60, check=True)
        return result.stdout.strip()

    def drop(self) -> None:
        _psql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def migrate(source: RanvierServer, target_url: str, *extra: str, env=None):
    return run_ranvier(["migrate-db", "--from", source.database.url, "--to", target_url, *extra],
                       timeout=300, env=env)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    server = RanvierServer(tmp_path_factory.mktemp("migrate_source"))
    server.database = SqliteDatabase(server.workdir)
    try:
        server.init()
        server.configure({"rate_limits": {"enabled": False}})
        server.start()
        with server.client() as client:
            work = populate(client)
        yield server, work
    finally:
        if server.process is not None:
            server.stop()
        server.cleanup()


@pytest.fixture(scope="module")
def admin_url():
    return postgres_admin_url()


@pytest.fixture(scope="module")
def stopped_source(source):
    server, work = source
    with server.client() as client:
        before = snapshot(client, work)
    if server.process is not None:
        assert server.stop() == 0
    return server, work, before


@spec(DOC)
def test_migrate_refuses_a_source_in_use(source, admin_url):
    server, _ = source
    assert server.alive()
    target = Target(admin_url)
    try:
        result = migrate(server, target.url)
        assert result.returncode == 1, result
        assert "open in another process" in result.stderr and "stop the server" in result.stderr, result
        assert target.scalar("SELECT COUNT(*) FROM information_schema.tables"
                             " WHERE table_schema = 'public'") == "0"
    finally:
        target.drop()


@spec(DOC)
def test_migrate_to_an_unreachable_target(stopped_source):
    server, _, _ = stopped_source
    result = migrate(server, "postgres://nobody@127.0.0.1:1/nothing?connect_timeout=3")
    assert result.returncode == 1, result
    assert "cannot connect to PostgreSQL at postgres://nobody@127.0.0.1:1/nothing" in result.stderr, result


@pytest.fixture(scope="module")
def migrated(stopped_source, admin_url):
    """The source copied into a new database, through an interrupted first run."""
    server, work, before = stopped_source
    target = Target(admin_url)
    try:
        yield server, work, before, target
    finally:
        target.drop()


@spec(DOC)
def test_interrupted_migration_is_marked_and_resumes(migrated):
    server, _, _, target = migrated
    failed = migrate(server, target.url, "--batch-size", "20",
                     env={"RANVIER_MIGRATE_DB_FAIL_AFTER_ROWS": "100"})
    assert failed.returncode == 1, failed
    assert "rows" in failed.stdout and " / " in failed.stdout, failed
    stopped = re.search(r"stopped after (\d+) rows as RANVIER_MIGRATE_DB_FAIL_AFTER_ROWS", failed.stderr)
    assert stopped and int(stopped.group(1)) >= 100, failed
    # What was committed is exactly what the progress table says, and not everything.
    assert target.scalar("SELECT SUM(rows_done) FROM ranvier_migrate_db_progress") == stopped.group(1)
    assert target.scalar("SELECT COUNT(*) FROM ranvier_migrate_db_progress WHERE NOT done") != "0"

    # The server refuses the half-copied database.
    server.configure({"database": target.url})
    try:
        refused = serve_once(server.config_path)
    finally:
        server.configure({"database": server.database.url})
    assert not refused.ready and refused.code == 1, refused
    assert "unfinished `ranvier migrate-db`" in refused.output, refused

    resumed = migrate(server, target.url, "--batch-size", "20")
    assert resumed.returncode == 0, resumed
    assert "resuming the interrupted migration" in resumed.stdout, resumed
    assert "verified events:" in resumed.stdout, resumed
    assert "migration resumed and complete" in resumed.stdout, resumed
    assert target.scalar("SELECT to_regclass('ranvier_migrate_db_progress') IS NULL") == "t"


@spec(DOC)
def test_a_killed_migration_resumes(stopped_source, admin_url):
    server, _, _ = stopped_source
    target = Target(admin_url)
    try:
        process = subprocess.Popen(
            [str(ranvier_binary()), "migrate-db", "--from", server.database.url, "--to", target.url,
             "--batch-size", "5"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines = []
        for line in process.stdout:
            lines.append(line)
            if len(lines) == 40:
                process.kill()
                break
        process.wait()
        assert process.returncode == -signal.SIGKILL, "".join(lines)
        assert target.scalar("SELECT COUNT(*) FROM ranvier_migrate_db_progress WHERE NOT done") != "0"
        resumed = migrate(server, target.url, "--batch-size", "50")
        assert resumed.returncode == 0, resumed
        assert "resuming the interrupted migration" in resumed.stdout, resumed
        assert "every count and checksum matches" in resumed.stdout, resumed
    finally:
        target.drop()


@spec(DOC)
def test_migrating_into_a_non_empty_target_is_refused(migrated):
    server, _, _, target = migrated
    count = target.scalar("SELECT COUNT(*) FROM events")
    result = migrate(server, target.url)
    assert result.returncode == 1, result
    assert "already holds data" in result.stderr and "events: " + count + " rows" in result.stderr, result
    assert "--force" in result.stderr, result
    assert target.scalar("SELECT COUNT(*) FROM events") == count
    assert target.scalar("SELECT to_regclass('ranvier_migrate_db_progress') IS NULL") == "t"


@spec(DOC)
def test_the_migrated_server_gives_the_same_answers(migrated):
    server, work, before, target = migrated
    server.configure({"database": target.url})
    server.start()
    try:
        with server.client() as client:
            after = snapshot(client, work)
            for key in before:
                assert after[key] == before[key], key
            assert len(after["messages"]) >= len(work.lines)
            assert after["search"], "the search index did not come along"
            # The same password logs in; new messages go out after the copied ones.
            token = password_login(client, work)
            new_event = text(client, token, work.room_id, "What light through yonder window breaks?")
            events = messages(client, token, work.room_id, limit=2)["chunk"]
            assert events[0]["event_id"] == new_event
            assert events[1]["event_id"] == before["messages"][-1][0]
            user_id = work.users[work.key_users[0]][0]
            assert_json_response(client.put(path("user", user_id, "account_data", "m.later"),
                                            token=token, json_body={"n": 1}))
    finally:
        assert server.stop() == 0

"""`ranvier backup` and `ranvier restore` (docs/operations.md): a backup taken while the server
runs and keeps receiving messages is a consistent snapshot; restored into a fresh place (another
folder, database, signing key and TLS paths) a server starts and answers as the original did at
backup time, without what was written afterwards. The manifest is checked before anything is
restored, a non-empty target is refused, and a backup directory that cannot be written is a
clear error that leaves nothing behind. Runs on the suite's backend (SQLite: the online backup
API; PostgreSQL: pg_dump)."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
import yaml

pytest.importorskip("nacl.signing", reason="the workload uploads signed keys (python3-nacl)")

from harness.checks import assert_json_response, spec  # noqa: E402
from harness.database import SuiteDatabase  # noqa: E402
from harness.rooms import PASSWORD, new_user, path, text  # noqa: E402
from harness.server import RanvierServer, run_ranvier  # noqa: E402
from harness.server_state import populate, snapshot  # noqa: E402

DOC = "ranvier:docs/operations.md"
CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
MEDIA = b"a picture of Mantua " * 50


def backup(server: RanvierServer, to: Path):
    return run_ranvier(["backup", "--config", str(server.config_path), "--to", str(to)], timeout=300)


def written_backup(result) -> Path:
    assert result.returncode == 0, result
    line = [l for l in result.stdout.splitlines() if l.startswith("backup written to ")][-1]
    return Path(line.removeprefix("backup written to "))


def fresh_place(original: RanvierServer, folder: Path) -> RanvierServer:
    """A server in `folder` configured like `original` but with its own ports and database,
    and relative key and certificate paths that point into the empty folder."""
    folder.mkdir()
    restored = RanvierServer(folder)
    restored.database = SuiteDatabase(folder)
    config = original.read_config()
    config["database"] = restored.database.url
    config["signing_key"] = "keys/signing.key"
    config["tls"] = {"certificate": "tls/server.crt", "private_key": "tls/server.key"}
    ports = {"client": restored.client_port, "federation": restored.federation_port,
             "metrics": restored.metrics_port}
    for listener in config["listeners"]:
        listener["bind"] = f"127.0.0.1:{ports[listener['resources'][0]]}"
    restored.config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    return restored


@pytest.fixture(scope="module")
def taken(server, tmp_path_factory):
    """A backup taken while messages keep arriving, then more writes after it."""
    folder = tmp_path_factory.mktemp("backups")
    with server.client() as client:
        work = populate(client, lines=40, alias_name="mantua")
        before = snapshot(client, work)
        uploaded = client.post("/_matrix/media/v3/upload", body=MEDIA,
                               headers={"Content-Type": "application/octet-stream"},
                               token=work.users[work.key_users[0]][1])
        before["media"] = assert_json_response(uploaded)["content_uri"]
    sender = work.users[work.key_users[1]][1]
    during: list[str] = []
    stop = threading.Event()

    def keep_sending():
        with server.client() as client:
            n = 0
            while not stop.is_set() and n < 200:
                during.append(text(client, sender, work.room_id, f"during backup {n}"))
                n += 1

    thread = threading.Thread(target=keep_sending)
    thread.start()
    try:
        result = backup(server, folder)
    finally:
        stop.set()
        thread.join()
    directory = written_backup(result)
    with server.client() as client:
        later = text(client, work.users[work.key_users[0]][1], work.room_id, "after the backup")
        later_user = new_user(client, "after_backup")[0]
    return work, before, during, directory, later, later_user, result


@spec(DOC)
def test_backup_directory_and_manifest(taken, server):
    _, _, _, directory, _, _, result = taken
    manifest = json.loads((directory / "manifest.json").read_text())
    roles = {f["role"] for f in manifest["files"]}
    assert roles == {"database", "signing_key", "tls_certificate", "tls_private_key", "config",
                     "media"}
    assert manifest["database_backend"] == ("sqlite" if server.database.url.startswith("sqlite")
                                           else "postgres")
    assert manifest["schema_version"] >= 20 and manifest["ranvier_version"]
    for entry in manifest["files"]:
        assert (directory / entry["name"]).stat().st_size == entry["size"]
        assert len(entry["sha256"]) == 64
    assert (directory / "signing.key").read_bytes() == (server.workdir / "signing.key").read_bytes()
    # Only the finished directory is left: no temporary one beside it.
    assert [p.name for p in directory.parent.iterdir()] == [directory.name]


@spec(DOC)
def test_restore_into_a_fresh_place(taken, server, tmp_path_factory):
    work, before, during, directory, later, later_user, _ = taken
    restored = fresh_place(server, tmp_path_factory.mktemp("restore") / "place")
    try:
        result = run_ranvier(["restore", "--config", str(restored.config_path), "--from",
                              str(directory)], timeout=300)
        assert result.returncode == 0, result
        assert "backup verified" in result.stdout, result
        assert (restored.workdir / "keys/signing.key").read_bytes() == \
            (server.workdir / "signing.key").read_bytes()
        restored.start()
        with restored.client() as client:
            after = snapshot(client, work)
            for key in after:
                if key != "messages":
                    assert after[key] == before[key], key
            server_name, media_id = before["media"][len("mxc://"):].split("/", 1)
            download = client.get(f"/_matrix/client/v1/media/download/{server_name}/{media_id}",
                                  token=work.users[work.key_users[0]][1])
            assert download.status == 200 and download.body == MEDIA, download
            # The state at backup time: everything from before it, then an unbroken prefix of
            # what arrived while it ran, and nothing from after it.
            messages = [m[0] for m in after["messages"]]
            assert messages[:len(before["messages"])] == [m[0] for m in before["messages"]]
            rest = messages[len(before["messages"]):]
            assert rest == during[:len(rest)], "the backup is not one consistent snapshot"
            assert later not in messages
            login = client.post(path("login"), json_body={
                "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "after_backup"},
                "password": PASSWORD})
            assert login.status == 403, later_user
    finally:
        if restored.process is not None:
            assert restored.stop() == 0
        restored.cleanup()


@spec(DOC)
def test_restore_refuses_a_damaged_backup_and_a_non_empty_target(taken, server, tmp_path_factory):
    _, _, _, directory, _, _, _ = taken
    # A place holding another signing key is not empty: nothing is written there.
    occupied = fresh_place(server, tmp_path_factory.mktemp("restore_occupied") / "place")
    try:
        (occupied.workdir / "keys").mkdir()
        (occupied.workdir / "keys/signing.key").write_text("ed25519 other key\n")
        result = run_ranvier(["restore", "--config", str(occupied.config_path), "--from", str(directory)])
        assert result.returncode == 1, result
        assert "not empty" in result.stderr and "keys/signing.key" in result.stderr, result
        assert "--force" in result.stderr, result
        assert (occupied.workdir / "keys/signing.key").read_text() == "ed25519 other key\n"
        assert not (occupied.workdir / "tls").exists() and not (occupied.workdir / "ranvier.db").exists()
    finally:
        occupied.cleanup()
    if server.database.url.startswith("sqlite"):
        # Restoring over a running server's SQLite database is refused even with --force.
        result = run_ranvier(["restore", "--config", str(server.config_path), "--from",
                              str(directory), "--force"])
        assert result.returncode == 1 and "stop the server" in result.stderr, result
    # A damaged copy is refused before anything is written.
    damaged = tmp_path_factory.mktemp("damaged") / "backup"
    shutil.copytree(directory, damaged)
    (damaged / "ranvier.yaml").write_text("server_name: elsewhere\n")
    restored = fresh_place(server, tmp_path_factory.mktemp("restore_damaged") / "place")
    try:
        result = run_ranvier(["restore", "--config", str(restored.config_path), "--from", str(damaged)])
        assert result.returncode == 1, result
        assert "damaged" in result.stderr and "ranvier.yaml" in result.stderr, result
        assert not (restored.workdir / "keys").exists()
    finally:
        restored.cleanup()


@spec(DOC)
def test_backup_into_an_unwritable_directory(server, tmp_path):
    if os.geteuid() == 0:
        target = Path("/sys")  # root may write anywhere else; sysfs refuses new directories
        if os.access(target, os.W_OK) and not target.is_mount():
            pytest.skip("no directory here is unwritable for root")
    else:
        target = tmp_path / "locked"
        target.mkdir()
        target.chmod(0o500)
    result = backup(server, target)
    assert result.returncode == 1, result
    assert f"cannot write into the backup directory {target}" in result.stderr, result
    assert not any(p.name.startswith((".ranvier-backup", "ranvier-backup")) for p in target.iterdir())
    missing = backup(server, tmp_path / "missing")
    assert missing.returncode == 1 and "does not exist" in missing.stderr, missing

"""`ranvier init`: the files it writes, never overwriting a key, and importing the identity of
a Synapse or Dendrite server (issue 2, "Set-up and commands")."""

import stat
import subprocess

import pytest
import yaml

from harness.checks import assert_json_response, spec
from harness.keys import (new_seed, public_key_of, unpadded_b64, verify_signed_json,
                          write_dendrite_key, write_synapse_key)
from harness.server import RanvierServer, describe_exit, run_ranvier

INIT_DOC = "ranvier:issue-2#set-up-and-commands"


def init_args(folder, *extra):
    return ["init", "--server-name", "localhost", "--dir", str(folder), *extra]


def assert_no_crash(result):
    assert result.returncode >= 0, describe_exit(result.returncode)
    assert "terminate called" not in result.stderr, result.stderr


@spec(INIT_DOC)
def test_init_writes_config_key_and_certificate(tmp_path):
    result = run_ranvier(init_args(tmp_path))
    assert result.returncode == 0, result.stderr
    for name in ("ranvier.yaml", "signing.key", "tls.crt", "tls.key"):
        assert (tmp_path / name).is_file(), name
    config_text = (tmp_path / "ranvier.yaml").read_text()
    assert "#" in config_text, "the generated config should be commented"
    config = yaml.safe_load(config_text)
    assert config["server_name"] == "localhost"
    assert config["database"].startswith("sqlite:///"), config["database"]
    algorithm, version, seed = (tmp_path / "signing.key").read_text().split()
    assert algorithm == "ed25519" and version
    assert len(seed) == 43 and not seed.endswith("="), "seed must be 32 bytes, unpadded base64"


@spec(INIT_DOC)
def test_private_keys_are_not_world_readable(tmp_path):
    assert run_ranvier(init_args(tmp_path)).returncode == 0
    for name in ("signing.key", "tls.key"):
        mode = (tmp_path / name).stat().st_mode
        assert not mode & (stat.S_IROTH | stat.S_IWOTH), f"{name} mode {oct(mode)}"


@spec(INIT_DOC)
def test_init_twice_keeps_the_key(tmp_path):
    assert run_ranvier(init_args(tmp_path)).returncode == 0
    key_before = (tmp_path / "signing.key").read_bytes()
    tls_before = (tmp_path / "tls.key").read_bytes()
    second = run_ranvier(init_args(tmp_path))
    assert_no_crash(second)
    assert (tmp_path / "signing.key").read_bytes() == key_before, "init overwrote the signing key"
    assert (tmp_path / "tls.key").read_bytes() == tls_before, "init overwrote the TLS key"


@spec(INIT_DOC)
def test_import_into_folder_with_other_key_is_refused(tmp_path):
    assert run_ranvier(init_args(tmp_path)).returncode == 0
    key_before = (tmp_path / "signing.key").read_bytes()
    imported = tmp_path / "imported.key"
    write_synapse_key(imported, "a_other", new_seed())
    result = run_ranvier(init_args(tmp_path, "--import-key", str(imported)))
    assert_no_crash(result)
    assert result.returncode != 0, "an import that cannot be honoured must not report success"
    assert (tmp_path / "signing.key").read_bytes() == key_before


@spec(INIT_DOC)
@pytest.mark.parametrize("content", ["", "nonsense", "ed25519 a_x", "ed25519 a_x %%%%",
                                     "ed25519 a_x AAAA", "-----BEGIN MATRIX PRIVATE KEY-----\n"],
                         ids=["empty", "nonsense", "no_seed", "seed_not_base64", "seed_too_short",
                              "pem_without_body"])
def test_import_of_malformed_key_fails_cleanly(tmp_path, content):
    folder = tmp_path / "server"
    bad = tmp_path / "bad.key"
    bad.write_text(content)
    result = run_ranvier(init_args(folder, "--import-key", str(bad)))
    assert_no_crash(result)
    assert result.returncode != 0
    assert result.stderr.strip(), "no message"
    assert not (folder / "signing.key").exists(), "a half-imported key was left behind"


@spec(INIT_DOC)
def test_import_of_missing_file_fails_cleanly(tmp_path):
    result = run_ranvier(init_args(tmp_path / "server", "--import-key", str(tmp_path / "nope")))
    assert_no_crash(result)
    assert result.returncode != 0 and "nope" in result.stderr


@spec(INIT_DOC)
@pytest.mark.parametrize("args", [
    pytest.param([], id="no_arguments"),
    pytest.param(["--server-name", "localhost"], id="no_dir"),
    pytest.param(["--server-name", "bad name", "--dir", "{dir}"], id="bad_server_name"),
    pytest.param(["--server-name", "localhost", "--dir", "{dir}", "--registration", "sometimes"],
                 id="bad_registration"),
    pytest.param(["--server-name", "localhost", "--dir", "{dir}", "--client-listen", "127.0.0.1:70000"],
                 id="port_70000"),
    pytest.param(["--server-name", "localhost", "--dir", "{dir}", "--database", "mysql://x/y"],
                 id="unknown_database_scheme"),
    pytest.param(["--server-name", "localhost", "--dir", "{dir}", "--no-such-flag"], id="unknown_flag"),
    pytest.param(["--server-name", "localhost", "--dir", "{file}"], id="dir_is_a_file"),
])
def test_init_bad_arguments(tmp_path, args):
    (tmp_path / "a_file").write_text("not a folder\n")
    substituted = [a.replace("{dir}", str(tmp_path / "s")).replace("{file}", str(tmp_path / "a_file"))
                   for a in args]
    result = run_ranvier(["init", *substituted])
    assert_no_crash(result)
    assert result.returncode != 0
    assert result.stderr.strip(), "no message"
    assert not (tmp_path / "s" / "ranvier.yaml").exists(), "config written despite bad arguments"


@spec(INIT_DOC)
@pytest.mark.parametrize("command", [["--help"], ["init", "--help"], ["serve", "--help"],
                                     ["register-user", "--help"], ["version", "--help"]],
                         ids=["ranvier", "init", "serve", "register-user", "version"])
def test_help(command):
    result = run_ranvier(command)
    assert result.returncode == 0, result.stderr
    assert (result.stdout + result.stderr).strip()


@spec(INIT_DOC)
def test_version_command():
    result = run_ranvier(["version"])
    assert result.returncode == 0 and result.stdout.strip(), result


@spec(INIT_DOC)
def test_unknown_subcommand():
    result = run_ranvier(["frobnicate"])
    assert_no_crash(result)
    assert result.returncode != 0 and result.stderr.strip()


def serve_imported(tmp_path, writer, version):
    seed = new_seed()
    key_file = tmp_path / "imported.key"
    writer(key_file, version, seed)
    instance = RanvierServer(tmp_path / "server")
    instance.init(["--import-key", str(key_file)])
    instance.start()
    return instance, seed


def check_identity(instance, key_id, seed):
    try:
        with instance.federation() as federation:
            body = assert_json_response(federation.get("/_matrix/key/v2/server"))
    finally:
        code = instance.stop()
        instance.cleanup()
    assert code == 0, describe_exit(code)
    assert body["server_name"] == instance.server_name
    assert key_id in body["verify_keys"], body["verify_keys"]
    public = public_key_of(seed)
    if public is not None:
        assert body["verify_keys"][key_id]["key"] == unpadded_b64(public)
        assert verify_signed_json(body, instance.server_name, key_id, unpadded_b64(public))


@spec("server-server-api/#get_matrixkeyv2server")
def test_import_synapse_key_keeps_identity(tmp_path):
    instance, seed = serve_imported(tmp_path, write_synapse_key, "a_conf")
    check_identity(instance, "ed25519:a_conf", seed)


@spec("server-server-api/#get_matrixkeyv2server")
def test_import_dendrite_key_keeps_identity(tmp_path):
    instance, seed = serve_imported(tmp_path, write_dendrite_key, "dendrite1")
    check_identity(instance, "ed25519:dendrite1", seed)


@spec(INIT_DOC)
@pytest.mark.parametrize("writer", [write_synapse_key, write_dendrite_key], ids=["synapse", "dendrite"])
def test_imported_key_is_stored_in_synapse_format(tmp_path, writer):
    seed = new_seed()
    key_file = tmp_path / "imported.key"
    writer(key_file, "k2", seed)
    folder = tmp_path / "server"
    result = run_ranvier(init_args(folder, "--import-key", str(key_file)))
    assert result.returncode == 0, result.stderr
    assert (folder / "signing.key").read_text().split() == ["ed25519", "k2", unpadded_b64(seed)]


def openssl_output(*args):
    result = subprocess.run(["openssl", *args], capture_output=True, text=True, check=True)
    return result.stdout


@spec("server-server-api/#tls")
def test_generated_certificate(tmp_path):
    assert run_ranvier(init_args(tmp_path)).returncode == 0
    certificate, key = str(tmp_path / "tls.crt"), str(tmp_path / "tls.key")
    names = openssl_output("x509", "-in", certificate, "-noout", "-subject", "-ext", "subjectAltName")
    assert "DNS:localhost" in names, f"certificate does not name the server: {names}"
    # Valid now and for at least a day.
    subprocess.run(["openssl", "x509", "-in", certificate, "-noout", "-checkend", "86400"], check=True,
                   capture_output=True)
    assert openssl_output("x509", "-in", certificate, "-noout", "-pubkey") == \
        openssl_output("pkey", "-in", key, "-pubout"), "tls.key does not belong to tls.crt"


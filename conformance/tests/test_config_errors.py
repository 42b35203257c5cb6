"""Bad configuration stops start-up with a message naming the key or the problem, a non-zero
exit code, and no crash (issue 2, "Bad input"; docs/configuration.md)."""

import copy
import os
import subprocess

import pytest
import yaml

from harness.checks import spec
from harness.server import RanvierServer, free_port, merge, serve_once

# Every case here is about configuration, so each names the configuration reference.
CONFIG_DOC = "ranvier:docs/configuration.md"


@pytest.fixture(scope="module")
def initialised(tmp_path_factory):
    """One folder with what `ranvier init` wrote; cases write variants next to it so relative
    paths (signing_key, tls.*) resolve the same way."""
    instance = RanvierServer(tmp_path_factory.mktemp("config_errors"))
    instance.init()
    yield instance
    instance.cleanup()


def write_variant(instance, name, config):
    path = instance.workdir / f"{name}.yaml"
    path.write_text(config if isinstance(config, str) else yaml.safe_dump(config, sort_keys=False))
    return path


def assert_refused(outcome, *mentions):
    """Exited by itself, non-zero, no crash, and the output names one of `mentions`."""
    assert not outcome.ready, f"started with a bad config: {outcome!r}"
    assert not outcome.hung, f"neither started nor exited: {outcome!r}"
    assert not outcome.crashed(), f"crashed: {outcome!r}"
    assert outcome.code != 0, f"exit code 0 for a bad config: {outcome!r}"
    if mentions:
        lowered = outcome.output.lower()
        assert any(m.lower() in lowered for m in mentions), \
            f"message does not name any of {mentions}: {outcome!r}"


def with_listener(config, index, **fields):
    changed = copy.deepcopy(config)
    changed["listeners"][index].update(fields)
    return changed


def client_listener_index(config):
    return next(i for i, l in enumerate(config["listeners"]) if "client" in l["resources"])


CASES = {
    # name: (overrides, words one of which the message must contain)
    "unknown_top_level_key": ({"serve_name": "x"}, ("serve_name",)),
    "unknown_nested_key": ({"limits": {"max_body_byte": 5}}, ("max_body_byte",)),
    "wrong_type_integer": ({"limits": {"max_body_bytes": "lots"}}, ("max_body_bytes",)),
    "wrong_type_float_for_integer": ({"limits": {"max_connections": 2.5}}, ("max_connections",)),
    "wrong_type_boolean": ({"rate_limits": {"enabled": "sometimes"}}, ("enabled",)),
    "wrong_type_section": ({"limits": 5}, ("limits",)),
    "negative_limit": ({"limits": {"max_connections": -1}}, ("max_connections",)),
    "zero_body_limit": ({"limits": {"max_body_bytes": 0}}, ("max_body_bytes",)),
    "huge_integer": ({"limits": {"read_timeout_ms": 10**30}}, ("read_timeout_ms",)),
    "negative_rate": ({"rate_limits": {"per_second": -3}}, ("per_second",)),
    "bad_registration_mode": ({"registration": {"mode": "sometimes"}}, ("mode",)),
    "empty_server_name": ({"server_name": ""}, ("server_name",)),
    "invalid_server_name": ({"server_name": "bad name!"}, ("server_name",)),
    "server_name_not_string": ({"server_name": ["a"]}, ("server_name",)),
    "unknown_database_scheme": ({"database": "mysql://localhost/x"}, ("database",)),
    "database_not_url": ({"database": "just words"}, ("database",)),
    "well_known_support_not_object": ({"well_known": {"support": "call me"}}, ("support",)),
    "listeners_not_list": ({"listeners": {"bind": "127.0.0.1:1"}}, ("listeners",)),
    "well_known_server_invalid": ({"well_known": {"server": "bad name:99999"}}, ("well_known.server",)),
    "well_known_client_not_url": ({"well_known": {"client_base_url": "not a url"}}, ("client_base_url",)),
    "well_known_support_empty": ({"well_known": {"support": {}}}, ("support",)),
    "well_known_support_contact_without_role": (
        {"well_known": {"support": {"contacts": [{"email_address": "a@example.org"}]}}}, ("support",)),
    "rate_burst_zero": ({"rate_limits": {"burst": 0}}, ("burst",)),
    "no_listeners": ({"listeners": []}, ("listeners",)),
}


@spec(CONFIG_DOC)
@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_value_is_refused(initialised, name):
    overrides, mentions = CASES[name]
    config = merge(initialised.read_config(), copy.deepcopy(overrides))
    assert_refused(serve_once(write_variant(initialised, name, config)), *mentions)


@spec(CONFIG_DOC)
def test_missing_required_key(initialised):
    config = initialised.read_config()
    del config["server_name"]
    assert_refused(serve_once(write_variant(initialised, "no_server_name", config)), "server_name")


@spec(CONFIG_DOC)
@pytest.mark.parametrize("bind", ["127.0.0.1:70000", "127.0.0.1:-1", "127.0.0.1", "127.0.0.1:http",
                                  "300.1.1.1:8008", ":8008", "127.0.0.1:8008:9"])
def test_impossible_listen_address(initialised, bind):
    config = initialised.read_config()
    changed = with_listener(config, client_listener_index(config), bind=bind)
    assert_refused(serve_once(write_variant(initialised, "bad_bind", changed)), "bind", "listeners")


@spec(CONFIG_DOC)
def test_unknown_listener_resource(initialised):
    config = initialised.read_config()
    changed = with_listener(config, client_listener_index(config), resources=["client", "gopher"])
    assert_refused(serve_once(write_variant(initialised, "bad_resource", changed)), "resources", "gopher")


@spec(CONFIG_DOC)
def test_unknown_listener_key(initialised):
    config = initialised.read_config()
    changed = with_listener(config, 0, backlog=5)
    assert_refused(serve_once(write_variant(initialised, "listener_key", changed)), "backlog")


@spec(CONFIG_DOC)
def test_listen_port_in_use(initialised):
    config = initialised.read_config()
    index = client_listener_index(config)
    other = 1 - index if len(config["listeners"]) > 1 else None
    port = free_port()
    changed = with_listener(config, index, bind=f"127.0.0.1:{port}")
    if other is not None:
        changed["listeners"][other]["bind"] = f"127.0.0.1:{port}"
    assert_refused(serve_once(write_variant(initialised, "same_port", changed)),
                   "bind", "listen", "address", "in use", str(port))


@spec(CONFIG_DOC)
def test_yaml_syntax_error(initialised):
    text = initialised.config_path.read_text() + "\nlimits: [unclosed\n"
    assert_refused(serve_once(write_variant(initialised, "syntax", text)), "yaml", "line", "syntax", "parse")


@spec(CONFIG_DOC)
def test_duplicate_key_in_yaml(initialised):
    text = initialised.config_path.read_text() + "\nserver_name: other.example\n"
    assert_refused(serve_once(write_variant(initialised, "duplicate", text)), "server_name", "duplicate")


@spec(CONFIG_DOC)
@pytest.mark.parametrize("text", ["", "just a string\n", "- a\n- b\n", "\x00\x01binary"],
                         ids=["empty", "scalar", "list", "binary"])
def test_config_that_is_not_a_mapping(initialised, text):
    assert_refused(serve_once(write_variant(initialised, "not_mapping", text)))


@spec(CONFIG_DOC)
def test_config_file_missing(initialised):
    assert_refused(serve_once(initialised.workdir / "does-not-exist.yaml"), "does-not-exist", "config")


@spec("ranvier:issue-2#set-up-and-commands")
def test_serve_without_config_argument(initialised):
    assert_refused(serve_once(None, extra_args=()), "config", "usage")


# --- files the config points at -----------------------------------------------------------

@spec(CONFIG_DOC)
def test_missing_signing_key_file(initialised):
    config = merge(initialised.read_config(), {"signing_key": "missing.key"})
    outcome = serve_once(write_variant(initialised, "no_key", config))
    assert_refused(outcome, "signing_key", "missing.key")
    assert not (initialised.workdir / "missing.key").exists(), "serve wrote a key it was not given"


@spec(CONFIG_DOC)
def test_unreadable_signing_key_directory(initialised):
    (initialised.workdir / "key_dir").mkdir(exist_ok=True)
    config = merge(initialised.read_config(), {"signing_key": "key_dir"})
    assert_refused(serve_once(write_variant(initialised, "key_dir", config)), "signing_key", "key_dir")


@spec(CONFIG_DOC)
@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_signing_key_permissions(initialised):
    key = initialised.workdir / "locked.key"
    key.write_text((initialised.workdir / "signing.key").read_text())
    key.chmod(0)
    config = merge(initialised.read_config(), {"signing_key": "locked.key"})
    assert_refused(serve_once(write_variant(initialised, "locked", config)), "signing_key", "locked.key")


@spec(CONFIG_DOC)
@pytest.mark.parametrize("content", [
    "", "garbage\n", "ed25519 a_bcd\n", "ed25519 a_bcd !!!notbase64!!!\n",
    "ed25519 a_bcd AAAA\n",
    "rsa a_bcd " + "A" * 43 + "\n",
], ids=["empty", "garbage", "no_seed", "seed_not_base64", "seed_too_short", "unsupported_algorithm"])
def test_malformed_signing_key(initialised, content):
    (initialised.workdir / "bad.key").write_text(content)
    config = merge(initialised.read_config(), {"signing_key": "bad.key"})
    assert_refused(serve_once(write_variant(initialised, "bad_key", config)), "signing_key", "bad.key")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@spec(CONFIG_DOC)
def test_tls_certificate_not_matching_key(initialised):
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", "other.key", cwd=initialised.workdir)
    config = merge(initialised.read_config(), {"tls": {"private_key": "other.key"}})
    assert_refused(serve_once(write_variant(initialised, "tls_mismatch", config)),
                   "tls", "private_key", "certificate", "match")


@spec(CONFIG_DOC)
def test_tls_certificate_missing(initialised):
    config = merge(initialised.read_config(), {"tls": {"certificate": "missing.crt"}})
    assert_refused(serve_once(write_variant(initialised, "tls_missing", config)),
                   "tls.certificate", "missing.crt")


@spec(CONFIG_DOC)
def test_tls_certificate_garbage(initialised):
    (initialised.workdir / "garbage.crt").write_text("-----BEGIN CERTIFICATE-----\nnope\n"
                                                     "-----END CERTIFICATE-----\n")
    config = merge(initialised.read_config(), {"tls": {"certificate": "garbage.crt"}})
    assert_refused(serve_once(write_variant(initialised, "tls_garbage", config)),
                   "tls.certificate", "garbage.crt", "certificate")


@spec(CONFIG_DOC)
def test_unreachable_database(initialised):
    config = merge(initialised.read_config(), {"database": "postgres://ranvier@127.0.0.1:1/x"})
    outcome = serve_once(write_variant(initialised, "no_db", config), timeout=60)
    assert_refused(outcome, "database", "127.0.0.1:1", "connect")


@spec(CONFIG_DOC)
def test_sqlite_database_in_missing_directory(initialised):
    config = merge(initialised.read_config(),
                   {"database": f"sqlite://{initialised.workdir}/no/such/dir/r.db"})
    assert_refused(serve_once(write_variant(initialised, "no_dir", config)), "database", "no/such/dir")


@spec(CONFIG_DOC)
def test_generated_config_still_starts(initialised):
    """The control case: the unmodified file from `ranvier init` is accepted (so the refusals
    above are about the change each one makes)."""
    outcome = serve_once(initialised.config_path)
    assert outcome.ready, outcome
    assert outcome.code == 0, outcome


@spec("ranvier:docs/configuration.md")  # the contract: a bad config exits with code 2
def test_config_error_exit_code_is_2(initialised):
    config = merge(initialised.read_config(), {"serve_name": "x"})
    outcome = serve_once(write_variant(initialised, "exit_code", config))
    assert outcome.code == 2, outcome

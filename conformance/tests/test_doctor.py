"""`ranvier doctor` run as a program against real servers: two Ranvier servers with TLS
listeners whose certificates come from a test CA, and a fake Python homeserver for what a
Ranvier server cannot be made to do (publish an expired key). `--connect-to` sends TCP to
127.0.0.1 while names, SNI and Host stay what a remote server would use, so delegation,
certificate names and key documents are checked exactly as in production."""

import json
import signal

import pytest

from harness.checks import spec
from harness.federation import CertificateAuthority, FakeHomeserver
from harness.server import LOOPBACK, RanvierServer, describe_exit, free_port, run_ranvier

GOOD = "doctor.test"          # delegates with .well-known to doctor.test:443
PLAIN = "plain.doctor.test"   # serves no .well-known at all
FAKE = "expired.doctor.test"  # a fake homeserver publishing an expired key document


def https_listener(server: RanvierServer) -> int:
    """Adds a TLS listener with the client and federation APIs (one port 443 in production,
    behind nothing) and returns its port."""
    port = free_port()
    listeners = server.read_config()["listeners"]
    listeners.append({"bind": f"{LOOPBACK}:{port}", "tls": True, "resources": ["client", "federation"]})
    server.configure({"listeners": listeners})
    return port


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("doctor")
    ca = CertificateAuthority(folder / "ca")
    good = RanvierServer(folder / "good", server_name=GOOD, metrics=False)
    plain = RanvierServer(folder / "plain", server_name=PLAIN, metrics=False)
    expired = FakeHomeserver(FAKE, ca, key_valid_for_ms=-3600 * 1000)
    ports = {}
    try:
        for server in (good, plain):
            server.init(["--tls-ca-cert", str(ca.cert), "--tls-ca-key", str(ca.key)])
            ports[server.server_name] = https_listener(server)
        good.configure({"well_known": {"server": f"{GOOD}:443", "client_base_url": f"https://{GOOD}"}})
        good.start()
        plain.start()
        expired.start()
        yield {"ca": ca, "ports": ports, "expired": expired, "good": good}
        for server in (good, plain):
            code = server.stop(signal.SIGTERM)
            assert code == 0, f"{server.server_name}: expected exit 0, got {describe_exit(code)}"
    finally:
        expired.stop()
        for server in (good, plain):
            server.cleanup()


def doctor(setup, *args, json_output=True, trust_ca=True):
    """Runs `ranvier doctor ARGS --ca-file CA [--json]`; returns (exit code, report or stdout, stderr)."""
    command = ["doctor", *args, "--timeout", "5"]
    if trust_ca:
        command += ["--ca-file", str(setup["ca"].cert)]
    if json_output:
        command.append("--json")
    result = run_ranvier(command, timeout=120)
    assert "terminate called" not in result.stderr and result.returncode in (0, 1, 2), result
    if json_output and result.returncode in (0, 1):
        return result.returncode, json.loads(result.stdout), result.stderr
    return result.returncode, result.stdout, result.stderr


def doctor_fake(setup):
    """The doctor on the fake server, found as a remote finds it: its .well-known answers 404,
    so port 8448 (sent to the fake by --connect-to)."""
    port = setup["expired"].port
    code, report, _ = doctor(setup, FAKE, "--connect-to", f"{FAKE}:443:{LOOPBACK}:{port}",
                             "--connect-to", f"{FAKE}:8448:{LOOPBACK}:{port}")
    return code, report


def steps(report) -> dict:
    return {step["name"]: step for step in report["steps"]}


@spec("server-server-api/#resolving-server-names")
@spec("server-server-api/#publishing-keys")
@spec("client-server-api/#well-known-uris")
def test_a_correct_server_passes_every_step(setup):
    port = setup["ports"][GOOD]
    code, report, stderr = doctor(setup, GOOD, "--connect-to", f"{GOOD}:443:{LOOPBACK}:{port}")
    assert code == 0, report
    assert report["ok"] is True
    by_name = steps(report)
    assert set(by_name) == {"delegation", "connect", "tls", "keys", "version", "client", "client-versions"}
    for step in report["steps"]:
        assert step["status"] == "PASS", step
    assert f"delegates to '{GOOD}:443'" in by_name["delegation"]["reason"]
    assert f"TLS name: {GOOD}" in by_name["delegation"]["reason"]
    assert f"DNS:{GOOD}" in by_name["tls"]["reason"]
    assert "ed25519:" in by_name["keys"]["reason"]
    assert "Ranvier" in by_name["version"]["reason"]


@spec("server-server-api/#resolving-server-names")
def test_text_output_has_one_line_per_step(setup):
    port = setup["ports"][GOOD]
    code, text, _ = doctor(setup, "--server-name", GOOD, "--connect-to", f"{GOOD}:443:{LOOPBACK}:{port}",
                           json_output=False)
    assert code == 0, text
    lines = text.splitlines()
    assert lines[0] == f"ranvier doctor: {GOOD}"
    for name in ("delegation", "connect", "tls", "keys", "version", "client", "client-versions"):
        assert any(line.startswith("PASS  " + name + " ") for line in lines), text
    assert lines[-1].startswith("OK: 7 passed"), text


@spec("server-server-api/#tls")
def test_a_certificate_for_another_name_fails_the_tls_step(setup):
    # GOOD's certificate, reached under another name: what a remote sees when a server is
    # given the wrong certificate.
    port = setup["ports"][GOOD]
    code, report, _ = doctor(setup, "other.doctor.test:443", "--connect-to",
                             f"other.doctor.test:443:{LOOPBACK}:{port}")
    assert code == 1, report
    tls = steps(report)["tls"]
    assert tls["status"] == "FAIL", tls
    assert f"the certificate is for DNS:{GOOD}" in tls["reason"], tls
    assert "not other.doctor.test" in tls["reason"], tls
    assert "subjectAltName includes other.doctor.test" in tls["fix"], tls
    # Nothing is asked over a connection remote servers would refuse.
    assert steps(report)["keys"]["status"] == "SKIP"


@spec("server-server-api/#tls")
def test_a_chain_from_an_untrusted_ca_fails_the_tls_step(setup):
    port = setup["ports"][GOOD]
    code, report, _ = doctor(setup, GOOD, "--connect-to", f"{GOOD}:443:{LOOPBACK}:{port}", trust_ca=False)
    assert code == 1, report
    by_name = steps(report)
    # The .well-known fetch is refused too, so discovery falls back to port 8448 — as a remote
    # server would.
    assert "certificate verify failed" in by_name["delegation"]["reason"], by_name["delegation"]
    assert by_name["delegation"]["status"] == "WARN", by_name["delegation"]
    assert by_name["connect"]["status"] == "FAIL", by_name["connect"]
    code, report, _ = doctor(setup, f"{GOOD}:443", "--connect-to", f"{GOOD}:443:{LOOPBACK}:{port}",
                             trust_ca=False)
    assert code == 1, report
    tls = steps(report)["tls"]
    assert tls["status"] == "FAIL", tls
    assert "the chain is not trusted" in tls["reason"] and "Ranvier federation test CA" in tls["reason"], tls
    assert "--ca-file" in tls["fix"], tls


@spec("server-server-api/#tls")
def test_a_port_without_tls_fails_the_tls_step(setup):
    # The plain-HTTP client listener where federation expects TLS.
    plain_http = setup["good"].client_port
    code, report, _ = doctor(setup, f"{GOOD}:8448", "--connect-to", f"{GOOD}:8448:{LOOPBACK}:{plain_http}")
    assert code == 1, report
    by_name = steps(report)
    assert by_name["connect"]["status"] == "PASS", by_name["connect"]
    tls = by_name["tls"]
    assert tls["status"] == "FAIL" and "TLS handshake" in tls["reason"], tls
    assert f"serve TLS on {GOOD}:8448" in tls["fix"], tls
    assert by_name["keys"]["status"] == "SKIP"


@spec("server-server-api/#resolving-server-names")
def test_missing_well_known_falls_back_to_8448_and_a_closed_port_fails(setup):
    port = setup["ports"][PLAIN]
    closed = free_port()
    code, report, _ = doctor(setup, PLAIN, "--connect-to", f"{PLAIN}:443:{LOOPBACK}:{port}",
                             "--connect-to", f"{PLAIN}:8448:{LOOPBACK}:{closed}")
    assert code == 1, report
    by_name = steps(report)
    delegation = by_name["delegation"]
    assert f"no https://{PLAIN}/.well-known/matrix/server (HTTP 404)" in delegation["reason"], delegation
    assert "port 8448" in delegation["reason"], delegation
    assert f"connect to {PLAIN}:8448" in delegation["reason"], delegation
    connect = by_name["connect"]
    assert connect["status"] == "FAIL", connect
    assert f"{LOOPBACK}:{closed}" in connect["reason"], connect
    assert f'{{"m.server": "{PLAIN}:443"}}' in connect["fix"], connect
    assert f"_matrix-fed._tcp.{PLAIN}" in connect["fix"], connect


@spec("server-server-api/#resolving-server-names")
@spec("client-server-api/#well-known-uris")
def test_the_8448_fallback_works_and_a_missing_client_well_known_only_warns(setup):
    port = setup["ports"][PLAIN]
    code, report, _ = doctor(setup, PLAIN, "--connect-to", f"{PLAIN}:443:{LOOPBACK}:{port}",
                             "--connect-to", f"{PLAIN}:8448:{LOOPBACK}:{port}")
    assert code == 0, report
    by_name = steps(report)
    for name in ("delegation", "connect", "tls", "keys", "version"):
        assert by_name[name]["status"] == "PASS", by_name[name]
    client = by_name["client"]
    assert client["status"] == "WARN", client
    assert "optional" in client["reason"], client
    assert "m.homeserver" in client["fix"], client
    assert "client-versions" not in by_name


@spec("server-server-api/#publishing-keys")
def test_an_expired_key_document_fails(setup):
    code, report = doctor_fake(setup)
    assert code == 1, report
    by_name = steps(report)
    # The harness CA issues two-day certificates: trusted, but close enough to expiry to warn.
    assert by_name["tls"]["status"] in ("PASS", "WARN"), by_name["tls"]
    keys = by_name["keys"]
    assert keys["status"] == "FAIL", keys
    assert "expired" in keys["reason"] and str(setup["expired"].valid_until_ts) in keys["reason"], keys
    assert "valid_until_ts in the future" in keys["fix"], keys
    assert by_name["version"]["status"] == "PASS", by_name["version"]


@spec("server-server-api/#publishing-keys")
def test_a_key_document_for_another_server_fails(setup):
    fake = setup["expired"]
    # Reached under its name but signing as another server: a remote refuses the keys.
    fake.server_name = "impostor.doctor.test"
    try:
        code, report = doctor_fake(setup)
    finally:
        fake.server_name = FAKE
    assert code == 1, report
    keys = steps(report)["keys"]
    assert f"'impostor.doctor.test', not '{FAKE}'" in keys["reason"], keys


@spec("server-server-api/#resolving-server-names")
def test_a_server_well_known_without_a_usable_m_server_warns(setup):
    fake = setup["expired"]
    fake.route("GET", "/.well-known/matrix/server", lambda method, target, body: (200, {"m.server": 8448}))
    try:
        code, report = doctor_fake(setup)
    finally:
        del fake.routes[("GET", "/.well-known/matrix/server")]
    assert code == 1, report  # the fake's key document is expired
    delegation = steps(report)["delegation"]
    assert delegation["status"] == "WARN", delegation
    assert "is ignored by remote servers" in delegation["reason"], delegation
    assert f"connect to {FAKE}:8448" in delegation["reason"], delegation
    assert f'{{"m.server": "{FAKE}:443"}}' in delegation["fix"], delegation


@spec("server-server-api/#resolving-server-names")
def test_a_name_that_does_not_resolve_fails_cleanly(setup):
    code, report, _ = doctor(setup, "no-such-host.invalid")
    assert code == 1, report
    connect = steps(report)["connect"]
    assert connect["status"] == "FAIL", connect
    assert "cannot resolve no-such-host.invalid" in connect["reason"], connect
    assert "A or AAAA record" in connect["fix"], connect
    assert steps(report)["tls"]["status"] == "SKIP"


@spec("appendices/#server-name")
def test_usage_errors_exit_2(setup):
    for args in (["not a name"], [], ["example.org", "--connect-to", "example.org:443"],
                 ["example.org", "--timeout", "0"], ["example.org", "--ca-file", "/nonexistent/ca.pem"]):
        result = run_ranvier(["doctor", *args])
        assert result.returncode == 2, (args, result)
        assert result.stderr, args

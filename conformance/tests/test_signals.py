"""Process life cycle: sd_notify readiness, SIGHUP reloads the TLS certificate without dropping
connections, SIGTERM/SIGINT stop gracefully with exit code 0 (issue 2, `ranvier serve`)."""

import json
import signal
import socket
import subprocess
import threading
import time

import pytest

from harness.checks import spec
from harness.client import ConnectionClosed, build_request
from harness.probes import assert_still_serving
from harness.server import LOOPBACK, RanvierServer, describe_exit, run_ranvier

SERVE_DOC = "ranvier:issue-2#set-up-and-commands"


def new_certificate(folder, name):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-keyout", f"{name}.key", "-out", f"{name}.crt"],
                   cwd=folder, check=True, capture_output=True)


@spec(SERVE_DOC)
def test_ready_means_listening(server):
    # The fixture started the server and got READY=1; the ports must already accept.
    assert server.notify is not None and any("READY=1" in m for m in server.notify.messages)
    assert_still_serving(server)
    with server.federation() as federation:
        assert federation.get("/_matrix/federation/v1/version").status == 200


@spec(SERVE_DOC)
def test_sighup_keeps_serving_and_keeps_connections(server):
    with server.client() as keep_alive:
        assert keep_alive.get("/_matrix/client/versions").status == 200
        for _ in range(3):
            server.send_signal(signal.SIGHUP)
            time.sleep(0.3)
            assert server.alive(), f"SIGHUP killed the server:\n{server.log()[-2000:]}"
            assert keep_alive.get("/_matrix/client/versions").status == 200
        assert keep_alive.connections_opened == 1, "SIGHUP dropped a keep-alive connection"
    assert_still_serving(server)


@spec(SERVE_DOC)
def test_sighup_reloads_tls_certificate(server):
    config = server.read_config()
    certificate = server.workdir / config["tls"]["certificate"]
    private_key = server.workdir / config["tls"]["private_key"]
    original = server.federation_certificate()
    with server.federation() as federation:
        assert federation.get("/_matrix/federation/v1/version").status == 200
        new_certificate(server.workdir, "renewed")
        # acme.sh style: replace the files in place, then signal.
        certificate.write_bytes((server.workdir / "renewed.crt").read_bytes())
        private_key.write_bytes((server.workdir / "renewed.key").read_bytes())
        server.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while server.federation_certificate() == original and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.federation_certificate() != original, "SIGHUP did not reload the certificate"
        # The connection opened before the reload still works.
        assert federation.get("/_matrix/federation/v1/version").status == 200
        assert federation.connections_opened == 1


@spec(SERVE_DOC)
def test_sighup_with_broken_certificate_keeps_old_one(server):
    config = server.read_config()
    certificate = server.workdir / config["tls"]["certificate"]
    before = server.federation_certificate()
    saved = certificate.read_bytes()
    try:
        certificate.write_text("not a certificate\n")
        server.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert server.alive(), "a bad certificate on reload killed the server"
        assert server.federation_certificate() == before
    finally:
        certificate.write_bytes(saved)
    assert_still_serving(server)


@pytest.fixture
def own_server(tmp_path):
    """A server of the test's own, started; the test decides how it stops."""
    instance = RanvierServer(tmp_path)
    instance.init()
    instance.start()
    yield instance
    instance.cleanup()


@spec(SERVE_DOC)
def test_sigterm_exits_zero(own_server):
    assert_still_serving(own_server)
    began = time.monotonic()
    code = own_server.stop(signal.SIGTERM)
    assert code == 0, describe_exit(code)
    assert time.monotonic() - began < 5, "slow shutdown"


@spec(SERVE_DOC)
def test_sigint_exits_zero(own_server):
    code = own_server.stop(signal.SIGINT)
    assert code == 0, describe_exit(code)


@spec(SERVE_DOC)
def test_sigterm_with_idle_and_half_sent_connections(own_server):
    instance = own_server
    idle = socket.create_connection((LOOPBACK, instance.client_port))
    partial = socket.create_connection((LOOPBACK, instance.client_port))
    partial.sendall(b"GET /_matrix/client/versions HTTP/1.1\r\nHost: x\r\n")
    keep_alive = instance.client()
    try:
        assert keep_alive.get("/_matrix/client/versions").status == 200
        began = time.monotonic()
        code = instance.stop(signal.SIGTERM)
        assert code == 0, describe_exit(code)
        assert time.monotonic() - began < 10, "open connections held up shutdown"
    finally:
        idle.close()
        partial.close()
        keep_alive.close()


@spec(SERVE_DOC)
def test_sigterm_under_load(own_server):
    instance = own_server
    stop = threading.Event()
    errors = []

    def hammer():
        while not stop.is_set():
            try:
                with socket.create_connection((LOOPBACK, instance.client_port), timeout=2) as sock:
                    sock.sendall(build_request("GET", "/_matrix/client/versions"))
                    sock.recv(4096)
            except OSError:
                pass
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        code = instance.stop(signal.SIGTERM)
        assert code == 0, describe_exit(code)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not errors


@spec("ranvier:issue-2#set-up-and-commands")  # NOTIFY_SOCKET may name an abstract socket
def test_abstract_notify_socket(own_server):
    assert own_server.stop() == 0
    own_server.start(abstract_notify=True)
    assert own_server.notify.address.startswith("@")
    assert_still_serving(own_server)
    assert own_server.stop() == 0


@spec("ranvier:issue-2#figures-to-reach")
def test_restart_on_existing_database(own_server, record_property):
    assert own_server.stop() == 0
    own_server.start()
    record_property("startup_seconds", own_server.startup_seconds)
    print(f"start-up to READY on an existing database: {own_server.startup_seconds * 1000:.0f} ms")
    assert_still_serving(own_server)
    assert own_server.stop() == 0


def register_user(client, name):
    """Registers `name` with m.login.dummy; True on 200."""
    body = {"username": name, "password": "pw " + name}
    first = client.post("/_matrix/client/v3/register", json_body=body)
    if first.status == 401:
        first = client.post("/_matrix/client/v3/register", json_body={
            **body, "auth": {"type": "m.login.dummy", "session": first.json()["session"]}})
    return first.status == 200


@spec("ranvier:issue-2#bad-input")  # "never leaves half-written data"
def test_sigkill_during_writes_keeps_committed_accounts(own_server):
    """Accounts whose registration was answered 200 survive a SIGKILL in the middle of more
    registrations, and the server starts again on the same database."""
    own_server.configure({"rate_limits": {"enabled": False}})
    assert own_server.stop() == 0
    own_server.start()
    committed, stop = [], threading.Event()

    def writer(prefix):
        with own_server.client(timeout=5) as client:
            for i in range(1000):
                if stop.is_set():
                    return
                try:
                    if register_user(client, f"{prefix}{i}"):
                        committed.append(f"{prefix}{i}")
                except OSError:
                    return

    threads = [threading.Thread(target=writer, args=(p,)) for p in ("ka", "kb", "kc")]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    own_server.send_signal(signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join()
    own_server.stop()  # reaps the killed process
    assert committed, "no registration completed before the kill"
    own_server.start()
    with own_server.client() as client:
        for name in committed:
            response = client.post("/_matrix/client/v3/login", json_body={
                "type": "m.login.password", "identifier": {"type": "m.id.user", "user": name},
                "password": "pw " + name})
            assert response.status == 200, (name, response)
    assert own_server.stop() == 0


@spec(SERVE_DOC)  # "finish in-flight requests (bounded), exit 0"
def test_sigterm_with_requests_in_flight(own_server):
    """Logins (password hashing: tens of ms) in flight when SIGTERM arrives: each connection
    gets a complete response or is closed before any byte of one; never a truncated answer."""
    assert run_ranvier(["register-user", "--config", str(own_server.config_path),
                        "--user", "busy", "--password", "pw"]).returncode == 0
    body = json.dumps({"type": "m.login.password", "password": "pw",
                       "identifier": {"type": "m.id.user", "user": "busy"}}).encode()
    connections = [own_server.raw(timeout=15) for _ in range(4)]
    try:
        for connection in connections:
            connection.send(build_request("POST", "/_matrix/client/v3/login",
                                          {"Content-Type": "application/json"}, body=body))
        time.sleep(0.01)
        own_server.send_signal(signal.SIGTERM)
        for connection in connections:
            try:
                response = connection.read_response(timeout=15)
            except ConnectionClosed:
                assert connection.received == 0, f"truncated response: {connection.buffer[:200]!r}"
                continue
            assert response.status in (200, 429, 503), response
        code = own_server.stop()
        assert code == 0, describe_exit(code)
    finally:
        for connection in connections:
            connection.close()

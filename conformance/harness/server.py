"""Starts and stops a real `ranvier` process for a suite.

`ranvier init` writes a configuration into a fresh folder with free ports, `ranvier serve`
runs it, and readiness is the sd_notify `READY=1` datagram on a NOTIFY_SOCKET the harness
creates: no polling of ports, and a server that never gets ready fails the suite with its log.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

import yaml

from .client import Client, RawConnection, tls_context
from .database import SuiteDatabase

REPO_ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
READY_TIMEOUT_S = float(os.environ.get("RANVIER_READY_TIMEOUT", "20"))
STOP_TIMEOUT_S = 15.0

# A value in a config override that removes the key instead of setting it.
DELETE = object()


def ranvier_binary() -> Path:
    """The binary under test: $RANVIER_BIN, else build/server/app/ranvier in the checkout."""
    configured = os.environ.get("RANVIER_BIN")
    path = Path(configured) if configured else REPO_ROOT / "build/server/app/ranvier"
    return path.resolve()


def snapshot_binary(folder: Path) -> Path:
    """Copies the binary under test into `folder` and points RANVIER_BIN at the copy, so a
    rebuild during the run (another engineer linking `ranvier`) cannot mix two versions."""
    original = ranvier_binary()
    copy = folder / "ranvier"
    shutil.copy2(original, copy)
    os.environ["RANVIER_BIN"] = str(copy)
    return original


def free_port() -> int:
    """A TCP port nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def run_ranvier(args: Iterable[str], timeout: float = 60.0,
                env: Optional[Mapping[str, str]] = None) -> subprocess.CompletedProcess:
    """Runs a ranvier subcommand to completion and returns its exit code and output."""
    full_env = dict(os.environ)
    full_env.pop("NOTIFY_SOCKET", None)
    full_env.update(env or {})
    return subprocess.run([str(ranvier_binary()), *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def describe_exit(code: int) -> str:
    if code < 0:
        return f"killed by signal {signal.Signals(-code).name}"
    return f"exit code {code}"


def merge(base: dict, overrides: Mapping[str, Any]) -> dict:
    """Deep-merges `overrides` into `base` (in place); lists are replaced, DELETE removes."""
    for key, value in overrides.items():
        if value is DELETE:
            base.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


class NotifySocket:
    """The receiving end of sd_notify: a unix datagram socket, by path or abstract (`@name`)."""

    def __init__(self, folder: Path, abstract: bool = False):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = f"ranvier-conformance-{os.getpid()}-{time.monotonic_ns()}"
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            path = folder / "notify.sock"
            path.unlink(missing_ok=True)
            self.sock.bind(str(path))
            self.address = str(path)
        self.messages: list[str] = []

    def wait_for(self, wanted: str, timeout: float, process: subprocess.Popen) -> bool:
        """Waits for a datagram containing the line `wanted`; False on timeout or process exit."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            self.sock.settimeout(min(0.1, max(0.001, deadline - time.monotonic())))
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            text = data.decode("utf-8", "replace")
            self.messages.append(text)
            if wanted in text.split("\n"):
                return True
        return False

    def close(self) -> None:
        self.sock.close()


class RanvierServer:
    """One ranvier instance in its own folder with its own database and ports."""

    def __init__(self, workdir: Optional[Path] = None, server_name: str = "localhost",
                 metrics: bool = True, registration: str = "open", host: str = LOOPBACK,
                 launcher: Iterable[str] = ()):
        """`host` is the address the listeners bind (a mesh in network namespaces gives each
        server its own, with fixed ports); `launcher` prefixes the serve command (e.g.
        `ip netns exec NAME`)."""
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="ranvier-conf-"))
        self.server_name = server_name
        self.registration = registration
        self.host = host
        self.launcher = list(launcher)
        own_address = host == LOOPBACK
        self.client_port = free_port() if own_address else 8008
        self.federation_port = free_port() if own_address else 8448
        self.metrics_port = (free_port() if own_address else 9000) if metrics else None
        self.database: Optional[SuiteDatabase] = None
        self.process: Optional[subprocess.Popen] = None
        self.log_path = self.workdir / "server.log"
        self._log_file = None
        self.notify: Optional[NotifySocket] = None
        self.startup_seconds: Optional[float] = None

    # --- files --------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.workdir / "ranvier.yaml"

    def init(self, extra_args: Iterable[str] = ()) -> subprocess.CompletedProcess:
        """Runs `ranvier init` for this server's folder, ports and database."""
        if self.database is None:
            self.database = SuiteDatabase(self.workdir)
        args = ["init", "--server-name", self.server_name, "--dir", str(self.workdir),
                "--database", self.database.url, "--registration", self.registration,
                "--client-listen", f"{self.host}:{self.client_port}",
                "--federation-listen", f"{self.host}:{self.federation_port}"]
        if self.metrics_port is not None:
            args += ["--metrics-listen", f"{self.host}:{self.metrics_port}"]
        result = run_ranvier([*args, *extra_args])
        if result.returncode != 0:
            raise RuntimeError(f"ranvier init failed ({describe_exit(result.returncode)}):\n"
                               f"{result.stdout}\n{result.stderr}")
        return result

    def read_config(self) -> dict:
        return yaml.safe_load(self.config_path.read_text())

    def configure(self, overrides: Mapping[str, Any]) -> None:
        """Rewrites the config file with `overrides` deep-merged into what init wrote."""
        config = merge(self.read_config(), overrides)
        self.config_path.write_text(yaml.safe_dump(config, sort_keys=False))

    # --- process ------------------------------------------------------------------------
    def start(self, abstract_notify: bool = False, timeout: float = READY_TIMEOUT_S) -> None:
        """Starts `ranvier serve` and waits for READY=1; raises with the log if it never comes."""
        self.notify = NotifySocket(self.workdir, abstract=abstract_notify)
        env = dict(os.environ)
        env["NOTIFY_SOCKET"] = self.notify.address
        self._log_file = open(self.log_path, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [*self.launcher, str(ranvier_binary()), "serve", "--config", str(self.config_path)],
            stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT, env=env)
        ready = self.notify.wait_for("READY=1", timeout, self.process)
        self.startup_seconds = time.monotonic() - started
        if not ready:
            code = self.process.poll()
            if code is None:
                self.process.kill()
                self.process.wait()
                reason = f"no READY=1 within {timeout}s"
            else:
                reason = f"exited before READY=1 ({describe_exit(code)})"
            self.process = None
            raise RuntimeError(f"ranvier serve: {reason}; log:\n{self.log()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def send_signal(self, sig: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = STOP_TIMEOUT_S) -> int:
        """Sends `sig` and returns the exit code (negative: killed by a signal). A server that
        does not stop in time is killed, and that counts as a failure (SIGKILL)."""
        if self.process is None:
            raise RuntimeError("server not running")
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.process = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self.notify is not None:
            self.notify.close()
            self.notify = None
        return code

    def cleanup(self) -> None:
        """Kills a leftover process and drops the suite's database."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.database is not None:
            self.database.drop()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # --- clients ------------------------------------------------------------------------
    def client(self, timeout: float = 10.0) -> Client:
        """A keep-alive client for the client-server listener (plain HTTP)."""
        return Client(self.host, self.client_port, timeout=timeout)

    def federation(self, timeout: float = 10.0) -> Client:
        """A keep-alive client for the federation listener (TLS, certificate not verified)."""
        return Client(self.host, self.federation_port, tls=True, timeout=timeout)

    def metrics(self, timeout: float = 10.0) -> Client:
        assert self.metrics_port is not None
        return Client(self.host, self.metrics_port, timeout=timeout)

    def federation_certificate(self) -> bytes:
        """The DER certificate the federation listener presents right now."""
        with socket.create_connection((self.host, self.federation_port), timeout=5) as sock:
            with tls_context().wrap_socket(sock, server_hostname=self.server_name) as tls:
                return tls.getpeercert(binary_form=True)

    def raw(self, timeout: float = 10.0) -> RawConnection:
        """A raw socket to the client listener."""
        return RawConnection(self.host, self.client_port, timeout=timeout)

    def raw_federation(self, timeout: float = 10.0) -> RawConnection:
        return RawConnection(self.host, self.federation_port, tls=True, timeout=timeout)

    def raw_plain_federation(self, timeout: float = 10.0) -> RawConnection:
        """A TCP connection to the federation port without TLS, for handshake-level tests."""
        return RawConnection(self.host, self.federation_port, tls=False, timeout=timeout)


class ServeOutcome:
    """What one `ranvier serve` run did: got ready (then was stopped), or exited on its own."""

    def __init__(self, ready: bool, hung: bool, code: int, output: str):
        self.ready = ready
        self.hung = hung  # neither ready nor exited before the timeout
        self.code = code
        self.output = output

    def __repr__(self) -> str:
        state = "ready" if self.ready else "hung" if self.hung else describe_exit(self.code)
        return f"<serve {state}; output: {self.output[-1500:]!r}>"

    def crashed(self) -> bool:
        """Killed by a signal, or the runtime reported an abort or uncaught exception."""
        markers = ("terminate called", "Segmentation fault", "core dumped", "Aborted",
                   "AddressSanitizer", "runtime error:", "std::bad_alloc")
        return self.code < 0 or self.code >= 128 or any(m in self.output for m in markers)


def serve_once(config_path: Path, timeout: float = 30.0,
               extra_args: Iterable[str] = ("--config",)) -> ServeOutcome:
    """Runs `ranvier serve` on a config that is expected to be refused. A server that gets ready
    anyway is stopped with SIGTERM and reported as `ready`."""
    folder = Path(tempfile.mkdtemp(prefix="ranvier-serve-"))
    notify = NotifySocket(folder)
    env = dict(os.environ)
    env["NOTIFY_SOCKET"] = notify.address
    args = [str(ranvier_binary()), "serve", *extra_args]
    if config_path is not None:
        args.append(str(config_path))
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=env)
    try:
        ready = notify.wait_for("READY=1", timeout, process)
        hung = not ready and process.poll() is None
        if ready or hung:
            process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    finally:
        notify.close()
    return ServeOutcome(ready, hung, process.returncode, output.decode("utf-8", "replace"))

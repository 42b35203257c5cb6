"""Shared pieces of the client-server load generators (romeo_juliet.py, sync_latency.py):
a fresh `ranvier serve` on SQLite or PostgreSQL in a temporary folder, its RSS and database
size, a Matrix client over one keep-alive connection, and latency summaries.

Standard library only. Ports, RSS and the graceful stop come from foundation_bench.py, a
fresh PostgreSQL database from conformance/harness/database.py. The HTTP client is a lean one
of its own (one write per request, a minimal response parser): http.client costs about three
times as much client CPU per request, which on two cores shared with the server showed up in
the per-send figures. `--http-client` switches to http.client for comparison.
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any, Optional

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(BENCH_DIR))

from conformance.harness.database import SuiteDatabase  # noqa: E402
from foundation_bench import free_port, rss_kib, stop  # noqa: E402

READY_TIMEOUT_S = 30.0
PASSWORD = "romeo-and-juliet-benchmark"
DEFAULT_BINARY = str(REPO_ROOT / "build/server/app/ranvier")


class ServerError(Exception):
    """The server answered a benchmark request with an unexpected status."""

    def __init__(self, method: str, path: str, body: Any, status: int, response: bytes):
        super().__init__(f"{method} {path} {body!r} -> {status} "
                         f"{response[:500].decode('utf-8', 'replace')}")
        self.status = status
        self.response = response


# What a workload stops on: an error status, a broken connection, a response that is not JSON.
WORKLOAD_ERRORS = (ServerError, OSError, http.client.HTTPException, ValueError)


def postgres_admin_url(explicit: Optional[str]) -> str:
    """The PostgreSQL server to create the benchmark database on: --postgres-url, else
    $RANVIER_TEST_DATABASE, else the throw-away server of ci/postgres.sh (started if needed)."""
    if explicit:
        return explicit
    configured = os.environ.get("RANVIER_TEST_DATABASE", "")
    if configured.startswith(("postgres://", "postgresql://")):
        return configured
    result = subprocess.run([str(REPO_ROOT / "ci/postgres.sh"), "start"], capture_output=True,
                            text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"ci/postgres.sh start failed:\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


class BenchServer:
    """One `ranvier serve` in its own temporary folder with a fresh database. Registration is
    open and rate limits are off (the workloads send far more than the per-user default of one
    request a second); everything else is what `ranvier init` writes."""

    def __init__(self, binary: str = DEFAULT_BINARY, database: str = "sqlite",
                 postgres_url: Optional[str] = None, keep: bool = False):
        self.binary = str(Path(binary).resolve())
        self.workdir = Path(tempfile.mkdtemp(prefix="ranvier-load-"))
        self.keep = keep
        self.backend = database
        self.client_port = free_port()
        self.process: Optional[subprocess.Popen] = None
        self._log = None
        self._database: Optional[SuiteDatabase] = None
        if database == "postgres":
            # SuiteDatabase takes its server from the environment, as in the conformance suites.
            os.environ["RANVIER_TEST_DATABASE"] = postgres_admin_url(postgres_url)
        elif database == "sqlite":
            os.environ["RANVIER_TEST_DATABASE"] = "sqlite"
        else:
            raise ValueError(f"unknown database {database!r}")
        self._database = SuiteDatabase(self.workdir)
        self.database_url = self._database.url

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.client_port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def start(self) -> None:
        """`ranvier init` then `ranvier serve`; returns once the server sent READY=1."""
        init = subprocess.run(
            [self.binary, "init", "--server-name", "localhost", "--dir", str(self.workdir),
             "--database", self.database_url, "--registration", "open",
             "--client-listen", f"127.0.0.1:{self.client_port}",
             "--federation-listen", f"127.0.0.1:{free_port()}"],
            capture_output=True, text=True, timeout=60)
        if init.returncode != 0:
            raise RuntimeError(f"ranvier init failed:\n{init.stdout}{init.stderr}")
        config = self.workdir / "ranvier.yaml"
        text = config.read_text()
        limits_on = "rate_limits:\n  enabled: true"
        if limits_on not in text:
            raise RuntimeError("ranvier init no longer writes 'rate_limits: enabled: true'; "
                               "update BenchServer.start")
        config.write_text(text.replace(limits_on, "rate_limits:\n  enabled: false"))

        notify_path = self.workdir / "notify.sock"
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(str(notify_path))
        self._log = open(self.log_path, "ab")
        env = dict(os.environ, NOTIFY_SOCKET=str(notify_path))
        self.process = subprocess.Popen([self.binary, "serve", "--config", str(config)],
                                        stdin=subprocess.DEVNULL, stdout=self._log,
                                        stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + READY_TIMEOUT_S
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                notify.settimeout(0.1)
                try:
                    if "READY=1" in notify.recv(4096).decode("utf-8", "replace").split("\n"):
                        return
                except socket.timeout:
                    continue
        finally:
            notify.close()
        self.stop()
        raise RuntimeError(f"ranvier serve did not get ready; log:\n{self.log_tail()}")

    def rss_kib(self) -> int:
        return rss_kib(self.pid)

    def database_bytes(self) -> int:
        return database_bytes(self.database_url)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def stop(self) -> Optional[int]:
        """SIGTERM and wait (killed after 15 s); returns the exit code."""
        code = None
        if self.process is not None:
            if self.process.poll() is None:
                try:
                    code = stop(self.process)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    code = self.process.wait()
            else:
                code = self.process.returncode
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def cleanup(self) -> None:
        """Stops the server, drops a PostgreSQL database and deletes the folder (unless kept)."""
        self.stop()
        if self._database is not None and not self.keep:
            try:
                self._database.drop()
            except RuntimeError as error:  # e.g. the PostgreSQL server went away meanwhile
                print(f"warning: database not dropped: {error}", file=sys.stderr)
            self._database = None
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "BenchServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cleanup()


def database_bytes(database_url: str) -> int:
    """Size on disk: the SQLite file with its -wal (and -shm), or pg_database_size."""
    if database_url.startswith("sqlite://"):
        path = database_url[len("sqlite://"):]
        return sum(os.path.getsize(path + suffix) for suffix in ("", "-wal", "-shm")
                   if os.path.exists(path + suffix))
    result = subprocess.run(["psql", database_url, "-X", "-tA", "-c",
                             "SELECT pg_database_size(current_database())"],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr.strip()}")
    return int(result.stdout.strip())


class Connection:
    """One keep-alive HTTP/1.1 connection. `send` writes a whole request in one system call,
    `receive` reads one response (Content-Length or chunked); split so a caller can note the
    moment its request is on the wire. A connection the server closed while idle is reopened
    once, before anything of the response was read."""

    def __init__(self, base_url: str, timeout: float = 60.0):
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.tls = parts.scheme == "https"
        self.address = (parts.hostname, parts.port or (443 if self.tls else 80))
        self.host_header = parts.netloc
        self.timeout = timeout
        self.sock: Optional[socket.socket] = None
        self.buffer = b""
        self.last_request = b""

    def _open(self) -> socket.socket:
        sock = socket.create_connection(self.address, timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(sock, server_hostname=self.address[0])
        self.buffer = b""
        return sock

    def send(self, method: str, path: str, body: Optional[bytes] = None,
             token: Optional[str] = None) -> None:
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host_header}\r\n"
        if token is not None:
            head += f"Authorization: Bearer {token}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.last_request = head.encode() + b"\r\n" + (body or b"")
        if self.sock is None:
            self.sock = self._open()
        try:
            self.sock.sendall(self.last_request)
        except (BrokenPipeError, ConnectionResetError):
            self.sock = self._open()
            self.sock.sendall(self.last_request)

    def _fill(self) -> bool:
        chunk = self.sock.recv(262144)
        self.buffer += chunk
        return bool(chunk)

    def _take_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            if not self._fill():
                raise ConnectionResetError("the server closed the connection mid-response")
        head, self.buffer = self.buffer.split(marker, 1)
        return head

    def _take(self, count: int) -> bytes:
        while len(self.buffer) < count:
            if not self._fill():
                raise ConnectionResetError("the server closed the connection mid-body")
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def receive(self) -> tuple[int, bytes]:
        """(status, body) of the next response."""
        if not self.buffer and not self._fill():
            # Closed while idle, before our request was read: send it again on a new one.
            self.sock = self._open()
            self.sock.sendall(self.last_request)
        lines = self._take_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int(self._take_until(b"\r\n").split(b";")[0], 16)
                body += self._take(size)
                self._take_until(b"\r\n")
                if size == 0:
                    break
        else:
            body = self._take(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class StdlibConnection:
    """The same interface over http.client, for comparing client overhead (--http-client)."""

    def __init__(self, base_url: str, timeout: float = 60.0):
        parts = urllib.parse.urlsplit(base_url)
        https = parts.scheme == "https"
        kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
        extra = {"context": ssl._create_unverified_context()} if https else {}
        self.connection = kind(parts.hostname, parts.port, timeout=timeout, **extra)

    def send(self, method: str, path: str, body: Optional[bytes] = None,
             token: Optional[str] = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=body, headers=headers)

    def receive(self) -> tuple[int, bytes]:
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


# Which connection class Matrix uses; --http-client sets it to StdlibConnection.
connection_class: Any = Connection


def connect(base_url: str, timeout: float = 60.0) -> Any:
    """A new connection of the selected kind."""
    return connection_class(base_url, timeout)


class Matrix:
    """One user's keep-alive connection to the client-server API, with JSON helpers that raise
    ServerError on any status other than 200."""

    def __init__(self, base_url: str, timeout: float = 60.0):
        self.http = connect(base_url, timeout)
        self.token: Optional[str] = None
        self.user_id: Optional[str] = None

    def call(self, method: str, path: str, body: Any = None) -> Any:
        payload = None if body is None else json.dumps(body).encode()
        self.http.send(method, "/_matrix/client/v3" + path, payload, self.token)
        status, response = self.http.receive()
        if status != 200:
            raise ServerError(method, path, body, status, response)
        return json.loads(response)

    def register_and_login(self, username: str) -> None:
        """POST /register (m.login.dummy) and then POST /login with the password, as a client
        that registers once and logs in on each device would."""
        self.call("POST", "/register", {"username": username, "password": PASSWORD,
                                        "auth": {"type": "m.login.dummy"}})
        login = self.call("POST", "/login", {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": username},
            "password": PASSWORD})
        self.token = login["access_token"]
        self.user_id = login["user_id"]

    def close(self) -> None:
        self.http.close()


def quote(segment: str) -> str:
    """A path segment with everything outside the unreserved set percent-encoded."""
    return urllib.parse.quote(segment, safe="")


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = min(max(1, math.ceil(fraction * len(sorted_values))), len(sorted_values))
    return sorted_values[rank - 1]


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """--server, or --database/--binary/--postgres-url to start a fresh one, and --keep."""
    parser.add_argument("--server", help="base URL of a running server (default: start one)")
    parser.add_argument("--pid", type=int,
                        help="with --server: the server's process ID, to report its RSS")
    parser.add_argument("--database-url",
                        help="with --server: its database URL, to report the database size")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite",
                        help="database of the server this script starts (default sqlite)")
    parser.add_argument("--binary", default=DEFAULT_BINARY,
                        help="ranvier binary to start (default: build/server/app/ranvier here)")
    parser.add_argument("--postgres-url",
                        help="PostgreSQL server to create a fresh database on (default: "
                             "$RANVIER_TEST_DATABASE, else ci/postgres.sh start)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the started server's folder and database afterwards")
    parser.add_argument("--http-client", action="store_true",
                        help="send with Python's http.client instead of the lean client")


class Target:
    """The server a workload runs against: one started here (BenchServer) or the running one
    named by --server. Reports RSS and database size where it can (None otherwise)."""

    def __init__(self, args: argparse.Namespace):
        global connection_class
        connection_class = StdlibConnection if args.http_client else Connection
        self.started: Optional[BenchServer] = None
        if args.server:
            self.url = args.server.rstrip("/")
            self._pid = args.pid
            self._database_url = args.database_url
            self.description = f"running server {self.url}"
        else:
            self.started = BenchServer(args.binary, args.database, args.postgres_url, args.keep)
            try:
                self.started.start()
            except BaseException:
                self.started.cleanup()
                raise
            self.url = self.started.url
            self._pid = self.started.pid
            self._database_url = self.started.database_url
            self.description = (f"fresh ranvier on {args.database} ({self.started.workdir}, "
                                f"pid {self._pid})")

    def rss_kib(self) -> Optional[int]:
        return rss_kib(self._pid) if self._pid else None

    @property
    def database_url(self) -> Optional[str]:
        """The server's database URL (None for --server without --database-url)."""
        return self._database_url

    def database_bytes(self) -> Optional[int]:
        return database_bytes(self._database_url) if self._database_url else None

    def logged_ms(self, method: str, path_part: str) -> list[float]:
        """Durations the started server logged for its requests with this method and a path
        containing `path_part` (empty without a started server or request logging)."""
        if self.started is None:
            return []
        durations = []
        for line in self.started.log_path.read_text(errors="replace").splitlines():
            fields = line.split(" ")
            if (len(fields) == 5 and fields[1] == method and path_part in fields[2]
                    and fields[4].endswith("ms")):
                durations.append(float(fields[4][:-2]))
        return durations

    def failed(self, error: BaseException) -> int:
        """Prints what went wrong with the end of the started server's log; returns 1."""
        print(f"error: {error}", file=sys.stderr)
        if self.started is not None:
            print(f"server log (tail):\n{self.started.log_tail()}", file=sys.stderr)
        return 1

    def close(self) -> None:
        if self.started is not None:
            code = self.started.stop()
            if code not in (0, None):
                print(f"warning: the server exited with code {code}", file=sys.stderr)
            self.started.cleanup()
            self.started = None

    def __enter__(self) -> "Target":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def mib(kib: Optional[int]) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.1f} MiB ({kib} KiB)"


def megabytes(size: Optional[int]) -> str:
    return "n/a" if size is None else f"{size / 1e6:.2f} MB ({size} bytes)"

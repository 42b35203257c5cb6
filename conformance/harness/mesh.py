"""A local federation mesh: N ranvier servers on one machine that federate with each other.

Each server `hsK.mesh.test` has its own folder and database, a TLS certificate from a private
CA the mesh creates, and a `federation.server_overrides` map instead of DNS. Two ways to wire
the links, both able to cut and heal them:

- loopback (default, no root): every directed link (hsA → hsB) goes through its own TCP relay
  on 127.0.0.1; a cut link refuses new connections and drops open ones. TLS passes through the
  relay untouched, so each server still checks the other's certificate and name.
- netns (root): one network namespace per server (`ip netns`), each with a veth link to a
  bridge and its own address 10.77.N.K; a cut adds DROP rules (iptables) in both namespaces,
  so packets vanish as on a broken network and connections time out.

Used by the scenario tests (conformance/tests/test_mesh_*.py) and by `tools/mesh/mesh.py`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Iterable, Optional

from .client import Client
from .database import SuiteDatabase
from .federation import CertificateAuthority
from .server import LOOPBACK, RanvierServer

MESH_DOMAIN = "mesh.test"


def server_name(index: int) -> str:
    """The name of the mesh's server number `index` (1-based)."""
    return f"hs{index}.{MESH_DOMAIN}"


class Relay:
    """TCP relays for the mesh's directed links, run on one asyncio loop in a thread."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="mesh-relay", daemon=True)
        self.thread.start()
        self.cut: set[tuple[str, str]] = set()
        self._servers: list[asyncio.AbstractServer] = []
        self._open: dict[tuple[str, str], set[asyncio.StreamWriter]] = {}

    def add_link(self, source: str, target: str, target_port: int) -> int:
        """Starts the relay for source → target and returns the loopback port it listens on."""
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((LOOPBACK, 0))
        port = listening.getsockname()[1]
        link = (source, target)
        self._open[link] = set()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if link in self.cut:
                writer.close()
                return
            try:
                up_reader, up_writer = await asyncio.open_connection(LOOPBACK, target_port)
            except OSError:
                writer.close()
                return
            self._open[link].update((writer, up_writer))
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
            self._open[link].difference_update((writer, up_writer))

        async def start() -> None:
            self._servers.append(await asyncio.start_server(handle, sock=listening))

        asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)
        return port

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    def set_cut(self, source: str, target: str, cut: bool) -> None:
        """Cuts (refuse new, drop open connections) or heals the link source → target."""
        link = (source, target)

        def apply() -> None:
            if cut:
                self.cut.add(link)
                for writer in list(self._open.get(link, ())):
                    writer.transport.abort()
            else:
                self.cut.discard(link)

        self.loop.call_soon_threadsafe(apply)

    def close(self) -> None:
        async def stop() -> None:
            for server in self._servers:
                server.close()
            for writers in self._open.values():
                for writer in writers:
                    writer.transport.abort()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def wait_for(check, what: str, timeout: float = 20.0):
    """Calls `check` every 0.2 s until it returns something true, and returns that; fails the
    test naming `what` (and the last value) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {result.stderr.strip()}")


def netns_unavailable() -> Optional[str]:
    """Why a netns mesh cannot run here (not root, no iproute2 or iptables, no permission to
    make namespaces, e.g. in an unprivileged container), or None when it can."""
    if os.geteuid() != 0:
        return "the netns mesh needs root"
    probe = f"rvprobe{os.getpid()}"
    try:
        made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
        if made.returncode != 0:
            return f"ip netns add failed: {made.stderr.strip()}"
        listed = subprocess.run(["ip", "netns", "exec", probe, "iptables", "-S", "OUTPUT"], capture_output=True, text=True)
        if listed.returncode != 0:
            return f"iptables in a namespace failed: {listed.stderr.strip()}"
    except FileNotFoundError as missing:
        return f"{missing.filename} is not installed"
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


class Namespaces:
    """One network namespace per server on a bridge; links are cut with iptables DROP rules."""

    def __init__(self, size: int):
        # Short unique names: interface names have at most 15 characters.
        self.tag = f"rvm{os.getpid() % 10000}{int(time.time()) % 100}"
        self.subnet = 10 + os.getpid() % 200
        self.bridge = f"{self.tag}br"
        self.size = size
        self.cut: set[tuple[str, str]] = set()
        self._names: dict[str, int] = {}
        self._created: list[str] = []

    def address(self, index: int) -> str:
        return f"10.77.{self.subnet}.{index}"

    def namespace(self, index: int) -> str:
        return f"{self.tag}-hs{index}"

    def setup(self) -> None:
        run("ip", "link", "add", self.bridge, "type", "bridge")
        self._created.append("bridge")
        run("ip", "addr", "add", f"{self.address(254)}/24", "dev", self.bridge)
        run("ip", "link", "set", self.bridge, "up")
        # Where bridged packets pass the host's firewall (br_netfilter, e.g. with Docker's
        # FORWARD policy DROP), let the mesh's own traffic through.
        run("iptables", "-I", "FORWARD", "-i", self.bridge, "-o", self.bridge, "-j", "ACCEPT")
        self._created.append("forward")
        for index in range(1, self.size + 1):
            ns, veth = self.namespace(index), f"{self.tag}h{index}"
            run("ip", "netns", "add", ns)
            self._created.append(ns)
            run("ip", "link", "add", veth, "type", "veth", "peer", "name", f"{veth}p")
            run("ip", "link", "set", f"{veth}p", "netns", ns)
            run("ip", "link", "set", veth, "master", self.bridge, "up")
            run("ip", "-n", ns, "link", "set", f"{veth}p", "name", "eth0")
            run("ip", "-n", ns, "addr", "add", f"{self.address(index)}/24", "dev", "eth0")
            run("ip", "-n", ns, "link", "set", "eth0", "up")
            run("ip", "-n", ns, "link", "set", "lo", "up")
            self._names[server_name(index)] = index

    def set_cut(self, source: str, target: str, cut: bool) -> None:
        """Drops (or lets through again) the packets source sends to target."""
        action = "-I" if cut else "-D"
        if cut == ((source, target) in self.cut):
            return
        run("ip", "netns", "exec", self.namespace(self._names[source]), "iptables", action, "OUTPUT",
            "-d", self.address(self._names[target]), "-j", "DROP")
        (self.cut.add if cut else self.cut.discard)((source, target))

    def close(self) -> None:
        for item in reversed(self._created):
            if item == "bridge":
                subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
            elif item == "forward":
                subprocess.run(["iptables", "-D", "FORWARD", "-i", self.bridge, "-o", self.bridge, "-j", "ACCEPT"],
                               capture_output=True)
            else:
                subprocess.run(["ip", "netns", "del", item], capture_output=True)
        self._created.clear()


def through_unix_socket(url: str) -> str:
    """A PostgreSQL URL on 127.0.0.1 rewritten to the server's unix socket (the folder
    ci/postgres.sh gives it), which a process in another network namespace can still reach."""
    if not url.startswith(("postgres://", "postgresql://")):
        return url
    parts = urllib.parse.urlsplit(url)
    socket_dir = os.environ.get("RANVIER_PG_DIR", "/tmp/ranvier-pg")
    user = f"{parts.username}@" if parts.username else ""
    query = urllib.parse.urlencode({"host": socket_dir, "port": parts.port or 5432})
    return urllib.parse.urlunsplit((parts.scheme, user, parts.path, query, ""))


class Mesh:
    """N federating servers. `start()` brings them up; `close()` stops them and drops databases.
    `mode` is "loopback" (relays, no root) or "netns" (namespaces and iptables, root)."""

    def __init__(self, folder: Path, size: int, registration: str = "open",
                 overrides: Optional[dict] = None, mode: str = "loopback"):
        if mode not in ("loopback", "netns"):
            raise ValueError(f"mesh mode must be loopback or netns, not {mode!r}")
        self.folder = Path(folder)
        self.size = size
        self.mode = mode
        # Every server's config gets these on top of what `ranvier init` wrote.
        self.overrides = overrides or {}
        ca = CertificateAuthority(self.folder / "ca", days=3650)
        self.ca_cert, self.ca_key = ca.cert, ca.key
        self.relay = Relay() if mode == "loopback" else None
        self.namespaces = Namespaces(size) if mode == "netns" else None
        self.servers: dict[str, RanvierServer] = {}
        for index in range(1, size + 1):
            name = server_name(index)
            placement = {}
            if self.namespaces is not None:
                placement = {"host": self.namespaces.address(index),
                             "launcher": ["ip", "netns", "exec", self.namespaces.namespace(index)]}
            self.servers[name] = RanvierServer(self.folder / name, server_name=name, metrics=False,
                                               registration=registration, **placement)

    @property
    def names(self) -> list[str]:
        return list(self.servers)

    def start(self) -> None:
        """Initialises every server, wires the links and starts them all."""
        if self.namespaces is not None:
            self.namespaces.setup()
        for name, server in self.servers.items():
            server.workdir.mkdir(parents=True, exist_ok=True)
            if self.namespaces is not None:
                server.database = SuiteDatabase(server.workdir)
                server.database.url = through_unix_socket(server.database.url)
            server.init(["--tls-ca-cert", str(self.ca_cert), "--tls-ca-key", str(self.ca_key)])
        for source, server in self.servers.items():
            overrides = {}
            for target, other in self.servers.items():
                if target == source:
                    continue
                if self.relay is not None:
                    port = self.relay.add_link(source, target, other.federation_port)
                    overrides[target] = f"{LOOPBACK}:{port}"
                else:
                    overrides[target] = f"{other.host}:{other.federation_port}"
            server.configure({**self.overrides,
                              "federation": {**self.overrides.get("federation", {}),
                                             "server_overrides": overrides, "ca_file": str(self.ca_cert)}})
        for server in self.servers.values():
            server.start()

    @property
    def links(self):
        return self.relay if self.relay is not None else self.namespaces

    def partition(self, group_a: Iterable[str], group_b: Iterable[str]) -> None:
        """Cuts every link between the two groups, both ways."""
        group_b = list(group_b)
        for a in group_a:
            for b in group_b:
                self.links.set_cut(a, b, True)
                self.links.set_cut(b, a, True)

    def heal(self) -> None:
        """Restores every link."""
        for a, b in list(self.links.cut):
            self.links.set_cut(a, b, False)

    def restart(self, name: str) -> None:
        """Stops the server gracefully and starts it again on the same folder and database."""
        server = self.servers[name]
        server.stop()
        server.start()

    def client(self, name: str) -> Client:
        return self.servers[name].client()

    def close(self) -> None:
        for server in self.servers.values():
            if server.alive():
                server.stop()
            server.cleanup()
        if self.relay is not None:
            self.relay.close()
        if self.namespaces is not None:
            self.namespaces.close()


def state_fingerprint(client: Client, token: str, room_id: str) -> tuple[str, dict[tuple[str, str], str]]:
    """The room's current state as one server sees it: (hash, {(type, state_key): event_id})."""
    response = client.get(f"/_matrix/client/v3/rooms/{room_id}/state",
                          headers={"Authorization": f"Bearer {token}"})
    if response.status != 200:
        raise RuntimeError(f"state of {room_id}: {response.status} {response.body[:200]!r}")
    state = {(event["type"], event["state_key"]): event["event_id"] for event in response.json()}
    digest = hashlib.sha256(json.dumps(sorted(state.items())).encode()).hexdigest()
    return digest, state


def state_differences(views: dict[str, dict[tuple[str, str], str]]) -> list[str]:
    """Human-readable differences between several servers' state maps (empty when they agree)."""
    keys = set().union(*(view.keys() for view in views.values())) if views else set()
    lines = []
    for key in sorted(keys):
        seen = {name: view.get(key) for name, view in views.items()}
        if len(set(seen.values())) > 1:
            lines.append(f"{key[0]}/{key[1]!r}: " + ", ".join(f"{n}={e}" for n, e in seen.items()))
    return lines


def converged(clients: dict[str, tuple[Client, str]], room_id: str) -> Optional[list[str]]:
    """None when every server reports the same current state for `room_id`, else the differences.
    `clients` maps a server name to (client, access token of a member on that server)."""
    views = {}
    hashes = set()
    for name, (client, token) in clients.items():
        digest, state = state_fingerprint(client, token, room_id)
        views[name] = state
        hashes.add(digest)
    return None if len(hashes) == 1 else state_differences(views)


# What mesh suites usually run with: no rate limits, cheap password hashing.
TEST_OVERRIDES = {"rate_limits": {"enabled": False}, "password_hashing": {"memory_kib": 8, "iterations": 1}}


def mesh_fixture(size: int = 2, overrides: Optional[dict] = None, modes: tuple[str, ...] = ("loopback",)):
    """A module-scoped pytest fixture named `mesh`: a started loopback mesh of `size` servers
    configured with TEST_OVERRIDES plus `overrides` (`mesh = mesh_fixture(2)` at module level).
    With several `modes` ("loopback", "netns") the suite runs once per mode; netns is skipped,
    with the reason, where namespaces cannot be made."""
    import pytest  # here, not at the top: tools/mesh/mesh.py imports this module without pytest

    @pytest.fixture(scope="module", name="mesh", params=list(modes) if len(modes) > 1 else None)
    def started(request, tmp_path_factory):
        mode = getattr(request, "param", modes[0])
        if mode == "netns" and (reason := netns_unavailable()):
            pytest.skip(reason)
        instance = Mesh(tmp_path_factory.mktemp("mesh"), size, overrides={**TEST_OVERRIDES, **(overrides or {})},
                        mode=mode)
        try:
            instance.start()
            yield instance
        finally:
            instance.close()
    return started

#!/usr/bin/env python3
"""Runs a local federation mesh: N ranvier servers on this machine that federate with each other.

  tools/mesh/mesh.py up [-n 3] [--dir DIR] [--database sqlite|postgres] [--mode loopback|netns]
      starts hs1.mesh.test … hsN.mesh.test and stays in the foreground (Ctrl-C stops them all);
      prints each server's client URL. loopback (default): the servers reach each other through
      relays the mesh controls, so links can be cut without root. netns (root): one network
      namespace per server on a bridge; cuts are iptables DROP rules.
  tools/mesh/mesh.py ctl [--dir DIR] partition hs1 hs2,hs3   cut hs1 off from hs2 and hs3
  tools/mesh/mesh.py ctl [--dir DIR] heal                   restore every link
  tools/mesh/mesh.py ctl [--dir DIR] restart hs2            stop and start hs2 on its data
  tools/mesh/mesh.py ctl [--dir DIR] status                 servers, ports, cut links

Servers use build/server/app/ranvier (or $RANVIER_BIN). With --database postgres each server
gets its own database on the PostgreSQL that ci/postgres.sh starts.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "conformance"))

from harness.mesh import MESH_DOMAIN, Mesh  # noqa: E402


def full_name(short: str) -> str:
    return short if short.endswith(MESH_DOMAIN) else f"{short}.{MESH_DOMAIN}"


def names(argument: str) -> list[str]:
    return [full_name(part) for part in argument.split(",") if part]


def handle(mesh: Mesh, command: list[str]) -> dict:
    """Carries out one control command and returns its JSON answer."""
    if not command:
        return {"error": "empty command"}
    verb, rest = command[0], command[1:]
    if verb == "partition" and len(rest) == 2:
        mesh.partition(names(rest[0]), names(rest[1]))
    elif verb == "heal" and not rest:
        mesh.heal()
    elif verb == "restart" and len(rest) == 1:
        mesh.restart(full_name(rest[0]))
    elif verb != "status":
        return {"error": f"unknown command {' '.join(command)!r}"}
    return status(mesh)


def status(mesh: Mesh) -> dict:
    return {
        "servers": {name: {"client": f"http://{server.host}:{server.client_port}",
                           "federation_port": server.federation_port, "running": server.alive(),
                           "folder": str(server.workdir)}
                    for name, server in mesh.servers.items()},
        "mode": mesh.mode,
        "cut_links": sorted(f"{a}->{b}" for a, b in mesh.links.cut),
    }


def serve_control(mesh: Mesh, path: Path, stop: threading.Event) -> None:
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen()
    listener.settimeout(0.5)
    while not stop.is_set():
        try:
            connection, _ = listener.accept()
        except socket.timeout:
            continue
        with connection:
            request = json.loads(connection.makefile().readline() or "[]")
            try:
                answer = handle(mesh, request)
            except Exception as error:  # a failed restart must not take the mesh down
                answer = {"error": str(error)}
            connection.sendall((json.dumps(answer) + "\n").encode())
    listener.close()
    path.unlink(missing_ok=True)


def up(args: argparse.Namespace) -> int:
    folder = Path(args.dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if args.database == "postgres":
        subprocess.run([str(ROOT / "ci/postgres.sh"), "start"], check=True, stdout=sys.stderr)
        url = subprocess.run([str(ROOT / "ci/postgres.sh"), "url"], check=True, capture_output=True,
                             text=True).stdout.strip()
        os.environ["RANVIER_TEST_DATABASE"] = url
    else:
        os.environ["RANVIER_TEST_DATABASE"] = "sqlite"
    mesh = Mesh(folder, args.n, mode=args.mode)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        mesh.start()
        print(json.dumps(status(mesh), indent=2), flush=True)
        print(f"mesh up; control with: {sys.argv[0]} ctl --dir {folder} status|partition|heal|restart",
              flush=True)
        serve_control(mesh, folder / "control.sock", stop)
    finally:
        mesh.close()
    return 0


def ctl(args: argparse.Namespace) -> int:
    path = Path(args.dir).resolve() / "control.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(str(path))
        connection.sendall((json.dumps(args.command) + "\n").encode())
        answer = json.loads(connection.makefile().readline())
    print(json.dumps(answer, indent=2))
    return 1 if "error" in answer else 0


def main() -> int:
    parser = argparse.ArgumentParser(description="A local Ranvier federation mesh.")
    commands = parser.add_subparsers(dest="verb", required=True)
    start = commands.add_parser("up", help="start the mesh in the foreground")
    start.add_argument("-n", type=int, default=3, help="number of servers (default 3)")
    start.add_argument("--dir", default="mesh", help="folder for the servers' data (default ./mesh)")
    start.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    start.add_argument("--mode", choices=["loopback", "netns"], default="loopback",
                       help="how servers are linked (netns needs root)")
    control = commands.add_parser("ctl", help="control a running mesh")
    control.add_argument("--dir", default="mesh")
    control.add_argument("command", nargs="+")
    args = parser.parse_args()
    if args.verb == "up":
        if args.n < 1:
            parser.error("-n must be at least 1")
        return up(args)
    return ctl(args)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The Romeo and Juliet workload on a federation mesh: N Ranvier servers (tools/mesh), each
playing the whole text with its own users at the same time, all into one room created on hs1
and joined over federation. Reports the time until every server holds every message and
whether the servers end with the identical room (the same messages, the same state).

Usage:
  tools/bench/mesh_romeo_juliet.py [-n 3] [--database sqlite|postgres] [--mode loopback|netns]
      [--lines N] (play only the first N lines, for a quick run)

Standard library plus the conformance harness (PyYAML, as the conformance suite uses).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "conformance"))

from bench_server import Matrix, quote  # noqa: E402
from harness.mesh import Mesh, converged, server_name  # noqa: E402
from harness.client import Client  # noqa: E402
from romeo_juliet import DEFAULT_TEXT, Play, parse_play  # noqa: E402

SETTLE_TIMEOUT_S = float(os.environ.get("MESH_SETTLE_TIMEOUT", "600"))


def message_ids(url: str, token: str, room_id: str) -> list[str]:
    """Every m.room.message event ID the server shows in the room, oldest first."""
    reader = Matrix(url)
    reader.token = token
    ids, page_from = [], None
    try:
        while True:
            query = "dir=f&limit=1000" + (f"&from={quote(page_from)}" if page_from else "")
            page = reader.call("GET", f"/rooms/{quote(room_id)}/messages?{query}")
            ids += [e["event_id"] for e in page.get("chunk", []) if e.get("type") == "m.room.message"]
            page_from = page.get("end")
            if not page.get("chunk") or not page_from:
                return ids
    finally:
        reader.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=3, help="servers in the mesh (default 3)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--mode", choices=["loopback", "netns"], default="loopback")
    parser.add_argument("--lines", type=int, default=None, help="play only the first N lines")
    args = parser.parse_args()

    spoken = parse_play(DEFAULT_TEXT.read_text(encoding="utf-8"))[:args.lines]
    if args.database == "postgres":
        subprocess.run([str(ROOT / "ci/postgres.sh"), "start"], check=True, stdout=sys.stderr)
        os.environ["RANVIER_TEST_DATABASE"] = subprocess.run(
            [str(ROOT / "ci/postgres.sh"), "url"], check=True, capture_output=True, text=True).stdout.strip()
    else:
        os.environ["RANVIER_TEST_DATABASE"] = "sqlite"
    mesh = Mesh(Path(tempfile.mkdtemp(prefix="ranvier-mesh-bench-")), args.n, mode=args.mode,
                overrides={"rate_limits": {"enabled": False}, "log": {"requests": os.environ.get("MESH_LOG_REQUESTS") == "1"},
                           "password_hashing": {"memory_kib": 8, "iterations": 1}})
    mesh.start()
    plays: list[Play] = []
    try:
        urls = {name: f"http://{s.host}:{s.client_port}" for name, s in mesh.servers.items()}
        hs1 = server_name(1)
        first = Play(urls[hs1], spoken, "_hs1")
        first.user(spoken[0][0])  # creates the room on hs1
        plays.append(first)
        for index in range(2, args.n + 1):
            play = Play(urls[server_name(index)], spoken, f"_hs{index}", room_id=first.room_id, via=hs1)
            # Every server is in the room before the first line: history from before a server
            # joined reaches it only by backfill, which this workload does not measure.
            play.user(spoken[0][0])
            plays.append(play)
        print(f"{args.n} servers ({args.mode}, {args.database}); {len(spoken)} lines each into {first.room_id}")

        errors: list[BaseException] = []

        def run(play: Play) -> None:
            try:
                play.run()
            except BaseException as error:  # reported below; the other plays go on
                errors.append(error)

        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(play,)) for play in plays]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        played = time.perf_counter() - started
        if errors:
            print(f"a play failed: {errors[0]!r}")
            return 1
        expected = len(spoken) * args.n
        print(f"all plays done after {played:.1f} s ({expected / played:.0f} sends/s over the mesh)")

        readers = {name: (urls[name], play.users[spoken[0][0]].token) for name, play in
                   zip(urls, plays)}
        counts: dict[str, int] = {}
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while time.monotonic() < deadline:
            counts = {name: len(message_ids(url, token, first.room_id)) for name, (url, token) in readers.items()}
            if all(count == expected for count in counts.values()):
                break
            if int(time.monotonic()) % 10 == 0:
                print(f"  waiting: {counts}", flush=True)
            time.sleep(1)
        settled = time.perf_counter() - started
        print(f"messages per server: {counts} (expected {expected} each); "
              f"every server complete after {settled:.1f} s")
        ids = {name: sorted(message_ids(url, token, first.room_id)) for name, (url, token) in readers.items()}
        same_messages = len({tuple(v) for v in ids.values()}) == 1
        clients = {}
        for name, (url, token) in readers.items():
            server = mesh.servers[name]
            clients[name] = (Client(server.host, server.client_port, timeout=60), token)
        differences = converged(clients, first.room_id)
        for client, _ in clients.values():
            client.close()
        print(f"identical messages on every server: {same_messages}; identical state: {differences is None}")
        if differences:
            print("\n".join(differences[:20]))
        return 0 if same_messages and differences is None and all(c == expected for c in counts.values()) else 1
    finally:
        for play in plays:
            play.close()
        mesh.close()


if __name__ == "__main__":
    sys.exit(main())

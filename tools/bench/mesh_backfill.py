#!/usr/bin/python3
"""Paging back through history held on another server (server-server API, "Backfilling and
retrieving missing events"). A two-server mesh (tools/mesh); a public room on hs1 gets N
messages, a user on hs2 joins it (hs2 then holds the room from the join on), and pages back
with /messages to the room's creation: every page past the join makes hs2 backfill from hs1.
Reports the wall time of that first walk back (backfill included) and of a second one (all
local by then), and checks that every message came back once, in order.

Usage:
  tools/bench/mesh_backfill.py [--messages 1000] [--page 100] [--database sqlite|postgres]

Standard library plus the conformance harness (PyYAML and PyNaCl from Debian, as the conformance
suite uses: hence /usr/bin/python3).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "conformance"))

from harness.checks import assert_json_response  # noqa: E402
from harness.mesh import Mesh, server_name  # noqa: E402
from harness.rooms import all_messages, create_room, new_user, path, text  # noqa: E402


def walk_back(client, token: str, room_id: str, page: int) -> tuple[list[dict], float]:
    start = time.monotonic()
    events = all_messages(client, token, room_id, dir="b", limit=page, max_pages=100000)
    return events, time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1000, help="messages on hs1 before the join (default 1000)")
    parser.add_argument("--page", type=int, default=100, help="/messages limit per page (default 100)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    if args.database == "postgres":
        subprocess.run([str(ROOT / "ci/postgres.sh"), "start"], check=True, stdout=sys.stderr)
        os.environ["RANVIER_TEST_DATABASE"] = subprocess.run(
            [str(ROOT / "ci/postgres.sh"), "url"], check=True, capture_output=True, text=True).stdout.strip()
    else:
        os.environ["RANVIER_TEST_DATABASE"] = "sqlite"
    with tempfile.TemporaryDirectory(prefix="ranvier-mesh-backfill-") as folder:
        mesh = Mesh(Path(folder), 2, overrides={"rate_limits": {"enabled": False},
                                                "password_hashing": {"memory_kib": 8, "iterations": 1}})
        try:
            mesh.start()
            hs1, hs2 = mesh.client(server_name(1)), mesh.client(server_name(2))
            _, alice = new_user(hs1, "alice")
            _, bob = new_user(hs2, "bob")
            room_id = create_room(hs1, alice, preset="public_chat")
            sent = [f"message {i}" for i in range(args.messages)]
            for body in sent:
                text(hs1, alice, room_id, body)
            assert_json_response(hs2.post(path("join", room_id, query={"via": server_name(1)}), token=bob,
                                          json_body={}))
            events, first = walk_back(hs2, bob, room_id, args.page)
            seen = [e["content"]["body"] for e in events if e["type"] == "m.room.message"]
            if seen != list(reversed(sent)) or events[-1]["type"] != "m.room.create":
                print(f"wrong history: {len(seen)} of {len(sent)} messages, last event {events[-1]['type']}")
                return 1
            _, again = walk_back(hs2, bob, room_id, args.page)
            print(f"{args.database}: {args.messages} messages, pages of {args.page}: first walk back "
                  f"(backfilling) {first:.2f} s, {len(events)} events; second (local) {again:.2f} s")
        finally:
            mesh.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Database bytes per state change (issue 5): does room-state history grow with the number of
state *changes*, or with members × events as a full state copy per event would?

One room, three phases against a fresh server (or --server with --database-url):
  1. joins:    --members users register and join (one member event each);
  2. messages: --messages plain messages from the members (no state change);
  3. changes:  --changes state events: topics, display names (member events) and power levels
               in turn.
After each phase it reads the size of the tables that hold state history (state_groups,
state_group_entries, state_keys, event_state_groups, with their indexes) and their row counts,
and prints the growth per state change and per message. The room's current state
(room_current_state, room_memberships) is one copy per room and is reported apart.

Sizes: SQLite from the dbstat virtual table (the bytes used inside each table's and index's
pages: records, cell headers and pointers, not free space), PostgreSQL from
pg_total_relation_size (whole 8 KiB pages, so ±8 KiB per relation; with the default counts that
is a few per cent of the figures).

Usage:
  tools/bench/state_storage.py [--database sqlite|postgres] [--members 200] [--messages 2000]
                               [--changes 1000]
Standard library only (psql for PostgreSQL).
"""
from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
from dataclasses import dataclass

from bench_server import (WORKLOAD_ERRORS, Matrix, Target, add_server_arguments, quote)

HISTORY_TABLES = ("state_groups", "state_group_entries", "state_keys", "event_state_groups")
CURRENT_TABLES = ("room_current_state", "room_memberships")
PASSWORD = "state-storage-benchmark"


@dataclass
class Footprint:
    """Bytes and rows of a set of tables at one moment."""
    history_bytes: int
    history_rows: int
    entry_rows: int  # state_group_entries alone: the delta rows
    current_bytes: int


def sqlite_table_bytes(connection: sqlite3.Connection, tables: tuple[str, ...]) -> int:
    """Bytes the tables and their indexes use inside their pages (dbstat: page size minus the
    unused part, so cell headers and pointers count but free space does not)."""
    placeholders = ",".join("?" * len(tables))
    row = connection.execute(
        "SELECT COALESCE(SUM(d.pgsize - d.unused), 0) FROM dbstat AS d "
        "JOIN sqlite_schema AS s ON s.name = d.name "
        f"WHERE s.tbl_name IN ({placeholders})", tables).fetchone()
    return int(row[0])


def psql_value(url: str, sql: str) -> int:
    result = subprocess.run(["psql", url, "-X", "-tA", "-c", sql], capture_output=True,
                            text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr.strip()}")
    return int(result.stdout.strip() or 0)


def footprint(database_url: str) -> Footprint:
    def rows_sql(table: str) -> str:
        return f"SELECT COUNT(*) FROM {table}"

    if database_url.startswith("sqlite://"):
        path = database_url[len("sqlite://"):]
        # Read-only next to the running server; WAL mode lets this read a committed snapshot.
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = sum(connection.execute(rows_sql(t)).fetchone()[0] for t in HISTORY_TABLES)
            return Footprint(sqlite_table_bytes(connection, HISTORY_TABLES), rows,
                             connection.execute(rows_sql("state_group_entries")).fetchone()[0],
                             sqlite_table_bytes(connection, CURRENT_TABLES))
        finally:
            connection.close()

    def total(tables: tuple[str, ...]) -> int:
        return psql_value(database_url, "SELECT " + " + ".join(
            f"pg_total_relation_size('{t}')" for t in tables))

    rows = sum(psql_value(database_url, rows_sql(t)) for t in HISTORY_TABLES)
    return Footprint(total(HISTORY_TABLES), rows,
                     psql_value(database_url, rows_sql("state_group_entries")),
                     total(CURRENT_TABLES))


def register(url: str, name: str) -> Matrix:
    client = Matrix(url)
    answer = client.call("POST", "/register", {"username": name, "password": PASSWORD,
                                               "auth": {"type": "m.login.dummy"}})
    client.token = answer["access_token"]
    client.user_id = answer["user_id"]
    return client


def report(label: str, before: Footprint, after: Footprint, count: int, unit: str) -> None:
    grown = after.history_bytes - before.history_bytes
    rows = after.entry_rows - before.entry_rows
    print(f"{label}: {count} {unit}; state history +{grown} bytes "
          f"({grown / count:.0f} bytes per {unit[:-1]}), +{rows} delta rows "
          f"({rows / count:.2f} per {unit[:-1]}), "
          f"+{after.history_rows - before.history_rows} rows in all four tables")


def run(args: argparse.Namespace, target: Target) -> None:
    url = target.url
    database_url = target.database_url
    if not database_url:
        raise SystemExit("--database-url is needed with --server")
    owner = register(url, "owner")
    room_id = owner.call("POST", "/createRoom", {"preset": "public_chat",
                                                 "name": "state storage"})["room_id"]
    room = quote(room_id)
    start = footprint(database_url)
    print(f"after createRoom: state history {start.history_bytes} bytes, "
          f"{start.entry_rows} delta rows")

    members = [register(url, f"member{i}") for i in range(args.members)]
    for member in members:
        member.call("POST", f"/rooms/{room}/join", {})
    joined = footprint(database_url)
    report("joins", start, joined, args.members, "state changes")

    for i in range(args.messages):
        sender = members[i % len(members)] if members else owner
        sender.call("PUT", f"/rooms/{room}/send/m.room.message/m{i}",
                    {"msgtype": "m.text", "body": f"message {i}"})
    messaged = footprint(database_url)
    report("messages", joined, messaged, args.messages, "messages")

    power = owner.call("GET", f"/rooms/{room}/state/m.room.power_levels/")
    for i in range(args.changes):
        kind = i % 3
        if kind == 0:
            owner.call("PUT", f"/rooms/{room}/state/m.room.topic/", {"topic": f"topic {i}"})
        elif kind == 1 and members:
            member = members[(i // 3) % len(members)]
            member.call("PUT", f"/rooms/{room}/state/m.room.member/{quote(member.user_id)}",
                        {"membership": "join", "displayname": f"name {i}"})
        else:
            power.setdefault("users", {})[f"@someone{i % 50}:localhost"] = i % 100
            owner.call("PUT", f"/rooms/{room}/state/m.room.power_levels/", power)
    changed = footprint(database_url)
    report("changes", messaged, changed, args.changes, "state changes")

    state_changes = args.members + args.changes
    history = (changed.history_bytes - messaged.history_bytes) + (
        joined.history_bytes - start.history_bytes)
    print(f"state history per state change over both phases: {history / state_changes:.0f} bytes")
    print(f"current state (room_current_state + room_memberships): {changed.current_bytes} bytes "
          f"for {args.members + 1} members")
    members_now = args.members + 1
    print(f"for scale, a full copy of the state per event would be ≈ {members_now + 6} entries "
          f"per event, {members_now + 6} × {args.messages + args.changes} = "
          f"{(members_now + 6) * (args.messages + args.changes)} rows for phases 2–3; "
          f"stored: {changed.entry_rows - joined.entry_rows}")
    for member in members:
        member.close()
    owner.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=1000)
    args = parser.parse_args()
    with Target(args) as target:
        print(f"server: {target.description}")
        try:
            run(args, target)
        except WORKLOAD_ERRORS as error:
            return target.failed(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())

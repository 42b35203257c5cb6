#!/usr/bin/python3
"""Joining a big room over federation (issue 7: "joining, from hs2, a room on hs1 with 10,000
members: ≤ 5 s"). A two-server mesh (tools/mesh); hs1 gets a public room filled with N local
members, then one user on hs2 joins it through hs1 (make_join/send_join). Reports the time the
fill took, the wall time of the /join request, and checks that hs2 then counts N+1 joined
members and that a message sent on hs2 reaches hs1.

Usage:
  tools/bench/mesh_big_room_join.py [--members 10000] [--database sqlite|postgres]
      [--threads 4] [--log-requests] [--keep-logs DIR] [--callgrind FILE] [--postgres-log]

--callgrind runs hs2 under valgrind's callgrind with instrumentation switched on only for the
/join request (callgrind_control), for a profile of where hs2 spends the join; use a small N.

--postgres-log has the PostgreSQL server log every statement with its duration for the time of
the /join only (ALTER SYSTEM, reverted right after: it affects the whole test cluster for those
seconds), each line prefixed with its database, and prints hs2's statements from that window
(from ci/postgres.sh's server log).

Standard library plus the conformance harness (PyYAML and PyNaCl from Debian, as the conformance
suite uses: hence /usr/bin/python3).
"""
from __future__ import annotations

import argparse
import functools
import os
import shutil
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

from bench_server import PASSWORD, WORKLOAD_ERRORS, Matrix, ServerError, quote  # noqa: E402
from harness.mesh import Mesh, server_name  # noqa: E402

DELIVERY_TIMEOUT_S = 120.0
POSTGRES_LOG = Path(os.environ.get("RANVIER_PG_DIR", "/tmp/ranvier-pg")) / "server.log"


def register(url: str, username: str) -> Matrix:
    """A new user on `url` (m.login.dummy), keeping the access token registration returns."""
    user = Matrix(url, timeout=600)
    answer = user.call("POST", "/register", {"username": username, "password": PASSWORD,
                                             "auth": {"type": "m.login.dummy"}})
    user.token, user.user_id = answer["access_token"], answer["user_id"]
    return user


def fill(url: str, room_id: str, members: int, threads: int) -> float:
    """Registers `members` users on `url` and joins each to the room, spread over `threads`
    connections; returns the seconds it took. Raises the first error any thread met."""
    errors: list[BaseException] = []
    progress = [0]
    lock = threading.Lock()

    def worker(first: int) -> None:
        try:
            for index in range(first, members, threads):
                if errors:
                    return
                user = register(url, f"member{index}")
                try:
                    user.call("POST", f"/join/{quote(room_id)}", {})
                finally:
                    user.close()
                with lock:
                    progress[0] += 1
        except WORKLOAD_ERRORS as error:
            errors.append(error)

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    last_report = started
    while any(thread.is_alive() for thread in workers):
        time.sleep(0.5)
        now = time.perf_counter()
        if now - last_report >= 30:
            print(f"  filled {progress[0]}/{members} after {now - started:.0f} s", flush=True)
            last_report = now
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def joined_count(user: Matrix, room_id: str) -> int:
    return len(user.call("GET", f"/rooms/{quote(room_id)}/joined_members")["joined"])


def wait_for_event(user: Matrix, room_id: str, event_id: str) -> float:
    """Seconds until `user`'s server holds the event; raises TimeoutError past the limit."""
    started = time.perf_counter()
    while time.perf_counter() - started < DELIVERY_TIMEOUT_S:
        try:
            user.call("GET", f"/rooms/{quote(room_id)}/event/{quote(event_id)}")
            return time.perf_counter() - started
        except ServerError as error:
            if error.status != 404:
                raise
        time.sleep(0.05)
    raise TimeoutError(f"{event_id} did not reach {user.user_id}'s server in {DELIVERY_TIMEOUT_S:.0f} s")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def profile(mesh: Mesh, output: Path | None, switch: str) -> None:
    """Switches callgrind's instrumentation of hs2 on or off (nothing without --callgrind)."""
    if output is not None:
        pid = mesh.servers[server_name(2)].process.pid
        subprocess.run(["callgrind_control", "-i", switch, str(pid)], check=True, capture_output=True)


def postgres_logging(on: bool) -> None:
    """Statement logging with durations on the test cluster (ci/postgres.sh), or back off."""
    url = os.environ["RANVIER_TEST_DATABASE"]
    statements = (["ALTER SYSTEM SET log_min_duration_statement = 0",
                   "ALTER SYSTEM SET log_line_prefix = '%m [%p] db=%d '"] if on else
                  ["ALTER SYSTEM RESET log_min_duration_statement", "ALTER SYSTEM RESET log_line_prefix"])
    for statement in [*statements, "SELECT pg_reload_conf()"]:
        subprocess.run(["psql", url, "-qAtc", statement], check=True, capture_output=True)
    time.sleep(0.2)  # backends pick the new settings up at their next command after the SIGHUP


def postgres_log_size() -> int:
    return POSTGRES_LOG.stat().st_size


def print_postgres_log(start: int, database: str) -> None:
    """hs2's statements logged since byte `start` of the server log (with their continuation
    lines), and the sum of their durations."""
    with POSTGRES_LOG.open("rb") as log:
        log.seek(start)
        text = log.read().decode("utf-8", "replace")
    total = 0.0
    keep = False
    for line in text.splitlines():
        if not line.startswith((" ", "\t")):
            keep = f" db={database} " in line
            if keep and "duration: " in line:
                total += float(line.split("duration: ", 1)[1].split(" ", 1)[0])
        if keep:
            print("  pg: " + line[:300])
    print(f"  pg: {database}: statements took {total:.1f} ms in all", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10000, help="local members on hs1 (default 10000)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--threads", type=int, default=4, help="connections filling the room (default 4)")
    parser.add_argument("--log-requests", action="store_true", help="servers log every request with its time")
    parser.add_argument("--keep-logs", type=Path, default=None, help="copy both servers' logs here at the end")
    parser.add_argument("--callgrind", type=Path, default=None,
                        help="run hs2 under callgrind, profiling only the /join, into this file")
    parser.add_argument("--postgres-log", action="store_true",
                        help="log PostgreSQL statements with durations during the /join and print hs2's")
    args = parser.parse_args()

    if args.database == "postgres":
        subprocess.run([str(ROOT / "ci/postgres.sh"), "start"], check=True, stdout=sys.stderr)
        os.environ["RANVIER_TEST_DATABASE"] = subprocess.run(
            [str(ROOT / "ci/postgres.sh"), "url"], check=True, capture_output=True, text=True).stdout.strip()
    else:
        os.environ["RANVIER_TEST_DATABASE"] = "sqlite"
    mesh = Mesh(Path(tempfile.mkdtemp(prefix="ranvier-mesh-bigroom-")), 2,
                overrides={"rate_limits": {"enabled": False}, "log": {"requests": args.log_requests},
                           "password_hashing": {"memory_kib": 8, "iterations": 1}})
    if args.callgrind is not None:
        profiled = mesh.servers[server_name(2)]
        profiled.launcher = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                             f"--callgrind-out-file={args.callgrind.resolve()}"]
        profiled.start = functools.partial(profiled.start, timeout=600)  # valgrind starts slowly
    mesh.start()
    users: list[Matrix] = []
    try:
        hs1, hs2 = server_name(1), server_name(2)
        urls = {name: f"http://{s.host}:{s.client_port}" for name, s in mesh.servers.items()}
        owner = register(urls[hs1], "owner")
        users.append(owner)
        room_id = owner.call("POST", "/createRoom", {"preset": "public_chat", "name": "big room"})["room_id"]
        print(f"2 servers ({args.database}); room {room_id} on {hs1}; load average {load_average()}", flush=True)

        fill_s = fill(urls[hs1], room_id, args.members, args.threads)
        members_hs1 = joined_count(owner, room_id)
        print(f"fill: {args.members} members registered and joined in {fill_s:.1f} s "
              f"({args.members / fill_s:.0f}/s, {args.threads} connections); hs1 counts {members_hs1} joined; "
              f"load average {load_average()}", flush=True)

        visitor = register(urls[hs2], "visitor")
        users.append(visitor)
        load_before = load_average()
        profile(mesh, args.callgrind, "on")
        log_start = 0
        if args.postgres_log:
            log_start = postgres_log_size()
            postgres_logging(True)
        pids = {name: server.process.pid for name, server in mesh.servers.items()}
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        started = time.perf_counter()
        visitor.call("POST", f"/join/{quote(room_id)}?server_name={quote(hs1)}&via={quote(hs1)}", {})
        join_s = time.perf_counter() - started
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
        profile(mesh, args.callgrind, "off")
        if args.postgres_log:
            postgres_logging(False)
            print_postgres_log(log_start, mesh.servers[hs2].database.url.rsplit("/", 1)[1].split("?", 1)[0])
        print(f"join from {hs2} via {hs1}: {join_s:.2f} s (CPU: {hs1} {cpu[hs1]:.2f} s, {hs2} {cpu[hs2]:.2f} s; "
              f"load average before {load_before})", flush=True)

        expected = members_hs1 + 1
        members_hs2 = joined_count(visitor, room_id)
        sent = visitor.call("PUT", f"/rooms/{quote(room_id)}/send/m.room.message/big-room-1",
                            {"msgtype": "m.text", "body": "hello from hs2"})["event_id"]
        delivered_s = wait_for_event(owner, room_id, sent)
        print(f"{hs2} counts {members_hs2} joined (expected {expected}); "
              f"its message reached {hs1} after {delivered_s:.2f} s", flush=True)
        return 0 if members_hs2 == expected else 1
    finally:
        for user in users:
            user.close()
        if args.keep_logs is not None:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            for name, server in mesh.servers.items():
                if server.log_path.exists():
                    shutil.copy(server.log_path, args.keep_logs / f"{name}.log")
        mesh.close()


if __name__ == "__main__":
    sys.exit(main())

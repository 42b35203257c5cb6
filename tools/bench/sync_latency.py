#!/usr/bin/env python3
"""Sync wake-up latency: how long after a message is sent does a waiting /sync deliver it?

Two users share a room. B long-polls GET /sync?since=<next_batch>&timeout=30000 in a loop on
its own thread and keep-alive connection. A sends N messages one at a time; each goes out only
after B's next sync request has been written and --park-ms more have passed (so the server has
parked it), and the next one only after B has received the previous. The wake-up latency of a
message runs from just before A writes its send request to the moment B's sync response that
carries it has been read, both on this process's monotonic clock.

Usage:
  tools/bench/sync_latency.py [--database sqlite|postgres] [-n 500] [--park-ms 20]
  tools/bench/sync_latency.py --server http://127.0.0.1:8008 [--pid PID]
  add --load-generator to measure with the C++ client build/tools/bench/sync_latency_load
  (tools/build.sh --target sync_latency_load) instead of this script's two threads.

Prints p50/p90/p99/max of the wake-up latency and of the send request itself, in ms, and the
send's p50/p90 as a server started here logged it (its own time, without client and network).
Standard library only.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from typing import Optional

from bench_server import (REPO_ROOT, WORKLOAD_ERRORS, Matrix, Target, add_server_arguments,
                          connect, mib, percentile, quote)

SYNC_TIMEOUT_MS = 30000
DEFAULT_LOAD_GENERATOR = REPO_ROOT / "build/tools/bench/sync_latency_load"


class Sleeper(threading.Thread):
    """B: long-polls /sync and timestamps the arrival of each benchmark message."""

    def __init__(self, url: str, token: str, room_id: str, since: str):
        super().__init__(daemon=True)
        self.connection = connect(url, timeout=SYNC_TIMEOUT_MS / 1000 + 30)
        self.token = token
        self.room_id = room_id
        self.since = since
        self.parked = threading.Event()  # set once the next sync request has been written
        self.arrived: dict[str, float] = {}  # message body -> perf_counter at arrival
        self.arrival = threading.Condition()
        self.stopping = False
        self.error: Optional[str] = None
        self.responses = 0
        self.empty_responses = 0  # returned without any benchmark message (timeout or other)

    def run(self) -> None:
        try:
            while not self.stopping:
                path = (f"/_matrix/client/v3/sync?since={quote(self.since)}"
                        f"&timeout={SYNC_TIMEOUT_MS}")
                self.connection.send("GET", path, token=self.token)
                self.parked.set()
                status, body = self.connection.receive()
                received = time.perf_counter()
                if status != 200:
                    raise RuntimeError(f"GET {path} -> {status} {body[:500]!r}")
                self.take(json.loads(body), received)
        except Exception as error:  # reported by the main thread
            if not self.stopping:
                self.error = f"{type(error).__name__}: {error}"
        finally:
            with self.arrival:
                self.arrival.notify_all()

    def take(self, sync: dict, received: float) -> None:
        self.since = sync["next_batch"]
        self.responses += 1
        room = sync.get("rooms", {}).get("join", {}).get(self.room_id, {})
        bodies = [event.get("content", {}).get("body")
                  for event in room.get("timeline", {}).get("events", [])
                  if event.get("type") == "m.room.message"]
        bodies = [body for body in bodies if isinstance(body, str)]
        if not bodies:
            self.empty_responses += 1
            return
        with self.arrival:
            for body in bodies:
                self.arrived.setdefault(body, received)
            self.arrival.notify_all()

    def wait_for(self, body: str, timeout: float) -> Optional[float]:
        """The arrival time of `body`, or None if it did not come within `timeout`."""
        deadline = time.monotonic() + timeout
        with self.arrival:
            while body not in self.arrived:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.error is not None or not self.is_alive():
                    return None
                self.arrival.wait(remaining)
            return self.arrived[body]


def summary(name: str, seconds: list[float]) -> str:
    values = sorted(seconds)
    return (f"{name}: p50 {percentile(values, 0.5) * 1000:.2f} ms, "
            f"p90 {percentile(values, 0.9) * 1000:.2f} ms, "
            f"p99 {percentile(values, 0.99) * 1000:.2f} ms, "
            f"max {values[-1] * 1000:.2f} ms (n={len(values)})")


def print_logged_sends(target: Target, warmup: int) -> None:
    """The benchmark sends' durations from the started server's request log, warm-up left out."""
    logged = sorted(target.logged_ms("PUT", "/send/m.room.message/sync")[warmup:])
    if logged:
        print(f"send as the server logged it: p50 {percentile(logged, 0.5):.2f} ms, "
              f"p90 {percentile(logged, 0.9):.2f} ms (n={len(logged)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("-n", "--messages", type=int, default=500, help="messages to send")
    parser.add_argument("--warmup", type=int, default=5,
                        help="messages sent first and left out of the figures")
    parser.add_argument("--park-ms", type=float, default=20.0,
                        help="wait after B's sync request is written before A sends")
    parser.add_argument("--load-generator", nargs="?", const=str(DEFAULT_LOAD_GENERATOR),
                        help="measure with the C++ load generator (default: "
                             "build/tools/bench/sync_latency_load) instead of this script")
    args = parser.parse_args()
    suffix = f"_{int(time.time() * 1000)}"

    with Target(args) as target:
        print(f"server: {target.description}")
        if args.load_generator:
            sys.stdout.flush()
            code = subprocess.run([args.load_generator, "--server", target.url,
                                   "-n", str(args.messages), "--warmup", str(args.warmup),
                                   "--park-ms", str(args.park_ms)]).returncode
            sys.stdout.flush()
            print_logged_sends(target, args.warmup)
            print(f"server RSS afterwards: {mib(target.rss_kib())}")
            return code
        alice, bob = Matrix(target.url), Matrix(target.url)
        sleeper = None
        try:
            alice.register_and_login("sync_sender" + suffix)
            bob.register_and_login("sync_sleeper" + suffix)
            room_id = alice.call("POST", "/createRoom", {"preset": "public_chat"})["room_id"]
            bob.call("POST", f"/join/{quote(room_id)}", {})
            since = bob.call("GET", "/sync?timeout=0")["next_batch"]
            sleeper = Sleeper(target.url, bob.token, room_id, since)
            sleeper.start()

            wake, send = [], []
            total = args.warmup + args.messages
            for number in range(total):
                if not sleeper.parked.wait(SYNC_TIMEOUT_MS / 1000 + 30):
                    raise RuntimeError(f"B never sent its sync request ({sleeper.error})")
                sleeper.parked.clear()
                time.sleep(args.park_ms / 1000)
                body = f"sync latency {suffix} #{number}"
                path = f"/rooms/{quote(room_id)}/send/m.room.message/sync{number}"
                before = time.perf_counter()
                alice.call("PUT", path, {"msgtype": "m.text", "body": body})
                sent = time.perf_counter()
                arrived = sleeper.wait_for(body, SYNC_TIMEOUT_MS / 1000 + 30)
                if arrived is None:
                    raise RuntimeError(f"message #{number} never reached B's /sync "
                                       f"({sleeper.error or 'no error reported'})")
                if number >= args.warmup:
                    wake.append(arrived - before)
                    send.append(sent - before)
        except (RuntimeError, *WORKLOAD_ERRORS) as error:
            return target.failed(error)
        finally:
            if sleeper is not None:
                sleeper.stopping = True
            alice.close()
            bob.close()

        print(f"{args.messages} messages (+{args.warmup} warm-up), B parked {args.park_ms} ms "
              f"before each send; {sleeper.responses} sync responses, "
              f"{sleeper.empty_responses} without a benchmark message")
        print(summary("sync wake-up (send start -> B has the event)", wake))
        print(summary("send request (PUT .../send)", send))
        print_logged_sends(target, args.warmup)
        print(f"server RSS afterwards: {mib(target.rss_kib())}")
        # B's last long-poll is still open; stopping the server ends it.
        return 0


if __name__ == "__main__":
    sys.exit(main())

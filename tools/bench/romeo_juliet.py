#!/usr/bin/env python3
"""The "Romeo and Juliet" homeserver workload (/work/shared/bench/README.md): every spoken line
of the play becomes one PUT /rooms/{roomId}/send/m.room.message/{txnId} by the user playing its
speaker, sequentially; users are created on first use (register, log in, set the display name,
join the room; the first one creates the public room). 3,287 sends from 58 users.

Usage:
  tools/bench/romeo_juliet.py [--database sqlite|postgres] [--binary build/server/app/ranvier]
  tools/bench/romeo_juliet.py --server http://127.0.0.1:8008 [--pid PID] [--database-url URL]
  add --verify to read the room back with /messages and check every line arrived in order;
  add --load-generator to play with the C++ client build/tools/bench/romeo_juliet_load
  (tools/build.sh --target romeo_juliet_load) instead of this script's own.

Prints total wall time, the time spent in sends, sends/s, per-send p50/p99, the server's RSS
after the workload and the database size. Standard library only.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

from bench_server import (WORKLOAD_ERRORS, Matrix, Target, add_server_arguments, megabytes,
                          mib, percentile, quote)

DEFAULT_TEXT = Path("/work/shared/bench/romeo_and_juliet.txt")
DEFAULT_LOAD_GENERATOR = Path(__file__).resolve().parents[2] / "build/tools/bench/romeo_juliet_load"
EXPECTED_SENDS = 3287
EXPECTED_SPEAKERS = 58
STAGE_DIRECTION = "STAGE DIRECTION"
ACTS = "ACTS"
# Characters of a user ID's localpart (client-server spec, "User Identifiers").
NOT_IN_LOCALPART = re.compile(r"[^a-z0-9._=\-/+]")


def parse_play(text: str) -> list[tuple[str, str]]:
    """(speaker, line) per spoken line, by the workload's rules: an indented line is said by
    the current speaker; a line starting with ACT is said by ACTS; a blank line makes the stage
    direction the speaker; any other line names the next speaker, and the line after it is
    skipped."""
    lines = text.split("\n")
    spoken = []
    speaker = STAGE_DIRECTION
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip():
            speaker = STAGE_DIRECTION
        elif line.startswith(" "):
            spoken.append((speaker, line.strip()))
        elif line.startswith("ACT"):
            spoken.append((ACTS, line.strip()))
        else:
            speaker = line.strip()
            index += 1
    return spoken


def usernames(speakers: list[str], suffix: str) -> dict[str, str]:
    """One distinct localpart per speaker, in order of first appearance: lower case, characters
    a localpart may not hold become '_'. Speakers that differ only in case ("Nurse", "NURSE")
    are different users, so a clash gets a counter."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for speaker in speakers:
        if speaker in names:
            continue
        base = NOT_IN_LOCALPART.sub("_", speaker.lower()) + suffix
        name, counter = base, 1
        while name in taken:
            counter += 1
            name = f"{base}_{counter}"
        taken.add(name)
        names[speaker] = name
    return names


class Play:
    """Runs the workload against one server and keeps the timings."""

    def __init__(self, url: str, spoken: list[tuple[str, str]], suffix: str,
                 room_id: Optional[str] = None, via: Optional[str] = None):
        """`room_id`/`via`: play into an existing room, joined through the server `via` (a
        room on another server of a federation mesh)."""
        self.url = url
        self.via = via
        self.spoken = spoken
        self.names = usernames([speaker for speaker, _ in spoken], suffix)
        self.alias = "romeo_and_juliet" + suffix
        self.users: dict[str, Matrix] = {}
        self.room_id: Optional[str] = room_id
        self.send_seconds: list[float] = []
        self.setup_seconds = 0.0
        self.event_ids: list[str] = []

    def user(self, speaker: str) -> Matrix:
        """The speaker's logged-in client, created and joined on first use."""
        client = self.users.get(speaker)
        if client is not None:
            return client
        started = time.perf_counter()
        client = Matrix(self.url)
        client.register_and_login(self.names[speaker])
        client.call("PUT", f"/profile/{quote(client.user_id)}/displayname",
                    {"displayname": speaker})
        if self.room_id is None:
            created = client.call("POST", "/createRoom", {
                "preset": "public_chat", "room_alias_name": self.alias,
                "name": "Romeo and Juliet"})
            self.room_id = created["room_id"]
        else:
            via = f"?via={quote(self.via)}" if self.via else ""
            client.call("POST", f"/join/{quote(self.room_id)}{via}", {})
        self.users[speaker] = client
        self.setup_seconds += time.perf_counter() - started
        return client

    def run(self) -> float:
        """Plays the whole text; returns the wall time."""
        started = time.perf_counter()
        for number, (speaker, line) in enumerate(self.spoken, 1):
            client = self.user(speaker)
            path = f"/rooms/{quote(self.room_id)}/send/m.room.message/{number}"
            before = time.perf_counter()
            response = client.call("PUT", path, {"msgtype": "m.text", "body": line})
            self.send_seconds.append(time.perf_counter() - before)
            self.event_ids.append(response["event_id"])
        return time.perf_counter() - started

    def verify(self) -> list[str]:
        """Reads the room forwards with /messages; returns the differences from the text."""
        reader = next(iter(self.users.values()))
        found = []
        token = None
        while True:
            query = "dir=f&limit=1000" + (f"&from={quote(token)}" if token else "")
            page = reader.call("GET", f"/rooms/{quote(self.room_id)}/messages?{query}")
            for event in page.get("chunk", []):
                if event.get("type") == "m.room.message" and "state_key" not in event:
                    found.append((event.get("sender"), event.get("content", {}).get("body"),
                                  event.get("event_id")))
            token = page.get("end")
            if not page.get("chunk") or not token:
                break
        expected = [(self.users[speaker].user_id, line) for speaker, line in self.spoken]
        problems = []
        if len(found) != len(expected):
            problems.append(f"{len(found)} messages in the room, {len(expected)} sent")
        for index, ((sender, body, event_id), (want_sender, want_body)) in enumerate(
                zip(found, expected)):
            if (sender, body) != (want_sender, want_body) or event_id != self.event_ids[index]:
                problems.append(f"message {index + 1}: got {sender} {body!r} {event_id}, "
                                f"sent {want_sender} {want_body!r} {self.event_ids[index]}")
                if len(problems) > 10:
                    break
        return problems

    def close(self) -> None:
        for client in self.users.values():
            client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT, help="the play")
    parser.add_argument("--suffix", default=None,
                        help="appended to usernames and the room alias (default: none on a "
                             "fresh server, _<unix ms> with --server)")
    parser.add_argument("--verify", action="store_true",
                        help="afterwards check with /messages that every line arrived in order")
    parser.add_argument("--parse-only", action="store_true",
                        help="only parse the text and print the counts")
    parser.add_argument("--load-generator", nargs="?", const=str(DEFAULT_LOAD_GENERATOR),
                        help="play with the C++ load generator (default: "
                             "build/tools/bench/romeo_juliet_load) instead of this script's "
                             "client; the server-side figures are still reported here")
    args = parser.parse_args()

    spoken = parse_play(args.text.read_text(encoding="utf-8"))
    speakers = {speaker for speaker, _ in spoken}
    print(f"parsed {len(spoken)} sends from {len(speakers)} speakers "
          f"({len(set(usernames(list(speakers), '').values()))} distinct usernames)")
    if args.text == DEFAULT_TEXT:
        assert len(spoken) == EXPECTED_SENDS, f"{len(spoken)} sends, expected {EXPECTED_SENDS}"
        assert len(speakers) == EXPECTED_SPEAKERS, \
            f"{len(speakers)} speakers, expected {EXPECTED_SPEAKERS}"
    if args.parse_only:
        return 0
    suffix = args.suffix if args.suffix is not None else (
        f"_{int(time.time() * 1000)}" if args.server else "")

    with Target(args) as target:
        print(f"server: {target.description}")
        if args.load_generator:
            return run_load_generator(args, target, suffix)
        play = Play(target.url, spoken, suffix)
        try:
            return report(play, target, play.run(), args.verify)
        except WORKLOAD_ERRORS as error:
            return target.failed(error)
        finally:
            play.close()


def print_server_figures(target: Target, rss: Optional[int], size: Optional[int]) -> None:
    """The send durations the server logged, its RSS and the database size."""
    logged = target.logged_ms("PUT", "/send/m.room.message/")
    if logged:
        print(f"  as the server logged them: {sum(logged) / 1000:.3f} s in total, "
              f"p50 {percentile(sorted(logged), 0.5):.2f} ms (the rest is client and network)")
    print(f"server RSS after the workload: {mib(rss)}")
    print(f"database size: {megabytes(size)}")


def run_load_generator(args: argparse.Namespace, target: Target, suffix: str) -> int:
    """Runs the C++ load generator against the target, then adds the server-side figures
    (logged send durations, RSS, database size) before it verifies."""
    command = [args.load_generator, "--server", target.url, "--text", str(args.text),
               "--suffix", suffix]
    if args.verify:
        command += ["--verify", "--wait-before-verify"]
    generator = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert generator.stdin is not None and generator.stdout is not None
    for line in generator.stdout:
        if line.strip() == "workload done":
            break
        print(line, end="")
    else:
        generator.wait()
        return target.failed(RuntimeError(f"the load generator exited with {generator.returncode}"))
    print_server_figures(target, target.rss_kib(), target.database_bytes())
    sys.stdout.flush()
    if args.verify:
        generator.stdin.write("\n")  # RSS is read: go on with the verification
    generator.stdin.close()
    for line in generator.stdout:
        print(line, end="")
    return generator.wait()


def report(play: Play, target: Target, wall: float, verify: bool) -> int:
    """Prints the figures (RSS and size right after the workload), then verifies if asked."""
    rss = target.rss_kib()
    size = target.database_bytes()
    latencies = sorted(play.send_seconds)
    send_total = sum(latencies)
    print(f"room {play.room_id}, {len(play.users)} users, {len(latencies)} sends")
    print(f"total wall time: {wall:.3f} s (user setup {play.setup_seconds:.3f} s: "
          f"register + login + display name + join/create, {len(play.users)} users)")
    print(f"send phase: {send_total:.3f} s, {len(latencies) / send_total:.0f} sends/s")
    print(f"per-send latency: p50 {percentile(latencies, 0.5) * 1000:.2f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.2f} ms, "
          f"max {latencies[-1] * 1000:.2f} ms")
    print_server_figures(target, rss, size)
    if not verify:
        return 0
    problems = play.verify()
    if problems:
        print("verify FAILED:\n  " + "\n  ".join(problems))
        return 1
    print(f"verify: all {len(play.spoken)} lines in the room, in order, from the right senders")
    return 0


if __name__ == "__main__":
    sys.exit(main())

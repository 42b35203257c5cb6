#!/usr/bin/python3
"""/keys/query for many users: 100 users with 5 devices each upload signed device keys, then
one user asks for all their devices in one POST /keys/query, --repeat times, one request at a
time over a keep-alive connection.

Usage:
  /usr/bin/python3 tools/bench/keys_query.py [--database sqlite|postgres] [--users 100]
      [--devices 5] [--repeat 300]
  /usr/bin/python3 tools/bench/keys_query.py --server http://127.0.0.1:8008 [--pid PID]

Prints p50/p90/p99/max of the query as the client saw it (request written to response read,
before decoding) and as the server logged it, and the response size. Needs PyNaCl (Debian python3-nacl) to sign the device keys the server checks.
"""
from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import nacl.signing

from bench_server import (PASSWORD, WORKLOAD_ERRORS, Matrix, Target, add_server_arguments, mib,
                          percentile)

WARM_UP = 10


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def signed_device_keys(user_id: str, device_id: str) -> dict:
    key = nacl.signing.SigningKey.generate()
    keys = {"user_id": user_id, "device_id": device_id,
            "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
            "keys": {f"curve25519:{device_id}": b64(bytes(32)),
                     f"ed25519:{device_id}": b64(bytes(key.verify_key))}}
    canonical = json.dumps(keys, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    keys["signatures"] = {user_id: {f"ed25519:{device_id}": b64(key.sign(canonical).signature)}}
    return keys


def set_up_user(url: str, index: int, devices: int) -> str:
    """Registers one user, logs in on devices - 1 more devices, uploads keys for each."""
    name = f"keys_{index}"
    first = Matrix(url)
    first.register_and_login(name)
    sessions = [first]
    for _ in range(devices - 1):
        session = Matrix(url)
        login = session.call("POST", "/login", {"type": "m.login.password",
                                                "identifier": {"type": "m.id.user", "user": name},
                                                "password": PASSWORD})
        session.token, session.user_id = login["access_token"], login["user_id"]
        sessions.append(session)
    for session in sessions:
        device_id = session.call("GET", "/account/whoami")["device_id"]
        session.call("POST", "/keys/upload", {"device_keys": signed_device_keys(session.user_id, device_id)})
        session.close()
    return first.user_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--devices", type=int, default=5, help="devices per user")
    parser.add_argument("--repeat", type=int, default=300, help="measured queries")
    args = parser.parse_args()
    with Target(args) as target:
        try:
            print(f"target: {target.description}")
            started = time.perf_counter()
            # register_and_login already made one device; the first user also logs in once more
            # below, as the asker.
            with ThreadPoolExecutor(max_workers=2) as pool:
                users = list(pool.map(lambda i: set_up_user(target.url, i, args.devices), range(args.users)))
            print(f"set-up: {args.users} users x {args.devices} devices with keys in "
                  f"{time.perf_counter() - started:.1f} s")
            asker = Matrix(target.url)
            asker.register_and_login("keys_asker")
            body = json.dumps({"device_keys": {user: [] for user in users}}).encode()
            timings = []
            size = 0
            for n in range(WARM_UP + args.repeat):
                # Timed from writing the request to having read the whole response; decoding
                # the JSON (a few ms in Python for this size) is the client's, and comes after.
                began = time.perf_counter()
                asker.http.send("POST", "/_matrix/client/v3/keys/query", body, asker.token)
                status, raw = asker.http.receive()
                elapsed = (time.perf_counter() - began) * 1000
                if status != 200:
                    raise ValueError(f"/keys/query answered {status}: {raw[:300]!r}")
                if n >= WARM_UP:
                    timings.append(elapsed)
                response = json.loads(raw)
                found = sum(len(devices) for devices in response["device_keys"].values())
                if found != args.users * args.devices:
                    raise ValueError(f"the query returned {found} devices, not {args.users * args.devices}")
                size = len(raw)
            asker.close()
        except WORKLOAD_ERRORS as error:
            return target.failed(error)
        timings.sort()
        logged = sorted(target.logged_ms("POST", "/keys/query")[WARM_UP:])

        def summary(values: list[float]) -> str:
            if not values:
                return "n/a"
            return " / ".join(f"{percentile(values, f):.2f}" for f in (0.5, 0.9, 0.99)) + \
                f" / {values[-1]:.2f} ms"

        print(f"/keys/query for {args.users} users x {args.devices} devices, {args.repeat} requests "
              f"(after {WARM_UP} warm-up), response {size / 1024:.0f} KiB")
        print(f"  client side  p50 / p90 / p99 / max: {summary(timings)}")
        print(f"  server log   p50 / p90 / p99 / max: {summary(logged)}")
        print(f"  RSS after: {mib(target.rss_kib())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

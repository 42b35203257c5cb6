#!/usr/bin/env python3
"""Foundation figures for docs/benchmarks.md (issue 2):

1. start-up to ready (READY=1 on NOTIFY_SOCKET) of `ranvier serve` on an existing SQLite database;
2. idle RSS after start-up (VmRSS from /proc);
3. GET /_matrix/client/versions with keep-alive under wrk, next to nginx serving the same bytes
   from the same machine in the same run.

Usage: tools/bench/foundation_bench.py [--binary build/server/app/ranvier] [--seconds 10]
Needs wrk and nginx (ci/install-deps.sh installs both). Loopback only; every load is bounded.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_ranvier(binary, config, log):
    """Starts `ranvier serve` and returns (process, seconds until READY=1)."""
    sock_path = tempfile.mktemp(prefix="ranvier-notify-")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(10)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    started = time.perf_counter()
    proc = subprocess.Popen([binary, "serve", "--config", config], env=env, stderr=log, stdout=log)
    try:
        while True:
            msg = sock.recv(4096).decode()
            if "READY=1" in msg:
                return proc, time.perf_counter() - started
    finally:
        sock.close()
        os.unlink(sock_path)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=15)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def wrk(url, seconds, threads=2, connections=50):
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", url],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/server/app/ranvier")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--startups", type=int, default=10)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="ranvier-bench-")
    os.chmod(work, 0o755)  # nginx workers run unprivileged and must read the document root
    client_port, fed_port, nginx_port = free_port(), free_port(), free_port()
    subprocess.run([binary, "init", "--server-name", "localhost", "--dir", work,
                    "--client-listen", f"127.0.0.1:{client_port}",
                    "--federation-listen", f"127.0.0.1:{fed_port}"], check=True, capture_output=True)
    config = os.path.join(work, "ranvier.yaml")
    results = {}
    with open(os.path.join(work, "server.log"), "wb") as log:
        # First start creates and migrates the database; the measured ones reuse it.
        proc, _ = start_ranvier(binary, config, log)
        stop(proc)
        times = []
        for _ in range(args.startups):
            proc, seconds = start_ranvier(binary, config, log)
            times.append(seconds)
            stop(proc)
        results["startup_ms_median"] = statistics.median(times) * 1000
        results["startup_ms_max"] = max(times) * 1000

        proc, _ = start_ranvier(binary, config, log)
        time.sleep(1)
        results["idle_rss_kib"] = rss_kib(proc.pid)
        url = f"http://127.0.0.1:{client_port}/_matrix/client/versions"
        body = urllib.request.urlopen(url).read()

        site = os.path.join(work, "nginx")
        os.makedirs(os.path.join(site, "_matrix/client"))
        with open(os.path.join(site, "_matrix/client/versions"), "wb") as f:
            f.write(body)
        nginx_conf = os.path.join(work, "nginx.conf")
        with open(nginx_conf, "w") as f:
            f.write(f"""worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{nginx_port};
    root {site};
    default_type application/json;
  }}
}}
""")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        subprocess.run([nginx, "-c", nginx_conf, "-p", work], check=True)
        try:
            time.sleep(0.5)
            nginx_url = f"http://127.0.0.1:{nginx_port}/_matrix/client/versions"
            assert urllib.request.urlopen(nginx_url).read() == body
            results["ranvier_rps"], ranvier_out = wrk(url, args.seconds)
            results["nginx_rps"], nginx_out = wrk(nginx_url, args.seconds)
            results["rss_after_load_kib"] = rss_kib(proc.pid)
        finally:
            subprocess.run([nginx, "-c", nginx_conf, "-p", work, "-s", "stop"])
        results["exit_code"] = stop(proc)
    results["ratio"] = results["ranvier_rps"] / results["nginx_rps"]
    print(f"start-up to READY=1 (existing SQLite db): median {results['startup_ms_median']:.1f} ms, "
          f"max {results['startup_ms_max']:.1f} ms over {args.startups} starts")
    print(f"idle RSS after start-up: {results['idle_rss_kib'] / 1024:.1f} MiB "
          f"({results['idle_rss_kib']} KiB); after load: {results['rss_after_load_kib'] / 1024:.1f} MiB")
    print(f"GET /_matrix/client/versions, wrk -t2 -c50 -d{args.seconds}s keep-alive:")
    print(f"  ranvier {results['ranvier_rps']:.0f} req/s, nginx {results['nginx_rps']:.0f} req/s, "
          f"ratio {results['ratio'] * 100:.0f} %")
    print(f"  graceful stop exit code: {results['exit_code']}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

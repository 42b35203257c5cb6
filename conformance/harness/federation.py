"""A fake remote homeserver for federation tests, in Python.

`FakeHomeserver` has its own ed25519 key, serves `GET /_matrix/key/v2/server` (and anything a
test registers with `route`) over HTTPS with a certificate from a test CA, and signs requests
to Ranvier with X-Matrix (server-server API, "Request Authentication"). Ranvier reaches it
through `federation.server_overrides` and trusts the CA through `federation.ca_file`:

    ca = CertificateAuthority(tmp / "ca")
    remote = FakeHomeserver("remote.test", ca).start()
    server.configure(federation_config(ca, [remote]))   # before server.start()
    ...
    response = remote.request(server, "GET", "/_matrix/federation/v1/query/profile?user_id=...")
    remote.stop()

Needs PyNaCl (Debian python3-nacl) and the openssl tool.
"""

from __future__ import annotations

import contextlib
import json
import signal
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Optional

import nacl.signing

from .client import Response
from .keys import canonical_json, unpadded_b64, verify_signed_json
from .server import LOOPBACK, RanvierServer, describe_exit

DAY_MS = 24 * 3600 * 1000

# A route handler: (method, path with query, parsed JSON body or None) → (status, JSON body).
Handler = Callable[[str, str, Any], tuple[int, Any]]


def now_ms() -> int:
    return int(time.time() * 1000)


class CertificateAuthority:
    """A throw-away certificate authority issuing server certificates for test names."""

    def __init__(self, folder: Path, days: int = 2):
        """`days`: how long the CA certificate stays valid (a mesh left running wants more)."""
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.cert = self.folder / "ca.crt"
        self.key = self.folder / "ca.key"
        if not self.cert.exists():
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                            "-nodes", "-days", str(days), "-subj", "/CN=Ranvier federation test CA",
                            "-addext", "basicConstraints=critical,CA:TRUE",
                            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                            "-keyout", str(self.key), "-out", str(self.cert)],
                           check=True, capture_output=True)

    def issue(self, name: str) -> tuple[Path, Path]:
        """A certificate and key for `name` (DNS name; also 127.0.0.1 as an IP address)."""
        cert, key = self.folder / f"{name}.crt", self.folder / f"{name}.key"
        if cert.exists():
            return cert, key
        csr = self.folder / f"{name}.csr"
        ext = self.folder / f"{name}.ext"
        ext.write_text(f"subjectAltName=DNS:{name},IP:127.0.0.1\n")
        subprocess.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(csr)],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(self.cert), "-CAkey", str(self.key),
                        "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(cert)],
                       check=True, capture_output=True)
        return cert, key


@dataclass
class RawAnswer:
    """A handler's answer that is not JSON (e.g. multipart/mixed media): sent as it is."""

    content_type: str
    body: bytes


class ReceivedRequest:
    """A request a fake server received: method, target (path and query as sent), headers
    (lower-case names) and parsed JSON body (None without one)."""

    def __init__(self, method: str, target: str, headers: dict[str, str], body: Any):
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"<{self.method} {self.target}>"


def parse_x_matrix(header: str) -> dict[str, str]:
    """The parameters of an `X-Matrix` Authorization header (names lower-cased, quotes and
    backslash escapes removed); {} when it is not one."""
    if not header.lower().startswith("x-matrix "):
        return {}
    params: dict[str, str] = {}
    rest = header[len("x-matrix "):]
    i = 0
    while i < len(rest):
        while i < len(rest) and rest[i] in " \t,":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        name = rest[i:eq].strip().lower()
        i = eq + 1
        if i < len(rest) and rest[i] == '"':
            i += 1
            value = []
            while i < len(rest) and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < len(rest):
                    i += 1
                value.append(rest[i])
                i += 1
            i += 1
            params[name] = "".join(value)
        else:
            end = rest.find(",", i)
            end = len(rest) if end < 0 else end
            params[name] = rest[i:end].strip()
            i = end
    return params


def verify_x_matrix(request: ReceivedRequest, origin: str, origin_keys: dict[str, str],
                    destination: str) -> bool:
    """Whether `request` carries a valid X-Matrix signature by `origin` (key ID → unpadded
    base64 public key) addressed to `destination` (spec: "Request Authentication")."""
    params = parse_x_matrix(request.headers.get("authorization", ""))
    if params.get("origin") != origin or params.get("destination", destination) != destination:
        return False
    key = origin_keys.get(params.get("key", ""))
    if key is None or "sig" not in params:
        return False
    signed: dict[str, Any] = {"method": request.method, "uri": request.target, "origin": origin,
                              "destination": destination,
                              "signatures": {origin: {params["key"]: params["sig"]}}}
    if request.body is not None:
        signed["content"] = request.body
    return verify_signed_json(signed, origin, params["key"], key) is True


def json_request_handler(answer: Callable[[str, str, dict[str, str], Any], tuple[int, Any]],
                         methods: tuple[str, ...] = ("GET", "PUT", "POST")) -> type:
    """A request handler class for the fake servers: each request of `methods` is answered by
    `answer(method, target, headers with lower-case names, parsed JSON body or None)`, which
    returns the status and a JSON-able answer or a RawAnswer."""

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, reply = answer(self.command, self.path, headers, body)
            content_type = "application/json"
            if isinstance(reply, RawAnswer):
                content_type, data = reply.content_type, reply.body
            else:
                data = json.dumps(reply).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    for method in methods:
        setattr(RequestHandler, f"do_{method}", RequestHandler._handle)
    return RequestHandler


def serve_https(ca: CertificateAuthority, certificate_name: str, handler: type,
                thread_name: str) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Serves `handler` over HTTPS on 127.0.0.1 (a free port) with a certificate from `ca` for
    `certificate_name`, on a daemon thread; stop with shutdown() and server_close()."""
    cert, key = ca.issue(certificate_name)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    httpd = ThreadingHTTPServer((LOOPBACK, 0), handler)
    httpd.daemon_threads = True
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, name=thread_name, daemon=True)
    thread.start()
    return httpd, thread


class FakeHomeserver:
    """A remote homeserver named `server_name` listening on 127.0.0.1 with TLS."""

    def __init__(self, server_name: str, ca: CertificateAuthority, key_version: str = "fake1",
                 key_valid_for_ms: int = DAY_MS, certificate_name: Optional[str] = None):
        """`certificate_name`: the name its TLS certificate is issued for (default
        `server_name`; another name makes a server Ranvier must refuse to talk to)."""
        self.server_name = server_name
        self.ca = ca
        self.certificate_name = certificate_name or server_name
        self.signing_key = nacl.signing.SigningKey.generate()
        self.key_id = f"ed25519:{key_version}"
        # valid_until_ts of the published key document; tests may set it into the past.
        self.valid_until_ts = now_ms() + key_valid_for_ms
        self.old_verify_keys: dict[str, dict] = {}
        self.routes: dict[tuple[str, str], Handler] = {}
        # (method, path) of every request received, in order.
        self.requests: list[tuple[str, str]] = []
        # Every request received in full, in order.
        self.received: list[ReceivedRequest] = []
        self._httpd: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self.port = 0

    # --- identity -----------------------------------------------------------------------
    @property
    def verify_key_b64(self) -> str:
        return unpadded_b64(bytes(self.signing_key.verify_key))

    def sign_json(self, obj: dict) -> dict:
        """`obj` with this server's signature added (appendices: "Signing JSON")."""
        signable = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
        signature = unpadded_b64(self.signing_key.sign(canonical_json(signable)).signature)
        signed = dict(obj)
        signed.setdefault("signatures", {})
        signed["signatures"] = {**signed["signatures"],
                                self.server_name: {**signed["signatures"].get(self.server_name, {}),
                                                   self.key_id: signature}}
        return signed

    def key_document(self) -> dict:
        """The self-signed `/_matrix/key/v2/server` response."""
        return self.sign_json({
            "server_name": self.server_name,
            "verify_keys": {self.key_id: {"key": self.verify_key_b64}},
            "old_verify_keys": self.old_verify_keys,
            "valid_until_ts": self.valid_until_ts,
        })

    def sign_request(self, method: str, uri: str, destination: Optional[str], content: Any = None,
                     include_destination: bool = True) -> str:
        """The Authorization header for a request to `destination` (spec example format)."""
        request_json: dict[str, Any] = {"method": method, "uri": uri, "origin": self.server_name,
                                        "destination": destination}
        if content is not None:
            request_json["content"] = content
        signature = self.sign_json(request_json)["signatures"][self.server_name][self.key_id]
        parts = [f'origin="{self.server_name}"']
        if include_destination:
            parts.append(f'destination="{destination}"')
        parts += [f'key="{self.key_id}"', f'sig="{signature}"']
        return "X-Matrix " + ",".join(parts)

    # --- talking to Ranvier -------------------------------------------------------------
    def request(self, target: RanvierServer, method: str, path: str, body: Any = None, *,
                sign: bool = True, destination: Optional[str] = None,
                authorization: Optional[str] = None, timeout: float = 20.0) -> Response:
        """Sends `method path` (path with query, as signed) to `target`'s federation listener,
        signed for `destination` (default: the target's server name) unless `sign` is false or
        `authorization` gives the header outright."""
        headers = {}
        if authorization is not None:
            headers["Authorization"] = authorization
        elif sign:
            headers["Authorization"] = self.sign_request(method, path, destination or target.server_name, body)
        with target.federation(timeout=timeout) as connection:
            return connection.request(method, path, json_body=body, headers=headers)

    # --- serving ------------------------------------------------------------------------
    def route(self, method: str, path: str, handler: Handler) -> None:
        """Answers `method path` (exact path, query ignored) with `handler`."""
        self.routes[(method, path)] = handler

    def _answer(self, method: str, target: str, body: Any) -> tuple[int, Any]:
        path = target.split("?", 1)[0]
        self.requests.append((method, path))
        if method == "GET" and (path == "/_matrix/key/v2/server" or path.startswith("/_matrix/key/v2/server/")):
            return 200, self.key_document()
        if method == "GET" and path == "/_matrix/federation/v1/version":
            return 200, {"server": {"name": "conformance-fake", "version": "0"}}
        handler = self.routes.get((method, path))
        if handler is not None:
            return handler(method, target, body)
        return 404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"}

    def _receive(self, method: str, target: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        self.received.append(ReceivedRequest(method, target, headers, body))
        return self._answer(method, target, body)

    def start(self) -> "FakeHomeserver":
        self._httpd, self._thread = serve_https(self.ca, self.certificate_name, json_request_handler(self._receive),
                                                f"fake-{self.server_name}")
        self.port = self._httpd.server_address[1]
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def address(self) -> str:
        """HOST:PORT for `federation.server_overrides`."""
        return f"{LOOPBACK}:{self.port}"

    def key_fetches(self) -> int:
        """How many times its keys were fetched."""
        return sum(1 for method, path in self.requests if path.startswith("/_matrix/key/v2/server"))


def federation_config(ca: CertificateAuthority, remotes: list[FakeHomeserver]) -> dict:
    """Config overrides pointing Ranvier at the fake servers and trusting the test CA."""
    return {"federation": {"server_overrides": {r.server_name: r.address for r in remotes},
                           "ca_file": str(ca.cert)}}


@contextlib.contextmanager
def ranvier_with_fakes(folder: Path, server_name: str, ca: CertificateAuthority, remotes: list):
    """A started Ranvier (rate limits and presence off) federating with the started fake
    servers `remotes` through the test CA. Yields the server; afterwards it must stop cleanly
    on SIGTERM, and the fakes are stopped and the server's folder removed either way."""
    server = RanvierServer(folder / "ranvier", server_name=server_name)
    try:
        server.init()
        server.configure({"rate_limits": {"enabled": False}, "presence": {"enabled": False},
                          **federation_config(ca, remotes)})
        server.start()
        yield server
        code = server.stop(signal.SIGTERM)
        assert code == 0, f"SIGTERM: expected exit 0, got {describe_exit(code)}"
    finally:
        for remote in remotes:
            remote.stop()
        server.cleanup()

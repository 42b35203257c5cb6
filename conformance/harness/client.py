"""A small HTTP/1.1 test client for talking to ranvier over the wire.

Two layers:
- `Client`: well-formed requests over one persistent (keep-alive) connection, plain or TLS,
  with JSON helpers. Built on `http.client`, which parses responses strictly.
- `RawConnection`: bytes in, bytes out over a socket, for malformed or slow requests that a
  well-behaved client library refuses to send. It parses responses itself so a test can check
  what the server said even when the request made no sense.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional


@dataclass
class Response:
    """One HTTP response: status, headers with lower-case names, raw body."""

    status: int
    headers: dict[str, str]
    body: bytes
    reason: str = ""
    header_list: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self) -> str:
        shown = self.body[:300]
        return f"<Response {self.status} {self.headers.get('content-type')!r} {shown!r}>"


def tls_context(cafile: Optional[str] = None) -> ssl.SSLContext:
    """A client TLS context. Without `cafile` the peer certificate is not verified (self-signed
    test certificates); tests that care about the certificate compare it byte for byte."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if cafile is None:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context.load_verify_locations(cafile)
    return context


class Client:
    """Well-formed requests over one keep-alive connection (reconnects if the server closed it)."""

    def __init__(self, host: str, port: int, tls: bool = False, timeout: float = 10.0):
        self.host = host
        self.port = port
        self.tls = tls
        self.timeout = timeout
        self._connection: Optional[http.client.HTTPConnection] = None
        self.connections_opened = 0

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            if self.tls:
                self._connection = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=tls_context())
            else:
                self._connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout)
            self._connection.connect()
            self.connections_opened += 1
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def request(self, method: str, path: str, *, body: Optional[bytes] = None,
                json_body: Any = None, headers: Optional[Mapping[str, str]] = None,
                token: Optional[str] = None) -> Response:
        """Sends one request and reads the whole response. `json_body` is serialised as JSON."""
        all_headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            all_headers.setdefault("Content-Type", "application/json")
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            all_headers.setdefault("Content-Length", str(len(body)))
        connection = self._connect()
        try:
            connection.request(method, path, body=body, headers=all_headers)
            raw = connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server may close an idle keep-alive connection; one retry on a new one.
            self.close()
            connection = self._connect()
            connection.request(method, path, body=body, headers=all_headers)
            raw = connection.getresponse()
        data = raw.read()
        header_list = [(k.lower(), v) for k, v in raw.getheaders()]
        response = Response(raw.status, dict(header_list), data, raw.reason, header_list)
        if raw.will_close:
            self.close()
        return response

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Response:
        return self.request("PUT", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Response:
        return self.request("OPTIONS", path, **kwargs)


class ConnectionClosed(Exception):
    """The server closed the connection before a complete response arrived."""


class RawConnection:
    """A socket for hand-written requests. Reads responses with its own tolerant parser."""

    def __init__(self, host: str, port: int, tls: bool = False, timeout: float = 10.0):
        sock = socket.create_connection((host, port), timeout=timeout)
        if tls:
            sock = tls_context().wrap_socket(sock, server_hostname=host)
        self.sock = sock
        self.buffer = b""
        self.received = 0  # bytes read from the socket in total

    def __enter__(self) -> "RawConnection":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self, deadline: float) -> bool:
        """Reads more bytes into the buffer; False on end of stream (or reset)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no complete response before the deadline")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError):
            return False
        except socket.timeout as error:
            raise TimeoutError("no complete response before the deadline") from error
        if not chunk:
            return False
        self.buffer += chunk
        self.received += len(chunk)
        return True

    def _read_until(self, marker: bytes, deadline: float) -> bytes:
        while marker not in self.buffer:
            if not self._fill(deadline):
                raise ConnectionClosed(f"closed after {len(self.buffer)} bytes: {self.buffer[:200]!r}")
        head, self.buffer = self.buffer.split(marker, 1)
        return head

    def _read_exactly(self, count: int, deadline: float) -> bytes:
        while len(self.buffer) < count:
            if not self._fill(deadline):
                raise ConnectionClosed("closed inside a response body")
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_response(self, timeout: float = 10.0, head_request: bool = False) -> Response:
        """Reads one response (Content-Length, chunked, or until close)."""
        deadline = time.monotonic() + timeout
        head = self._read_until(b"\r\n\r\n", deadline).decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise ValueError(f"bad status line {lines[0]!r}")
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        header_list = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            header_list.append((name.strip().lower(), value.strip()))
        headers = dict(header_list)
        if head_request or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size_line = self._read_until(b"\r\n", deadline)
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    self._read_until(b"\r\n", deadline)
                    break
                body += self._read_exactly(size, deadline)
                self._read_exactly(2, deadline)
        elif "content-length" in headers:
            body = self._read_exactly(int(headers["content-length"]), deadline)
        else:
            while self._fill(deadline):
                pass
            body, self.buffer = self.buffer, b""
        return Response(status, headers, body, reason, header_list)

    def wait_closed(self, timeout: float) -> bool:
        """True if the server closes the connection within `timeout` (bytes it sends meanwhile,
        e.g. a 408 response, are kept in the buffer)."""
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
        except TimeoutError:
            return False
        except OSError:
            return True
        return True


def exchange(host: str, port: int, data: bytes, timeout: float = 10.0,
             tls: bool = False) -> Response:
    """Sends raw bytes on a fresh connection and reads one response."""
    with RawConnection(host, port, tls=tls, timeout=timeout) as connection:
        connection.send(data)
        return connection.read_response(timeout)


def build_request(method: str, path: str, headers: Optional[Mapping[str, str]] = None,
                  body: bytes = b"", host: str = "localhost", version: str = "HTTP/1.1") -> bytes:
    """Serialises a request by hand; adds Host and Content-Length unless given."""
    all_headers = {"Host": host}
    if body:
        all_headers["Content-Length"] = str(len(body))
    all_headers.update(headers or {})
    lines = [f"{method} {path} {version}"] + [f"{k}: {v}" for k, v in all_headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

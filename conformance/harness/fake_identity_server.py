"""A fake identity server for third-party invite tests, in Python, as the identity service API
describes one (data/identity/*.yaml): HTTPS with a certificate from the test CA, bearer access
tokens, hashed lookups (GET /v2/hash_details, POST /v2/lookup with "sha256" or "none"),
POST /v2/store-invite (a random token, the server's long-term ed25519 key and an ephemeral one,
a redacted display name) and the key validity checks (GET /v2/pubkey/isvalid,
/v2/pubkey/ephemeral/isvalid). Tests bind addresses with `bind` and read `invites`.

    identity = FakeIdentityServer(ca).start()
    identity.bind("bob@example.org", "@bob:hs")
    ... POST /rooms/{roomId}/invite {"id_server": identity.server_name, "id_access_token":
        identity.access_token, "medium": "email", "address": "carol@example.org"}
    identity.stop()
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.parse
from http.server import ThreadingHTTPServer
from typing import Any, Optional

import nacl.signing

from .federation import CertificateAuthority, json_request_handler, serve_https
from .keys import canonical_json, unpadded_b64


def lookup_hash(address: str, medium: str, pepper: str) -> str:
    """Identity service API, "Client behaviour": URL-safe unpadded base64 of SHA-256."""
    digest = hashlib.sha256(f"{address} {medium} {pepper}".encode("utf-8")).digest()
    return unpadded_b64(digest).replace("+", "-").replace("/", "_")


def redacted(address: str) -> str:
    """A display name that does not give the whole address away: "ca...@e..."."""
    local, _, domain = address.partition("@")
    return f"{local[:2]}...@{domain[:1]}..."


class FakeIdentityServer:
    """Listens on 127.0.0.1 with TLS; its server name is localhost:PORT."""

    def __init__(self, ca: CertificateAuthority):
        self.ca = ca
        self.signing_key = nacl.signing.SigningKey.generate()
        self.key_id = "ed25519:0"
        self.access_token = "id-token-" + secrets.token_hex(8)
        self.pepper = "pepper-" + secrets.token_hex(4)
        self.bindings: dict[tuple[str, str], str] = {}  # (medium, address) → mxid
        self.invites: list[dict] = []  # stored invites: the request, token, ephemeral key
        self.requests: list[tuple[str, str]] = []
        self._httpd: Optional[ThreadingHTTPServer] = None
        self.port = 0

    @property
    def server_name(self) -> str:
        return f"localhost:{self.port}"

    @property
    def public_key(self) -> str:
        return unpadded_b64(bytes(self.signing_key.verify_key))

    def bind(self, address: str, mxid: str, medium: str = "email") -> None:
        self.bindings[(medium, address)] = mxid

    def signed_block(self, mxid: str, token: str, key: Optional[nacl.signing.SigningKey] = None) -> dict:
        """The `signed` object of a third-party invite's exchange (identity service API,
        "Invitation storage": what the server sends with /3pid/onbind), signed with the
        long-term key unless another `key` is given."""
        block = {"mxid": mxid, "token": token}
        signature = (key or self.signing_key).sign(canonical_json(block)).signature
        block["signatures"] = {self.server_name: {self.key_id: unpadded_b64(signature)}}
        return block

    # --- the API ------------------------------------------------------------------------
    def _answer(self, method: str, target: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        parsed = urllib.parse.urlsplit(target)
        path, query = parsed.path, urllib.parse.parse_qs(parsed.query)
        self.requests.append((method, path))
        if path.startswith("/_matrix/identity/v2/pubkey/"):
            return self._key_validity(path, query)
        if headers.get("authorization") != f"Bearer {self.access_token}":
            return 401, {"errcode": "M_UNAUTHORIZED", "error": "Unknown or missing access token"}
        if method == "GET" and path == "/_matrix/identity/v2/hash_details":
            return 200, {"algorithms": ["none", "sha256"], "lookup_pepper": self.pepper}
        if method == "POST" and path == "/_matrix/identity/v2/lookup":
            return self._lookup(body)
        if method == "POST" and path == "/_matrix/identity/v2/store-invite":
            return self._store_invite(body)
        return 404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"}

    def _lookup(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("addresses"), list):
            return 400, {"errcode": "M_INVALID_PARAM", "error": "addresses missing"}
        if body.get("pepper") != self.pepper:
            return 400, {"errcode": "M_INVALID_PEPPER", "error": "Wrong pepper",
                         "algorithm": "sha256", "lookup_pepper": self.pepper}
        algorithm = body.get("algorithm")
        if algorithm == "sha256":
            known = {lookup_hash(address, medium, self.pepper): mxid
                     for (medium, address), mxid in self.bindings.items()}
        elif algorithm == "none":
            known = {f"{address} {medium}": mxid for (medium, address), mxid in self.bindings.items()}
        else:
            return 400, {"errcode": "M_INVALID_PARAM", "error": "Unknown algorithm"}
        return 200, {"mappings": {a: known[a] for a in body["addresses"] if a in known}}

    def _store_invite(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or any(not isinstance(body.get(k), str)
                                             for k in ("medium", "address", "room_id", "sender")):
            return 400, {"errcode": "M_MISSING_PARAM", "error": "medium, address, room_id and sender are required"}
        if body["medium"] != "email":
            return 400, {"errcode": "M_UNRECOGNIZED", "error": "Only email invites are stored"}
        if (body["medium"], body["address"]) in self.bindings:
            return 400, {"errcode": "M_THREEPID_IN_USE", "error": "The address is bound already"}
        token = secrets.token_urlsafe(16)
        ephemeral = nacl.signing.SigningKey.generate()
        self.invites.append({"request": body, "token": token, "ephemeral": ephemeral})
        base = f"https://{self.server_name}/_matrix/identity/v2/pubkey"
        return 200, {
            "token": token,
            "display_name": redacted(body["address"]),
            "public_keys": [
                {"public_key": self.public_key, "key_validity_url": f"{base}/isvalid"},
                {"public_key": unpadded_b64(bytes(ephemeral.verify_key)),
                 "key_validity_url": f"{base}/ephemeral/isvalid"},
            ],
        }

    def _key_validity(self, path: str, query: dict) -> tuple[int, Any]:
        key = (query.get("public_key") or [""])[0]
        if path.endswith("/ephemeral/isvalid"):
            valid = any(unpadded_b64(bytes(i["ephemeral"].verify_key)) == key for i in self.invites)
        elif path.endswith("/isvalid"):
            valid = key == self.public_key
        else:
            return 404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"}
        return 200, {"valid": valid}

    # --- serving ------------------------------------------------------------------------
    def start(self) -> "FakeIdentityServer":
        self._httpd, _ = serve_https(self.ca, "localhost", json_request_handler(self._answer, ("GET", "POST")),
                                     "fake-identity")
        self.port = self._httpd.server_address[1]
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

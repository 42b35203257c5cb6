"""Signing-key helpers: key files in the formats ranvier imports, canonical JSON, and checking
an ed25519 signature on a signed JSON object (appendices: "Signing JSON").

PyNaCl (Debian python3-nacl) does the ed25519 maths; without it `verify_signed_json` reports
that it could not check, and tests skip only that assertion."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any, Optional

try:
    import nacl.exceptions
    import nacl.signing
    HAVE_NACL = True
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_NACL = False


def unpadded_b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def decode_unpadded_b64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def canonical_json(value: Any) -> bytes:
    """Matrix canonical JSON: sorted keys, no insignificant whitespace, UTF-8 unescaped."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def new_seed() -> bytes:
    return os.urandom(32)


def public_key_of(seed: bytes) -> Optional[bytes]:
    if not HAVE_NACL:
        return None
    return bytes(nacl.signing.SigningKey(seed).verify_key)


def write_synapse_key(path: Path, key_version: str, seed: bytes) -> None:
    """Synapse's signing key file: `ed25519 <version> <unpadded base64 seed>`."""
    path.write_text(f"ed25519 {key_version} {unpadded_b64(seed)}\n")


def write_dendrite_key(path: Path, key_version: str, seed: bytes) -> None:
    """Dendrite's matrix_key.pem: a PEM block whose Key-ID header names the key."""
    body = base64.b64encode(seed).decode("ascii")
    path.write_text("-----BEGIN MATRIX PRIVATE KEY-----\n"
                    f"Key-ID: ed25519:{key_version}\n\n"
                    f"{body}\n"
                    "-----END MATRIX PRIVATE KEY-----\n")


def verify_signed_json(obj: dict, signer: str, key_id: str, public_key_b64: str) -> Optional[bool]:
    """True/False: whether `signatures[signer][key_id]` signs `obj` (without `signatures` and
    `unsigned`) under the key. None when PyNaCl is missing."""
    if not HAVE_NACL:
        return None
    signature = obj.get("signatures", {}).get(signer, {}).get(key_id)
    if not isinstance(signature, str):
        return False
    stripped = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    key = nacl.signing.VerifyKey(decode_unpadded_b64(public_key_b64))
    try:
        key.verify(canonical_json(stripped), decode_unpadded_b64(signature))
    except nacl.exceptions.BadSignatureError:
        return False
    return True

"""End-to-end encryption helpers: devices and cross-signing keys that sign their JSON the way
clients do (appendices: "Signing JSON"), so the key suites upload real signed objects.
PyNaCl (Debian python3-nacl) does the ed25519 maths."""

from __future__ import annotations

import copy
from typing import Any, Optional

import nacl.signing

from .checks import assert_json_response
from .keys import canonical_json, unpadded_b64
from .rooms import path

KEYS_UPLOAD = path("keys", "upload")
KEYS_QUERY = path("keys", "query")
KEYS_CLAIM = path("keys", "claim")


def sign(obj: dict, user_id: str, key_id: str, key: nacl.signing.SigningKey) -> dict:
    """A copy of `obj` with `user_id`'s signature under `key_id` added to its signatures."""
    signed = copy.deepcopy(obj)
    unsigned = signed.pop("unsigned", None)
    signatures = signed.pop("signatures", {})
    signature = unpadded_b64(key.sign(canonical_json(signed)).signature)
    signatures.setdefault(user_id, {})[key_id] = signature
    signed["signatures"] = signatures
    if unsigned is not None:
        signed["unsigned"] = unsigned
    return signed


class Device:
    """A device of `user_id` with an ed25519 signing key and a (fake) curve25519 key."""

    def __init__(self, user_id: str, device_id: str):
        self.user_id = user_id
        self.device_id = device_id
        self.key = nacl.signing.SigningKey.generate()
        self.public = unpadded_b64(bytes(self.key.verify_key))
        self.key_id = f"ed25519:{device_id}"

    def device_keys(self, **overrides: Any) -> dict:
        """The device's signed identity keys; `overrides` change fields before signing."""
        keys = {
            "user_id": self.user_id,
            "device_id": self.device_id,
            "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
            "keys": {f"curve25519:{self.device_id}": unpadded_b64(b"c" * 32), self.key_id: self.public},
        }
        keys.update(overrides)
        return sign(keys, self.user_id, self.key_id, self.key)

    def one_time_keys(self, count: int, start: int = 0, algorithm: str = "signed_curve25519") -> dict:
        """`count` signed one-time keys with IDs AAAA<n>."""
        keys = {}
        for n in range(start, start + count):
            keys[f"{algorithm}:AAAA{n}"] = sign({"key": unpadded_b64(n.to_bytes(32, "big"))}, self.user_id,
                                               self.key_id, self.key)
        return keys


class CrossSigningKey:
    """A master, self-signing or user-signing key of `user_id`."""

    def __init__(self, user_id: str, usage: str):
        self.user_id = user_id
        self.usage = usage
        self.key = nacl.signing.SigningKey.generate()
        self.public = unpadded_b64(bytes(self.key.verify_key))
        self.key_id = f"ed25519:{self.public}"

    def json(self, signed_by: Optional["CrossSigningKey"] = None) -> dict:
        obj = {"user_id": self.user_id, "usage": [self.usage], "keys": {self.key_id: self.public}}
        if signed_by is not None:
            obj = sign(obj, self.user_id, signed_by.key_id, signed_by.key)
        return obj

    def sign(self, obj: dict, user_id: Optional[str] = None) -> dict:
        """`obj` with this key's signature by its owner."""
        return sign(obj, self.user_id if user_id is None else user_id, self.key_id, self.key)


def device_id_of(client, token: str) -> str:
    return assert_json_response(client.get(path("account", "whoami"), token=token))["device_id"]

#!/usr/bin/python3
"""End-to-end encryption with a real client library: two matrix-nio clients (Debian
python3-matrix-nio with python3-olm) register, upload their device and one-time keys, Alice
creates an encrypted room and invites Bob, Bob joins, and each sends an encrypted message that
the other decrypts. On the way nio queries and claims keys and shares its Megolm session over
to-device messages, so every key endpoint and /sync's E2EE sections take part.

Usage: RANVIER_URL=http://127.0.0.1:8008 /usr/bin/python3 nio_e2ee.py
With RANVIER_URL_BOB set, Bob registers on that server instead, so the invite, the key queries
and claims and the to-device messages carrying the Megolm session all go over federation.
Exit status 0 when every step passed; otherwise the failing step is printed and it is 1."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import tempfile
import time

import nio.api
from nio import (AsyncClient, AsyncClientConfig, JoinResponse, KeysQueryResponse, KeysUploadResponse,
                 MegolmEvent, RegisterResponse, RoomCreateResponse, RoomMessageText, RoomSendResponse,
                 SyncResponse)

# nio 0.20 (Debian 12) still builds /_matrix/client/r0 paths; the spec this server implements
# (v1.19) knows only v3, which takes the same requests for every endpoint used here.
nio.api.Api._build_path.__defaults__ = (None, "/_matrix/client/v3")

STEP_TIMEOUT = float(os.environ.get("RANVIER_STEP_TIMEOUT_MS", "20000")) / 1000
PASSWORD = "nio-e2ee-password"


class StepFailed(Exception):
    pass


def step(name: str) -> None:
    print(f"nio_e2ee: {name}", file=sys.stderr)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


class Person:
    """One nio client with its own olm store, and the room messages it has seen."""

    def __init__(self, url: str, name: str, store: str):
        os.makedirs(store, exist_ok=True)
        self.name = name
        self.client = AsyncClient(url, "", store_path=store,
                                  config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False))
        self.plain: list[RoomMessageText] = []
        self.undecryptable: list[MegolmEvent] = []
        self.otk_counts: list[int] = []
        self.client.add_event_callback(self._on_text, RoomMessageText)
        self.client.add_event_callback(self._on_megolm, MegolmEvent)

    async def _on_text(self, room, event):
        self.plain.append(event)

    async def _on_megolm(self, room, event):
        self.undecryptable.append(event)

    async def sync(self) -> SyncResponse:
        response = await self.client.sync(timeout=0, full_state=self.client.next_batch is None)
        expect(isinstance(response, SyncResponse), f"{self.name}: /sync failed: {response}")
        self.otk_counts.append(response.device_key_count.signed_curve25519 or 0)
        return response

    async def sync_until(self, what: str, done) -> None:
        deadline = time.monotonic() + STEP_TIMEOUT
        while not done():
            if time.monotonic() > deadline:
                raise StepFailed(f"{self.name}: timed out waiting for {what}")
            response = await self.client.sync(timeout=1000)
            expect(isinstance(response, SyncResponse), f"{self.name}: /sync failed: {response}")
            self.otk_counts.append(response.device_key_count.signed_curve25519 or 0)

    async def query_keys_if_needed(self) -> None:
        if self.client.should_query_keys:
            response = await self.client.keys_query()
            expect(isinstance(response, KeysQueryResponse), f"{self.name}: /keys/query failed: {response}")


async def register(person: Person, username: str) -> None:
    response = await person.client.register(username, PASSWORD, f"{person.name}'s nio")
    expect(isinstance(response, RegisterResponse), f"registering {username} failed: {response}")
    expect(person.client.olm is not None, f"{username}: nio did not set up its olm account")


async def upload_keys(person: Person) -> None:
    expect(person.client.should_upload_keys, f"{person.name}: nio sees nothing to upload")
    response = await person.client.keys_upload()
    expect(isinstance(response, KeysUploadResponse), f"{person.name}: /keys/upload failed: {response}")
    counts = response.signed_curve25519_count
    expect(counts > 0, f"{person.name}: the server counted {counts} one-time keys after the upload")


async def send_text(sender: Person, room_id: str, body: str) -> None:
    response = await sender.client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": body},
                                             ignore_unverified_devices=True)
    expect(isinstance(response, RoomSendResponse), f"{sender.name}: sending failed: {response}")


def has_text(person: Person, body: str) -> bool:
    return any(event.body == body for event in person.plain)


async def scenario(url: str, folder: str, bob_url: str) -> None:
    suffix = secrets.token_hex(4)
    alice = Person(url, "alice", os.path.join(folder, "alice"))
    bob = Person(bob_url, "bob", os.path.join(folder, "bob"))
    try:
        step("register two users with nio")
        await register(alice, f"nio_alice_{suffix}")
        await register(bob, f"nio_bob_{suffix}")

        step("upload device and one-time keys")
        await upload_keys(alice)
        await upload_keys(bob)
        await alice.sync()
        await bob.sync()
        bob_keys_before = bob.otk_counts[-1]
        expect(bob_keys_before > 0, f"bob's /sync shows {bob_keys_before} one-time keys after the upload")

        step("alice creates an encrypted room and invites bob")
        created = await alice.client.room_create(
            name="nio e2ee", invite=[bob.client.user_id],
            initial_state=[{"type": "m.room.encryption", "state_key": "",
                            "content": {"algorithm": "m.megolm.v1.aes-sha2"}}])
        expect(isinstance(created, RoomCreateResponse), f"createRoom failed: {created}")
        room_id = created.room_id

        step("bob joins")
        await bob.sync_until("the invite", lambda: room_id in bob.client.invited_rooms)
        joined = await bob.client.join(room_id)
        expect(isinstance(joined, JoinResponse), f"bob could not join: {joined}")
        await bob.sync_until("the joined room", lambda: room_id in bob.client.rooms
                             and bob.client.rooms[room_id].encrypted)
        await alice.sync_until("bob's membership", lambda: room_id in alice.client.rooms
                               and bob.client.user_id in alice.client.rooms[room_id].users)
        expect(alice.client.rooms[room_id].encrypted, "alice's nio does not see the room as encrypted")

        step("alice queries keys, claims bob's one-time key and sends an encrypted message")
        await alice.query_keys_if_needed()
        expect(bob.client.device_id in alice.client.device_store[bob.client.user_id],
               "alice's /keys/query did not return bob's device")
        await send_text(alice, room_id, "hello bob, this is encrypted")

        step("bob receives the Megolm session over to-device and decrypts")
        await bob.sync_until("alice's message, decrypted", lambda: has_text(bob, "hello bob, this is encrypted"))
        expect(not bob.undecryptable, f"bob could not decrypt {len(bob.undecryptable)} event(s)")
        expect(min(bob.otk_counts[-3:]) < bob_keys_before,
               f"bob's one-time key count did not go down after the claim: {bob.otk_counts}")

        step("bob answers, encrypted, and alice decrypts")
        await bob.query_keys_if_needed()
        await send_text(bob, room_id, "hi alice, encrypted too")
        await alice.sync_until("bob's message, decrypted", lambda: has_text(alice, "hi alice, encrypted too"))
        expect(not alice.undecryptable, f"alice could not decrypt {len(alice.undecryptable)} event(s)")

        step("both messages arrived as m.room.encrypted and were decrypted by nio")
        for person, body in ((bob, "hello bob, this is encrypted"), (alice, "hi alice, encrypted too")):
            received = [event for event in person.plain if event.body == body]
            expect(all(event.decrypted for event in received),
                   f"{person.name} received '{body}' in plain text, not encrypted")
    finally:
        await alice.client.close()
        await bob.client.close()


def main() -> int:
    url = os.environ.get("RANVIER_URL")
    if not url:
        print("nio_e2ee: set RANVIER_URL to the server's client URL", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ranvier-nio-") as folder:
        try:
            asyncio.run(scenario(url, folder, os.environ.get("RANVIER_URL_BOB") or url))
        except StepFailed as failure:
            print(f"nio_e2ee: FAILED: {failure}", file=sys.stderr)
            return 1
    print("nio_e2ee: every step passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

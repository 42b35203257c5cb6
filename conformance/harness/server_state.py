"""A populated server and a snapshot of what it answers, for the suites that move a server's
data somewhere else (`ranvier migrate-db`, `ranvier backup`/`restore`) and must show the same
answers come back. The workload is a slice of Romeo and Juliet (tools/bench/romeo_juliet.py,
/work/shared/bench/): each speaker a user who registers, sets a display name and joins one
public room with an alias, then says their lines in order; plus end-to-end keys, receipts,
account data and a search index to carry along."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks import assert_json_response
from .rooms import (PASSWORD, all_messages, assert_json_response_list, create_room, join, joined_rooms, messages, new_user,
                    path, sync, text)

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAY = Path("/work/shared/bench/romeo_and_juliet.txt")

sys.path.insert(0, str(REPO_ROOT / "tools/bench"))
from romeo_juliet import parse_play, usernames  # noqa: E402


@dataclass
class Workload:
    """What populate() created: users by localpart with their access tokens, and the room."""
    room_id: str = ""
    alias: str = ""
    users: dict[str, tuple[str, str]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    key_users: list[str] = field(default_factory=list)


def populate(client, lines: int = 60, suffix: str = "", alias_name: str = "verona") -> Workload:
    """Plays the first `lines` spoken lines into a new room and adds keys, receipts and
    account data for the first two speakers."""
    spoken = parse_play(PLAY.read_text())[:lines]
    names = usernames([speaker for speaker, _ in spoken], suffix)
    work = Workload()
    for speaker, line in spoken:
        name = names[speaker]
        if name not in work.users:
            user_id, token = new_user(client, name)
            work.users[name] = (user_id, token)
            assert_json_response(client.put(path("profile", user_id, "displayname"), token=token,
                                            json_body={"displayname": speaker}))
            if not work.room_id:
                work.room_id = create_room(client, token, preset="public_chat",
                                           room_alias_name=alias_name + suffix,
                                           name="Verona", topic="A public place")
                work.alias = f"#{alias_name}{suffix}:localhost"
            else:
                join(client, token, work.room_id)
        text(client, work.users[name][1], work.room_id, line)
        work.lines.append(line)
    first, second = list(work.users)[:2]
    work.key_users = [first, second]
    _add_extras(client, work)
    return work


def _add_extras(client, work: Workload) -> None:
    from .e2e import KEYS_UPLOAD, Device, device_id_of  # PyNaCl is needed for these only
    for name in work.key_users:
        user_id, token = work.users[name]
        device = Device(user_id, device_id_of(client, token))
        assert_json_response(client.post(KEYS_UPLOAD, token=token, json_body={
            "device_keys": device.device_keys(), "one_time_keys": device.one_time_keys(5)}))
        assert_json_response(client.put(path("user", user_id, "account_data", "m.example"),
                                        token=token, json_body={"colour": "blue", "user": name}))
        assert_json_response(client.put(
            path("user", user_id, "rooms", work.room_id, "account_data", "m.example.room"),
            token=token, json_body={"seen": True}))
    last = messages(client, work.users[work.key_users[0]][1], work.room_id,
                    limit=1)["chunk"][0]["event_id"]
    for name in work.key_users:
        assert_json_response(client.post(path("rooms", work.room_id, "receipt", "m.read", last),
                                         token=work.users[name][1], json_body={}))


def snapshot(client, work: Workload) -> dict[str, Any]:
    """The answers a user sees, in a form that compares equal across servers holding the same
    data (/sync tokens and timing fields left out)."""
    first_id, token = work.users[work.key_users[0]]
    events = all_messages(client, token, work.room_id, dir="f", limit=50, max_pages=200)
    state = assert_json_response_list(client.get(path("rooms", work.room_id, "state"), token=token))
    receipts = {}
    body = sync(client, token)
    for event in body["rooms"]["join"][work.room_id].get("ephemeral", {}).get("events", []):
        if event["type"] == "m.receipt":
            receipts = event["content"]
    for reads in receipts.values():
        for users in reads.values():
            for entry in users.values():
                entry.pop("ts", None)
    key_users = [work.users[name][0] for name in work.key_users]
    keys = assert_json_response(client.post(path("keys", "query"), token=token, json_body={
        "device_keys": {user_id: [] for user_id in key_users}}))
    searched = assert_json_response(client.post(path("search"), token=token, json_body={
        "search_categories": {"room_events": {"search_term": "Montague"}}}))
    return {
        "whoami": {name: assert_json_response(client.get(path("account", "whoami"), token=tok))
                   for name, (_, tok) in work.users.items()},
        "joined_rooms": {name: sorted(joined_rooms(client, tok))
                         for name, (_, tok) in work.users.items()},
        "messages": [(e["event_id"], e["type"], e["sender"], e.get("content", {}).get("body"))
                     for e in events],
        "state": sorted((e["type"], e["state_key"], e["event_id"]) for e in state),
        "receipts": receipts,
        "device_keys": keys["device_keys"],
        "one_time_key_counts": body.get("device_one_time_keys_count"),
        "account_data": assert_json_response(client.get(
            path("user", first_id, "account_data", "m.example"), token=token)),
        "room_account_data": assert_json_response(client.get(
            path("user", first_id, "rooms", work.room_id, "account_data", "m.example.room"),
            token=token)),
        "alias": assert_json_response(client.get(path("directory", "room", work.alias)))["room_id"],
        "search": sorted(r["result"]["event_id"] for r in
                         searched["search_categories"]["room_events"]["results"]),
    }


def password_login(client, work: Workload) -> str:
    """A new password login of the first user; returns the new access token."""
    name = work.key_users[0]
    body = assert_json_response(client.post(path("login"), json_body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": name},
        "password": PASSWORD}))
    return body["access_token"]

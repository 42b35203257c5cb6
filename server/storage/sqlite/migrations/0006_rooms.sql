-- Rooms this server takes part in.
CREATE TABLE rooms (
    room_id      TEXT    NOT NULL PRIMARY KEY,
    room_version TEXT    NOT NULL,
    created_ts   INTEGER NOT NULL,
    creator      TEXT    NOT NULL,
    -- Listed in the public room directory.
    is_public    INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1))
) STRICT;
CREATE INDEX rooms_public ON rooms (room_id) WHERE is_public = 1;

-- The DAG's frontier: events no stored event names as a prev event yet. New local events
-- take these as their prev_events.
CREATE TABLE room_forward_extremities (
    room_id  TEXT NOT NULL REFERENCES rooms (room_id),
    event_id TEXT NOT NULL,
    PRIMARY KEY (room_id, event_id)
) STRICT, WITHOUT ROWID;

-- The room's current state, materialized: what clients and new events are checked against.
-- History lives in state groups; this is the one copy kept per room.
CREATE TABLE room_current_state (
    room_id   TEXT NOT NULL REFERENCES rooms (room_id),
    type      TEXT NOT NULL,
    state_key TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    PRIMARY KEY (room_id, type, state_key)
) STRICT, WITHOUT ROWID;

-- Current membership per user and room, copied from the current state's member events so
-- "which rooms has this user joined" and "who is in this room" are index lookups.
CREATE TABLE room_memberships (
    room_id    TEXT    NOT NULL REFERENCES rooms (room_id),
    user_id    TEXT    NOT NULL,
    membership TEXT    NOT NULL
               CHECK (membership IN ('invite', 'join', 'knock', 'leave', 'ban')),
    event_id   TEXT    NOT NULL,
    -- Stream position of the member event, to tell what changed since a /sync token.
    stream     INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX room_memberships_by_user ON room_memberships (user_id, membership, room_id);
CREATE INDEX room_memberships_by_room ON room_memberships (room_id, membership, user_id);

CREATE TABLE room_aliases (
    alias   TEXT NOT NULL PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms (room_id),
    creator TEXT NOT NULL
) STRICT;
CREATE INDEX room_aliases_by_room ON room_aliases (room_id);

-- Client transaction IDs (PUT /send/{type}/{txnId}): a retried request gets the first
-- request's event back instead of sending twice. Scoped to the device, as the spec asks, and
-- gone with it.
CREATE TABLE client_transactions (
    user_id        TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    txn_id         TEXT NOT NULL,
    room_id        TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    -- Digest of the request body, to notice a reused ID with a different body.
    request_digest TEXT NOT NULL,
    PRIMARY KEY (user_id, device_id, txn_id),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

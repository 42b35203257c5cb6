-- Events of every room (PDUs), as received or created. The canonical JSON is what gets served
-- and signed; the other columns copy fields out of it so queries need not parse JSON.
CREATE TABLE events (
    event_id         TEXT    NOT NULL PRIMARY KEY,
    room_id          TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    -- NULL for message events; '' is a valid state key.
    state_key        TEXT,
    sender           TEXT    NOT NULL,
    depth            INTEGER NOT NULL,
    origin_server_ts INTEGER NOT NULL,
    json             TEXT    NOT NULL,
    -- Outliers are known through auth chains or state only, not through the room DAG.
    outlier          INTEGER NOT NULL DEFAULT 0 CHECK (outlier IN (0, 1)),
    -- Set when the event failed authorization; the event stays for the DAG's sake.
    rejected_reason  TEXT,
    soft_failed      INTEGER NOT NULL DEFAULT 0 CHECK (soft_failed IN (0, 1)),
    -- Global position in commit order, from event_stream: what /sync tokens count. State
    -- groups use it as the event's number, so it never changes.
    stream           INTEGER NOT NULL UNIQUE,
    redacted_by      TEXT
) STRICT;

-- Timelines: a room's events by stream (/sync) and in DAG order (/messages).
CREATE INDEX events_room_stream ON events (room_id, stream);
CREATE INDEX events_room_topological ON events (room_id, depth, stream);

-- The stream counter: one row, incremented under the write lock, so positions are handed out
-- in the order transactions commit.
CREATE TABLE event_stream (
    only_row INTEGER NOT NULL PRIMARY KEY CHECK (only_row = 1),
    position INTEGER NOT NULL
) STRICT;
INSERT INTO event_stream (only_row, position) VALUES (1, 0);

-- DAG edges, one table per kind. The target need not be stored (a missing prev event is
-- normal over federation), so there is no foreign key on it. Both directions are indexed:
-- forwards to walk auth chains and prev events, backwards to find an event's children.
CREATE TABLE event_prev_edges (
    event_id TEXT    NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
    prev_id  TEXT    NOT NULL,
    -- Position in the event's prev_events, to give them back in order.
    ordinal  INTEGER NOT NULL,
    PRIMARY KEY (event_id, prev_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_prev_edges_by_prev ON event_prev_edges (prev_id);

CREATE TABLE event_auth_edges (
    event_id TEXT    NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
    auth_id  TEXT    NOT NULL,
    ordinal  INTEGER NOT NULL,
    PRIMARY KEY (event_id, auth_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_auth_edges_by_auth ON event_auth_edges (auth_id);

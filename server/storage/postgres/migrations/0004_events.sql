-- Events of every room (PDUs), as received or created. The canonical JSON is what gets served
-- and signed; the other columns copy fields out of it so queries need not parse JSON.
CREATE TABLE events (
    event_id         TEXT    COLLATE "C" NOT NULL PRIMARY KEY,
    room_id          TEXT    COLLATE "C" NOT NULL,
    type             TEXT    COLLATE "C" NOT NULL,
    -- NULL for message events; '' is a valid state key.
    state_key        TEXT    COLLATE "C",
    sender           TEXT    COLLATE "C" NOT NULL,
    depth            BIGINT  NOT NULL,
    origin_server_ts BIGINT  NOT NULL,
    json             TEXT    NOT NULL,
    -- Outliers are known through auth chains or state only, not through the room DAG.
    outlier          BOOLEAN NOT NULL DEFAULT FALSE,
    -- Set when the event failed authorization; the event stays for the DAG's sake.
    rejected_reason  TEXT,
    soft_failed      BOOLEAN NOT NULL DEFAULT FALSE,
    -- Global position in commit order, from event_stream: what /sync tokens count. State
    -- groups use it as the event's number, so it never changes.
    stream           BIGINT  NOT NULL UNIQUE,
    redacted_by      TEXT    COLLATE "C"
);

-- Timelines: a room's events by stream (/sync) and in DAG order (/messages).
CREATE INDEX events_room_stream ON events (room_id, stream);
CREATE INDEX events_room_topological ON events (room_id, depth, stream);

-- The stream counter: one row. Its row lock, held from the increment to COMMIT, makes event
-- writers take turns, so positions become visible in order and a /sync reader that has seen
-- position N can never later find a smaller one appear (a sequence would allow that).
CREATE TABLE event_stream (
    only_row INTEGER NOT NULL PRIMARY KEY CHECK (only_row = 1),
    position BIGINT  NOT NULL
);
INSERT INTO event_stream (only_row, position) VALUES (1, 0);

-- DAG edges, one table per kind. The target need not be stored (a missing prev event is
-- normal over federation), so there is no foreign key on it. Both directions are indexed:
-- forwards to walk auth chains and prev events, backwards to find an event's children.
CREATE TABLE event_prev_edges (
    event_id TEXT    COLLATE "C" NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
    prev_id  TEXT    COLLATE "C" NOT NULL,
    -- Position in the event's prev_events, to give them back in order.
    ordinal  INTEGER NOT NULL,
    PRIMARY KEY (event_id, prev_id)
);
CREATE INDEX event_prev_edges_by_prev ON event_prev_edges (prev_id);

CREATE TABLE event_auth_edges (
    event_id TEXT    COLLATE "C" NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
    auth_id  TEXT    COLLATE "C" NOT NULL,
    ordinal  INTEGER NOT NULL,
    PRIMARY KEY (event_id, auth_id)
);
CREATE INDEX event_auth_edges_by_auth ON event_auth_edges (auth_id);

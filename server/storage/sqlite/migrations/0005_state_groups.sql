-- Room state snapshots as state groups (see storage/state.hpp for the scheme). A group stores
-- only its difference from a base ancestor chosen so that lookups follow few links while the
-- stored rows stay about three per state change, instead of a copy of the whole state.
CREATE TABLE state_groups (
    group_id  INTEGER NOT NULL PRIMARY KEY,
    room_id   TEXT    NOT NULL,
    -- The group this one was derived from; NULL for a room's first group.
    parent_id INTEGER REFERENCES state_groups (group_id),
    -- The ancestor the entries are relative to; NULL when the entries are the full state.
    base_id   INTEGER REFERENCES state_groups (group_id),
    -- Number of parent links back to the first group; picks the base.
    position  INTEGER NOT NULL
) STRICT;

-- Each (type, state_key) once, so a delta row is three integers.
CREATE TABLE state_keys (
    key_nid   INTEGER NOT NULL PRIMARY KEY,
    type      TEXT    NOT NULL,
    state_key TEXT    NOT NULL,
    UNIQUE (type, state_key)
) STRICT;

CREATE TABLE state_group_entries (
    group_id  INTEGER NOT NULL REFERENCES state_groups (group_id),
    key_nid   INTEGER NOT NULL REFERENCES state_keys (key_nid),
    -- The event's stream position; NULL: the key is absent from this group's state although
    -- the base has it.
    event_nid INTEGER REFERENCES events (stream),
    PRIMARY KEY (group_id, key_nid)
) STRICT, WITHOUT ROWID;

-- The state after each event (the event itself included when it is a state event).
CREATE TABLE event_state_groups (
    event_nid INTEGER NOT NULL PRIMARY KEY REFERENCES events (stream),
    group_id  INTEGER NOT NULL REFERENCES state_groups (group_id)
) STRICT;

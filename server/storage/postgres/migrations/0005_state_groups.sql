-- Room state snapshots as state groups (see storage/state.hpp for the scheme). A group stores
-- only its difference from a base ancestor chosen so that lookups follow few links while the
-- stored rows stay about three per state change, instead of a copy of the whole state.
CREATE TABLE state_groups (
    group_id  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id   TEXT   COLLATE "C" NOT NULL,
    -- The group this one was derived from; NULL for a room's first group.
    parent_id BIGINT REFERENCES state_groups (group_id),
    -- The ancestor the entries are relative to; NULL when the entries are the full state.
    base_id   BIGINT REFERENCES state_groups (group_id),
    -- Number of parent links back to the first group; picks the base.
    position  BIGINT NOT NULL
);

-- Each (type, state_key) once, so a delta row is three integers.
CREATE TABLE state_keys (
    key_nid   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type      TEXT   COLLATE "C" NOT NULL,
    state_key TEXT   COLLATE "C" NOT NULL,
    UNIQUE (type, state_key)
);

CREATE TABLE state_group_entries (
    group_id  BIGINT NOT NULL REFERENCES state_groups (group_id),
    key_nid   BIGINT NOT NULL REFERENCES state_keys (key_nid),
    -- The event's stream position; NULL: the key is absent from this group's state although
    -- the base has it.
    event_nid BIGINT REFERENCES events (stream),
    PRIMARY KEY (group_id, key_nid)
);

-- The state after each event (the event itself included when it is a state event).
CREATE TABLE event_state_groups (
    event_nid BIGINT NOT NULL PRIMARY KEY REFERENCES events (stream),
    group_id  BIGINT NOT NULL REFERENCES state_groups (group_id)
);

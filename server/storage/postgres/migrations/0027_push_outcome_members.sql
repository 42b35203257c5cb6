-- Push actions stored one row per event and outcome instead of one per notified user: a
-- message into a room of a thousand members wrote a thousand index entries. Each local member a
-- room ever notified gets a small ordinal in that room, assigned once and never reused; an
-- outcome row holds the set of members it applies to as a bitmap over those ordinals, written
-- as hex digits (digit k holds ordinals 4k..4k+3, ordinal 4k+b as the bit of value 2^b; digits
-- past the end of the text are 0). Reading one member's outcome is a digit lookup.
CREATE TABLE push_member_ordinals (
    room_id TEXT    COLLATE "C" NOT NULL,
    user_id TEXT    COLLATE "C" NOT NULL,
    ordinal INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id),
    UNIQUE (room_id, ordinal)
);
INSERT INTO push_member_ordinals (room_id, user_id, ordinal)
SELECT room_id, user_id, (ROW_NUMBER() OVER (PARTITION BY room_id ORDER BY user_id) - 1)::integer
FROM (SELECT DISTINCT e.room_id, u.user_id FROM push_event_users u JOIN push_events e ON e.stream = u.stream) d;

CREATE TABLE push_event_outcomes (
    stream        BIGINT  NOT NULL,
    highlight     BOOLEAN NOT NULL,
    actions_index INTEGER NOT NULL,
    members       TEXT    COLLATE "C" NOT NULL,
    PRIMARY KEY (stream, highlight, actions_index)
);
-- Each digit's value, then the digits in order with zeros for the gaps between them.
INSERT INTO push_event_outcomes (stream, highlight, actions_index, members)
SELECT stream, highlight, actions_index, string_agg(lpad(to_hex(bits), (k - previous)::integer, '0'), '' ORDER BY k)
FROM (SELECT stream, highlight, actions_index, k, bits,
             COALESCE(LAG(k) OVER (PARTITION BY stream, highlight, actions_index ORDER BY k), -1) AS previous
      FROM (SELECT u.stream, u.highlight, u.actions_index, o.ordinal / 4 AS k, SUM(1 << (o.ordinal % 4))::integer AS bits
            FROM push_event_users u JOIN push_events e ON e.stream = u.stream
            JOIN push_member_ordinals o ON o.room_id = e.room_id AND o.user_id = u.user_id
            GROUP BY u.stream, u.highlight, u.actions_index, o.ordinal / 4) digits) placed
GROUP BY stream, highlight, actions_index;

DROP TABLE push_event_users;
ALTER TABLE push_event_outcomes RENAME TO push_event_users;

-- PDUs and EDUs waiting to be sent to other servers, and each destination's back-off.
-- AUTOINCREMENT: stream IDs are never reused after their rows are sent and deleted, because
-- transaction IDs are made from them and destinations remember the IDs they have seen.
CREATE TABLE federation_outbox (
    stream_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    destination TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('pdu', 'edu')),
    body        TEXT    NOT NULL
) STRICT;
CREATE INDEX federation_outbox_by_destination ON federation_outbox (destination, kind, stream_id);

CREATE TABLE federation_destinations (
    destination TEXT    PRIMARY KEY,
    retry_at_ms INTEGER NOT NULL,
    backoff_ms  INTEGER NOT NULL,
    last_error  TEXT    NOT NULL
) STRICT;

-- Read receipts of local users: one row per room, user, receipt type and thread ('' when
-- unthreaded). stream_id orders changes for /sync; a moved receipt takes a new position.
CREATE TABLE receipts (
    room_id      TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    receipt_type TEXT    NOT NULL,
    thread_id    TEXT    NOT NULL,
    event_id     TEXT    NOT NULL,
    ts           INTEGER NOT NULL,
    stream_id    INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id, receipt_type, thread_id)
) STRICT;
CREATE INDEX receipts_by_stream ON receipts (room_id, stream_id);

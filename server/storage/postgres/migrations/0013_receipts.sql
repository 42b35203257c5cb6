-- Read receipts of local users: one row per room, user, receipt type and thread ('' when
-- unthreaded). stream_id orders changes for /sync; a moved receipt takes a new position.
CREATE SEQUENCE receipts_stream;
CREATE TABLE receipts (
    room_id      TEXT   COLLATE "C" NOT NULL,
    user_id      TEXT   COLLATE "C" NOT NULL,
    receipt_type TEXT   COLLATE "C" NOT NULL,
    thread_id    TEXT   COLLATE "C" NOT NULL,
    event_id     TEXT   NOT NULL,
    ts           BIGINT NOT NULL,
    stream_id    BIGINT NOT NULL DEFAULT nextval('receipts_stream'),
    PRIMARY KEY (room_id, user_id, receipt_type, thread_id)
);
CREATE INDEX receipts_by_stream ON receipts (room_id, stream_id);

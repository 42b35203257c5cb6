-- Backfill (server-server API, "Backfilling and retrieving missing events").

-- Events fetched from another server's history take stream positions below zero, counting
-- down: /messages orders them by depth anyway, and positions below every /sync token keep
-- them from reaching /sync as if they were new.
ALTER TABLE event_stream ADD COLUMN backfill_position INTEGER NOT NULL DEFAULT 0;

-- Where the room's history known here ends: events this server lacks that its earliest events
-- cite as prev_events (after a join over federation, the join's prev_events). /backfill is
-- asked for them when a client pages back that far. No foreign key to rooms: a purged room's
-- rows go with a plain DELETE by room_id.
CREATE TABLE room_backward_extremities (
    room_id  TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (room_id, event_id)
) STRICT, WITHOUT ROWID;

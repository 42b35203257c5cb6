-- Relations (content.m.relates_to) copied out of the JSON by the pipeline, for /relations and
-- /threads, and the index /timestamp_to_event searches.
ALTER TABLE events ADD COLUMN relates_to TEXT COLLATE "C";
ALTER TABLE events ADD COLUMN rel_type TEXT COLLATE "C";

-- Only events that relate to another carry these; the partial index stays small.
CREATE INDEX events_relations ON events (relates_to, stream) WHERE relates_to IS NOT NULL;
CREATE INDEX events_room_ts ON events (room_id, origin_server_ts);

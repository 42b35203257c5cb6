-- Foreign keys checked once per row where the referenced row is always written just before, by
-- the same writer, in the same transaction: an event's DAG edges (EventStore::insert and
-- insert_many write the events row first) and a state group's entries (StateStore writes the
-- group and its keys first, and cites events by the stream position it read from them).
-- PostgreSQL checks each such key with a locking look-up of the referenced row, which made up
-- about half of the cost of storing a big room's state on a join over federation (10,000
-- member events: 40,000 edges and 10,000 entries). SQLite's checks are plain index look-ups
-- and stay.
ALTER TABLE event_prev_edges DROP CONSTRAINT event_prev_edges_event_id_fkey;
ALTER TABLE event_auth_edges DROP CONSTRAINT event_auth_edges_event_id_fkey;
ALTER TABLE state_group_entries DROP CONSTRAINT state_group_entries_group_id_fkey,
    DROP CONSTRAINT state_group_entries_key_nid_fkey,
    DROP CONSTRAINT state_group_entries_event_nid_fkey;

-- What ON DELETE CASCADE did for the edges: they go with their event (the admin purge deletes
-- events), in one statement per deleting statement.
CREATE FUNCTION events_delete_edges() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM event_prev_edges WHERE event_id IN (SELECT event_id FROM deleted_events);
    DELETE FROM event_auth_edges WHERE event_id IN (SELECT event_id FROM deleted_events);
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_delete_edges AFTER DELETE ON events
    REFERENCING OLD TABLE AS deleted_events
    FOR EACH STATEMENT EXECUTE FUNCTION events_delete_edges();

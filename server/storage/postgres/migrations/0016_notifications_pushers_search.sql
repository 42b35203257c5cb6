-- Push actions, stored event-major: one push_events row per event that notified anyone and
-- one push_event_users row per notified user, keyed by the event's stream position first, so a
-- message into a room of a thousand members appends a few adjacent pages instead of touching
-- one page per member. `actions` holds the event's distinct action lists (a JSON array, kept
-- as json so each list comes back as sent); each user row names its list by index. The rows
-- stay for GET /notifications. thread_id is 'main' or the thread root's event ID.
CREATE TABLE push_events (
    stream    BIGINT NOT NULL PRIMARY KEY,
    room_id   TEXT   COLLATE "C" NOT NULL,
    thread_id TEXT   COLLATE "C" NOT NULL,
    event_id  TEXT   NOT NULL,
    ts        BIGINT NOT NULL,
    actions   json   NOT NULL
);
CREATE INDEX push_events_by_room ON push_events (room_id, stream);
CREATE TABLE push_event_users (
    stream        BIGINT  NOT NULL,
    user_id       TEXT    COLLATE "C" NOT NULL,
    highlight     BOOLEAN NOT NULL,
    actions_index INTEGER NOT NULL,
    PRIMARY KEY (stream, user_id)
);

-- How far each user has read each room: receipts (m.read, m.read.private) move it, per thread
-- for threaded receipts and for every thread ('') for unthreaded ones. A notification is
-- unread while its stream position is above both its thread's mark and the room's.
CREATE TABLE push_read_marks (
    user_id   TEXT   COLLATE "C" NOT NULL,
    room_id   TEXT   COLLATE "C" NOT NULL,
    thread_id TEXT   COLLATE "C" NOT NULL,
    stream    BIGINT NOT NULL,
    PRIMARY KEY (user_id, room_id, thread_id)
);

-- Pushers (POST /pushers/set). A pusher belongs to the device whose access token created it,
-- so logging that device out (deleting it) removes its pushers, as Synapse does.
CREATE TABLE pushers (
    user_id             TEXT   COLLATE "C" NOT NULL,
    app_id              TEXT   COLLATE "C" NOT NULL,
    pushkey             TEXT   COLLATE "C" NOT NULL,
    device_id           TEXT   COLLATE "C" NOT NULL,
    kind                TEXT   NOT NULL,
    app_display_name    TEXT   NOT NULL,
    device_display_name TEXT   NOT NULL,
    profile_tag         TEXT,
    lang                TEXT   NOT NULL,
    data                TEXT   NOT NULL,
    created_ts          BIGINT NOT NULL,
    PRIMARY KEY (user_id, app_id, pushkey),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);
CREATE INDEX pushers_by_key ON pushers (app_id, pushkey);
CREATE INDEX pushers_by_device ON pushers (user_id, device_id);

-- Notifications waiting for delivery to a push gateway, written in the event's transaction
-- and sent later by a background worker, so a slow gateway never holds up a send.
CREATE TABLE push_queue (
    queue_id        BIGSERIAL PRIMARY KEY,
    user_id         TEXT   COLLATE "C" NOT NULL,
    app_id          TEXT   COLLATE "C" NOT NULL,
    pushkey         TEXT   COLLATE "C" NOT NULL,
    stream          BIGINT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ts BIGINT NOT NULL,
    FOREIGN KEY (user_id, app_id, pushkey) REFERENCES pushers (user_id, app_id, pushkey) ON DELETE CASCADE
);
CREATE INDEX push_queue_due ON push_queue (next_attempt_ts);
CREATE INDEX push_queue_by_pusher ON push_queue (user_id, app_id, pushkey);

-- Full-text index of searchable text (content.body, content.name, content.topic) for /search,
-- keyed by the event's stream position (one searchable key per event type), which joins back
-- to events for the room, visibility and redaction checks.
CREATE TABLE event_search (
    stream BIGINT   NOT NULL PRIMARY KEY,
    key    TEXT     NOT NULL,
    vector tsvector NOT NULL
);
CREATE INDEX event_search_vector ON event_search USING GIN (vector);

-- Reports of events, rooms and users (POST /rooms/{roomId}/report[/{eventId}],
-- POST /users/{userId}/report): event_id '' for a report of a room, room_id and event_id ''
-- with target_user_id for a report of a user.
CREATE TABLE reports (
    report_id   BIGSERIAL PRIMARY KEY,
    room_id     TEXT   NOT NULL,
    event_id    TEXT   NOT NULL,
    target_user_id TEXT,
    user_id     TEXT   NOT NULL,
    reason      TEXT,
    score       BIGINT,
    received_ts BIGINT NOT NULL
);

-- OpenID tokens (POST /user/{userId}/openid/request_token) that other servers exchange for the
-- user's ID; stored as SHA-256 like access tokens.
CREATE TABLE openid_tokens (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    user_id    TEXT   NOT NULL,
    expires_ts BIGINT NOT NULL
);
CREATE INDEX openid_tokens_expiry ON openid_tokens (expires_ts);

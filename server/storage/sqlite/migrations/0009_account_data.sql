-- Account data of local users: global (room_id = '') or per room. stream_id orders changes so
-- that /sync can send only what changed since a token; a replaced row takes a new position.
CREATE TABLE account_data (
    user_id   TEXT    NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    room_id   TEXT    NOT NULL,
    type      TEXT    NOT NULL,
    content   TEXT    NOT NULL,
    stream_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id, type)
) STRICT;
CREATE INDEX account_data_by_stream ON account_data (user_id, stream_id);

-- Filters uploaded by clients; IDs come from one counter, so they are opaque decimal numbers.
CREATE TABLE filters (
    filter_id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   TEXT    NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    filter    TEXT    NOT NULL
) STRICT;

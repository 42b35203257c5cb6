-- Account data of local users: global (room_id = '') or per room. stream_id orders changes so
-- that /sync can send only what changed since a token; a replaced row takes a new position.
CREATE SEQUENCE account_data_stream;
CREATE TABLE account_data (
    user_id   TEXT   COLLATE "C" NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    room_id   TEXT   COLLATE "C" NOT NULL,
    type      TEXT   COLLATE "C" NOT NULL,
    content   TEXT   NOT NULL,
    stream_id BIGINT NOT NULL DEFAULT nextval('account_data_stream'),
    PRIMARY KEY (user_id, room_id, type)
);
CREATE INDEX account_data_by_stream ON account_data (user_id, stream_id);

-- Filters uploaded by clients; IDs come from one sequence, so they are opaque decimal numbers.
CREATE TABLE filters (
    filter_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   TEXT   COLLATE "C" NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    filter    TEXT   NOT NULL
);

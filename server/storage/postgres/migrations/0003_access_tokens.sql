-- Access tokens. Only the SHA-256 of a token is stored, so a copy of the database (a backup,
-- a support dump) does not hand out working credentials; lookups hash the presented token.
CREATE TABLE access_tokens (
    token_hash TEXT   COLLATE "C" NOT NULL PRIMARY KEY,
    user_id    TEXT   COLLATE "C" NOT NULL,
    device_id  TEXT   COLLATE "C" NOT NULL,
    created_ts BIGINT NOT NULL,
    -- NULL: the token does not expire.
    expires_ts BIGINT,
    -- A token belongs to exactly one device; deleting the device logs it out.
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);

-- Logging out a device or a user deletes by owner, and the cascade from devices needs it too.
CREATE INDEX access_tokens_by_device ON access_tokens (user_id, device_id);

-- Single-use login tokens (POST /login/get_token, then an m.login.token login). Stored as the
-- SHA-256 of the token, like access tokens. Consuming one deletes its row, so a token can log
-- in once even when two logins race for it.
CREATE TABLE login_tokens (
    token_hash TEXT    NOT NULL PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    created_ts INTEGER NOT NULL,
    expires_ts INTEGER NOT NULL
) STRICT;

-- Expired, never used tokens are swept by expiry when new ones are made.
CREATE INDEX login_tokens_by_expiry ON login_tokens (expires_ts);

-- Refresh tokens (spec: "Refreshing access tokens"), stored as SHA-256 digests. Each belongs to
-- one device; deleting the device (logout) deletes them.
CREATE TABLE refresh_tokens (
    token_hash    TEXT    NOT NULL PRIMARY KEY,
    user_id       TEXT    NOT NULL,
    device_id     TEXT    NOT NULL,
    created_ts    INTEGER NOT NULL,
    -- The refresh token this one was exchanged for. That one stays usable (a client may not have
    -- received this answer) until this token or the access token issued with it is first used.
    replaces_hash TEXT,
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
) STRICT;

CREATE INDEX refresh_tokens_by_device ON refresh_tokens (user_id, device_id);
-- Exchanging a refresh token again drops what the earlier exchange issued.
CREATE INDEX refresh_tokens_by_replaced ON refresh_tokens (replaces_hash)
    WHERE replaces_hash IS NOT NULL;

-- An access token issued by a refresh names the refresh token its first use revokes; NULL once
-- that happened, and for every access token not issued by a refresh.
ALTER TABLE access_tokens ADD COLUMN retires_refresh_hash TEXT;

CREATE INDEX access_tokens_by_retired_refresh ON access_tokens (retires_refresh_hash)
    WHERE retires_refresh_hash IS NOT NULL;

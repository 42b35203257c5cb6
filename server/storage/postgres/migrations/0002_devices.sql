-- Devices of local users; each login creates one or reuses the one the client names.
CREATE TABLE devices (
    -- Deleting an account row is not how accounts end (they are deactivated), but if one is
    -- ever purged its devices must not linger.
    user_id      TEXT   COLLATE "C" NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    device_id    TEXT   COLLATE "C" NOT NULL,
    display_name TEXT,
    created_ts   BIGINT NOT NULL,
    last_seen_ts BIGINT,
    last_seen_ip TEXT,
    PRIMARY KEY (user_id, device_id)
);

-- Registration tokens (client-server API, "Token-authenticated registration"), issued by the
-- operator. uses_allowed and expiry_time are NULL for "no limit".
CREATE TABLE registration_tokens (
    token        TEXT    NOT NULL PRIMARY KEY,
    uses_allowed INTEGER CHECK (uses_allowed IS NULL OR uses_allowed >= 0),
    completed    INTEGER NOT NULL DEFAULT 0,
    expiry_time  INTEGER,
    created_ts   INTEGER NOT NULL
) STRICT;

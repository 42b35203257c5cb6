-- Local accounts.
-- Identifiers use COLLATE "C": Matrix IDs compare byte by byte, like SQLite's default, so
-- ordering and paging match on both engines whatever locale the database was created with.
CREATE TABLE accounts (
    -- The full Matrix ID (@alice:example.org), so a row means the same thing without knowing
    -- the configured server name.
    user_id       TEXT    COLLATE "C" NOT NULL PRIMARY KEY,
    -- NULL when password login is impossible (guests, deactivated accounts). The hash format
    -- belongs to the auth code; storage keeps the string it is given.
    password_hash TEXT,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    is_guest      BOOLEAN NOT NULL DEFAULT FALSE,
    -- Milliseconds since the Unix epoch, like every *_ts column.
    created_ts    BIGINT  NOT NULL,
    -- Deactivated accounts keep their row: the spec forbids handing a user ID out again.
    deactivated   BOOLEAN NOT NULL DEFAULT FALSE
);

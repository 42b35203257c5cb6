-- Profiles of local users, one JSON object each (displayname, avatar_url, m.tz, custom keys).
-- The object is read and written whole: the spec caps it at 64 KiB and clients fetch it whole.
-- TEXT rather than JSONB: the server never queries inside it, and TEXT keeps its bytes as sent.
CREATE TABLE profiles (
    user_id TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES accounts (user_id) ON DELETE CASCADE,
    profile TEXT NOT NULL
);

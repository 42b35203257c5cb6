-- Other servers' signing keys, fetched from them or through notaries, so request and event
-- signatures can be checked without asking again. A key is kept after its server retires it
-- (expired_ts set, from old_verify_keys): old events stay verifiable.
CREATE TABLE remote_server_keys (
    server_name    TEXT    NOT NULL,
    key_id         TEXT    NOT NULL,
    verify_key     TEXT    NOT NULL,  -- unpadded base64 ed25519 public key
    valid_until_ts INTEGER NOT NULL,  -- the document's; capped at fetched_ts + 7 days when used
    fetched_ts     INTEGER NOT NULL,
    expired_ts     INTEGER,
    PRIMARY KEY (server_name, key_id)
) STRICT, WITHOUT ROWID;

-- The last signed key document of each server, as received: notary answers
-- (POST /_matrix/key/v2/query) must carry the server's own signature, so the JSON is kept whole.
CREATE TABLE remote_server_key_documents (
    server_name    TEXT    NOT NULL PRIMARY KEY,
    document       TEXT    NOT NULL,
    valid_until_ts INTEGER NOT NULL,
    fetched_ts     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

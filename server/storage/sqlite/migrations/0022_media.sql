-- The content repository (client-server API, "Content repository"): one row per mxc:// URI this
-- server knows, local uploads and the cached copies of other servers' media. The bytes live in
-- files named by their SHA-256 under the media folder (media/blob_store.hpp); a row without
-- sha256 is a pending upload created by POST /_matrix/media/v1/create.
CREATE TABLE media (
    origin             TEXT    NOT NULL,  -- the server name of the mxc:// URI
    media_id           TEXT    NOT NULL,
    user_id            TEXT,              -- the local uploader; NULL for other servers' media
    content_type       TEXT,              -- NULL until uploaded
    upload_name        TEXT,
    size               INTEGER,
    sha256             TEXT,              -- lower-case hex; NULL while pending
    created_ts         INTEGER NOT NULL,  -- creation, or when a remote copy was cached
    unused_expires_ts  INTEGER,           -- pending uploads only
    quarantined        INTEGER NOT NULL DEFAULT 0,
    -- Uploaded or cached while unauthenticated media was frozen: served by the
    -- /_matrix/client/v1/media endpoints only (the spec's deprecation of /_matrix/media/v3).
    authenticated_only INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (origin, media_id)
) STRICT, WITHOUT ROWID;

-- Counting a user's pending uploads (the spec asks for a limit).
CREATE INDEX media_pending_by_user ON media (user_id) WHERE sha256 IS NULL;
-- Whether a file is still used by some row before it is deleted.
CREATE INDEX media_by_sha256 ON media (sha256);

-- Generated thumbnails, keyed by what was asked for, so a repeated request is a file read.
CREATE TABLE media_thumbnails (
    origin       TEXT    NOT NULL,
    media_id     TEXT    NOT NULL,
    width        INTEGER NOT NULL,  -- requested
    height       INTEGER NOT NULL,  -- requested
    method       TEXT    NOT NULL,  -- crop or scale
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    created_ts   INTEGER NOT NULL,
    PRIMARY KEY (origin, media_id, width, height, method)
) STRICT, WITHOUT ROWID;

CREATE INDEX media_thumbnails_by_sha256 ON media_thumbnails (sha256);

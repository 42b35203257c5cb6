-- End-to-end encryption keys (client-server API, "End-to-End Encryption").
-- Device identity keys: the signed JSON object a device uploaded; gone with the device.
CREATE TABLE e2e_device_keys (
    user_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    key_json  TEXT NOT NULL,
    PRIMARY KEY (user_id, device_id),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
) STRICT;

-- One-time keys: each is handed out once by /keys/claim and deleted then.
CREATE TABLE e2e_one_time_keys (
    user_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    key_json  TEXT NOT NULL,
    PRIMARY KEY (user_id, device_id, algorithm, key_id),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
) STRICT;

-- Fallback keys: one per device and algorithm, handed out when the one-time keys ran out.
-- A claim marks it used but keeps it until the device uploads a replacement.
CREATE TABLE e2e_fallback_keys (
    user_id   TEXT    NOT NULL,
    device_id TEXT    NOT NULL,
    algorithm TEXT    NOT NULL,
    key_id    TEXT    NOT NULL,
    key_json  TEXT    NOT NULL,
    used      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, device_id, algorithm),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
) STRICT;

-- Cross-signing keys: usage is master, self_signing or user_signing; a new upload replaces.
CREATE TABLE e2e_cross_signing_keys (
    user_id  TEXT NOT NULL,
    usage    TEXT NOT NULL,
    key_json TEXT NOT NULL,
    PRIMARY KEY (user_id, usage)
) STRICT;

-- Signatures uploaded through /keys/signatures/upload, kept apart from the signed JSON so
-- that each can be shown only to whom it concerns. target_key_id is a device ID or the public
-- key of a cross-signing key.
CREATE TABLE e2e_signatures (
    signer_user_id TEXT NOT NULL,
    target_user_id TEXT NOT NULL,
    target_key_id  TEXT NOT NULL,
    signing_key_id TEXT NOT NULL,
    signature      TEXT NOT NULL,
    PRIMARY KEY (target_user_id, target_key_id, signer_user_id, signing_key_id)
) STRICT;

-- The device-list stream: the position of each user's latest change of devices or keys.
-- Only the latest matters to "changed since", so one row per user keeps it small.
CREATE TABLE device_list_changes (
    user_id   TEXT    PRIMARY KEY,
    stream_id INTEGER NOT NULL
) STRICT;
CREATE INDEX device_list_changes_by_stream ON device_list_changes (stream_id);

-- Server-side key backup versions. A deleted version keeps its row (numbers are never reused)
-- but loses its keys. etag changes whenever the version's keys change.
CREATE TABLE backup_versions (
    user_id   TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    algorithm TEXT    NOT NULL,
    auth_data TEXT    NOT NULL,
    etag      INTEGER NOT NULL DEFAULT 0,
    deleted   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, version)
) STRICT;

CREATE TABLE backup_room_keys (
    user_id             TEXT    NOT NULL,
    version             INTEGER NOT NULL,
    room_id             TEXT    NOT NULL,
    session_id          TEXT    NOT NULL,
    first_message_index INTEGER NOT NULL,
    forwarded_count     INTEGER NOT NULL,
    is_verified         INTEGER NOT NULL,
    session_data        TEXT    NOT NULL,
    PRIMARY KEY (user_id, version, room_id, session_id),
    FOREIGN KEY (user_id, version) REFERENCES backup_versions (user_id, version) ON DELETE CASCADE
) STRICT;

-- PDUs and EDUs waiting to be sent to other servers, and each destination's back-off.
CREATE TABLE federation_outbox (
    stream_id   BIGSERIAL PRIMARY KEY,
    destination TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('pdu', 'edu')),
    body        TEXT NOT NULL
);
CREATE INDEX federation_outbox_by_destination ON federation_outbox (destination, kind, stream_id);

CREATE TABLE federation_destinations (
    destination TEXT COLLATE "C" PRIMARY KEY,
    retry_at_ms BIGINT NOT NULL,
    backoff_ms  BIGINT NOT NULL,
    last_error  TEXT NOT NULL
);

-- Application services (application service API, "Pushing events"). Each service reads the
-- event stream on its own: `stream_position` is how far its events have been put into
-- transactions. The worker queues a batch and moves the position in one write, so every event
-- goes into exactly one transaction and a restart resumes where it stopped. A new service
-- starts at the stream's end, not at the beginning of history.
CREATE TABLE appservice_streams (
    appservice_id   TEXT    NOT NULL PRIMARY KEY,
    stream_position INTEGER NOT NULL,
    -- The last transaction ID handed out: IDs only grow, so the service can tell a retry
    -- (same ID) from a new transaction.
    last_txn_id     INTEGER NOT NULL
) STRICT;

-- Transactions not yet accepted by their service, sent oldest first. `events` is a JSON array
-- of event IDs, rendered in client format when sent; a retry sends the same ID and events.
CREATE TABLE appservice_txns (
    appservice_id   TEXT    NOT NULL,
    txn_id          INTEGER NOT NULL,
    events          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ts INTEGER NOT NULL,
    PRIMARY KEY (appservice_id, txn_id)
) STRICT;

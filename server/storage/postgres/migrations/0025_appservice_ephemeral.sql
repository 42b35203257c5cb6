-- Ephemeral data for application services that ask for it (`receive_ephemeral`): how far each
-- service has read the receipts, and the EDUs a queued transaction carries beside its events
-- (a JSON array, sent as `ephemeral`; a retry sends the same).
ALTER TABLE appservice_streams ADD COLUMN receipt_position BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appservice_txns ADD COLUMN ephemeral TEXT NOT NULL DEFAULT '[]';
-- The worker reads receipts of every room by position.
CREATE INDEX receipts_by_stream_id ON receipts (stream_id);
-- Services already following the stream start on the receipts from now on, not from the first.
UPDATE appservice_streams SET receipt_position = (SELECT COALESCE(MAX(stream_id), 0) FROM receipts);

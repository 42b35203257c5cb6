-- POST /rooms/{roomId}/forget: a user's left room stops appearing to them (the leave section
-- of /sync). A later membership change brings it back, so the flag lives on the member row.
ALTER TABLE room_memberships ADD COLUMN forgotten INTEGER NOT NULL DEFAULT 0 CHECK (forgotten IN (0, 1));

-- The sender's client recognises its own events by the transaction ID echoed in `unsigned`.
CREATE INDEX client_transactions_by_event ON client_transactions (event_id);

-- Transactions other servers pushed here (PUT /_matrix/federation/v1/send/{txnId}) with the
-- answer each got: the spec makes a transaction ID unique per origin, and a sender that lost
-- the answer retries with the same ID, which must not process the PDUs and EDUs twice.
CREATE TABLE federation_inbound_transactions (
    origin      TEXT    NOT NULL,
    txn_id      TEXT    NOT NULL,
    -- The JSON body answered.
    response    TEXT    NOT NULL,
    received_ts INTEGER NOT NULL,
    PRIMARY KEY (origin, txn_id)
) STRICT;
-- Old entries are forgotten by age.
CREATE INDEX federation_inbound_transactions_by_ts ON federation_inbound_transactions (received_ts);

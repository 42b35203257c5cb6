-- Tie the free-standing stream sequences to the columns they number, so the schema itself says
-- which column each one feeds: `ranvier migrate-db` moves every sequence past the largest value
-- of its column after copying rows in, and finds the column through this ownership
-- (pg_get_serial_sequence), like it does for identity and serial columns.
ALTER SEQUENCE account_data_stream OWNED BY account_data.stream_id;
ALTER SEQUENCE receipts_stream OWNED BY receipts.stream_id;
ALTER SEQUENCE device_list_stream OWNED BY device_list_changes.stream_id;

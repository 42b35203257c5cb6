-- PostgreSQL ties its stream sequences to their columns in this migration. SQLite numbers those
-- columns with MAX() + 1 and has no sequences, so there is nothing to change here; the file
-- keeps the two backends' migration numbers in step.
SELECT 1;

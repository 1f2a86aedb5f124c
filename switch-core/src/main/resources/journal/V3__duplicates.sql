-- Journal schema, version 3: how many times the terminal re-sent a transaction (each re-send is
-- answered from the record and never reaches the issuer), the last time it did, and the count on
-- each timeline step; and an index for the settlement report's look-up of a terminal's batch.
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS duplicates INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS last_duplicate_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE transaction_events ADD COLUMN IF NOT EXISTS duplicates INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS transactions_batch ON transactions (terminal_id, batch);

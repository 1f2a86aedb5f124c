-- Journal schema, version 2: what a void, refund or completion acted on, the terminal's batch, and
-- notes for operations (void reversed after its original's reversal, out-of-balance settlement,
-- batch-upload differences, reversals re-queued or resolved by hand: who and why).
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS original_rrn VARCHAR(32) NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS batch VARCHAR(6) NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS flag VARCHAR(4096) NOT NULL DEFAULT '';

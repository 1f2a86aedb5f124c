-- Journal schema, version 8: one row write per transaction. Until now every record change was an
-- event row (transaction_events) beside an upsert of the transaction's row, and the messages were
-- rows of their own (transaction_messages): a sale cost three event inserts, two message inserts
-- and one or two upserts, each with its index updates. Now the transaction's row carries
--   steps           its history, one line per change ("epochMillis seq STATE flags safAttempts
--                   duplicates responseCode"; flags: d = delivered, e = SAF expired, - = neither),
--                   appended to by each batch that writes the row (JournalQueries reads it)
--   request_fields  the masked text of the terminal's request (as transaction_messages held it)
--   answer_fields   the masked text of the answer sent
-- so a sale whose changes meet in one batch is one insert. transaction_events keeps the events
-- written before this version (the timeline reads both); the messages move onto their rows.
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS steps VARCHAR NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS request_fields VARCHAR(4000);
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS answer_fields VARCHAR(4000);
-- (Like every script, this one can run again from the top: H2 commits each DDL statement as it
-- runs it, so a crash in the middle of a script leaves part of it applied and the version
-- unrecorded. Hence IF [NOT] EXISTS everywhere, the V8 table made again if a cut-short run
-- dropped it, and the move keeping what an earlier run already moved.)
CREATE TABLE IF NOT EXISTS transaction_messages (
    rrn    VARCHAR(32)   NOT NULL,
    kind   VARCHAR(8)    NOT NULL,
    fields VARCHAR(4000) NOT NULL,
    CONSTRAINT transaction_messages_once UNIQUE (rrn, kind)
);
UPDATE transactions SET
    request_fields = COALESCE((SELECT m.fields FROM transaction_messages m
        WHERE m.rrn = transactions.rrn AND m.kind = 'request'), request_fields),
    answer_fields = COALESCE((SELECT m.fields FROM transaction_messages m
        WHERE m.rrn = transactions.rrn AND m.kind = 'answer'), answer_fields);
DROP TABLE IF EXISTS transaction_messages;
-- One index fewer: the two that began with terminal_id become one, which serves both look-ups
-- (settlements' batch(merchant, terminal, batch) by its first two columns; find by terminal and
-- STAN by its first, then the STAN within the terminal's rows). Measured on the embedded H2 with
-- sales written as the writer writes them: each index of transactions costs about 1.6 KB allocated
-- and 1 to 2 us per row written (the four besides the primary key: 14.8 KB and ~12 us per row; none:
-- 8.3 KB and ~7 us); this one merge saves one of them.
DROP INDEX IF EXISTS transactions_terminal_stan;
DROP INDEX IF EXISTS transactions_batch;
CREATE INDEX IF NOT EXISTS transactions_terminal ON transactions (terminal_id, batch, terminal_stan);

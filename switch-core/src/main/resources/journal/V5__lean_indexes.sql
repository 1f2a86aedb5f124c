-- Journal schema, version 5: two indexes fewer on transactions, so that each row the writer inserts
-- or moves costs two index updates fewer. What each remaining index serves (JournalQueries, the
-- planners' choice on H2 and PostgreSQL 15, 200 000 rows):
--   transactions_pkey (rrn)              find by rrn, the timeline, the writer's upsert and rescan
--   transactions_received (received_at)  every period: find/duplicates/undelivered with from/to,
--                                        recon's range, actingOn and settlements, and newest-first paging
--   transactions_terminal_stan           find by terminal and STAN (a receipt's look-up)
--   transactions_batch (terminal_id, batch)  recon settlements' batch(merchant, terminal, batch); find by terminal
--   transactions_state (state, saf_expired)  the SAF view (/ops/saf) and find by state
--   transaction_events_once              the timeline (events by rrn), and one event per change
-- Dropped: transactions_pan: PostgreSQL never used it (LIKE '476173%0010' needs the C collation
-- or text_pattern_ops); on H2 a PAN search with from/to already goes by received_at, one without
-- scans. transactions_merchant: a merchant search goes by received_at (with from/to, or newest
-- first until the page is full); recon's batch look-up goes by terminal.
DROP INDEX IF EXISTS transactions_pan;
DROP INDEX IF EXISTS transactions_merchant;

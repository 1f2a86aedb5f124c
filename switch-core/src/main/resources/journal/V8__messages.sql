-- Journal schema: the messages a transaction exchanged with its terminal, masked (docs/console.md):
-- the terminal's request as received and the answer as sent, one "number=value" line per field
-- (0 = the MTI). Card data: the PAN as first 6 + last 4; tracks, PIN block, ICC data and MACs by
-- length only, never their content; private fields (48, 60-63, 120-127) by length only. Written by
-- the journal writer when the change that brought the message is written; one row per (rrn, kind).
CREATE TABLE IF NOT EXISTS transaction_messages (
    rrn    VARCHAR(32)   NOT NULL,
    kind   VARCHAR(8)    NOT NULL,
    fields VARCHAR(4000) NOT NULL,
    CONSTRAINT transaction_messages_once UNIQUE (rrn, kind)
);

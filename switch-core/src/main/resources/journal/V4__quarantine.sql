-- Journal schema, version 4: the quarantine. A change the database refused for its data even after
-- JournalValues fixed it (or that failed alone three times while other changes were written) is
-- kept here with the reason instead of being retried for ever: the writer goes on with the rest.
-- Values are the normalised row in printable ASCII; card data: masked PAN only. One row per change
-- (rrn, seq): while it stands, the writer's rescans do not try that change again; delete it to
-- have the next start (or the next recovery from an outage) try it again.
CREATE TABLE IF NOT EXISTS journal_quarantine (
    rrn            VARCHAR(32)    NOT NULL,
    seq            BIGINT         NOT NULL,
    state          VARCHAR(20)    NOT NULL,
    reason         VARCHAR(1000)  NOT NULL,
    row_values     VARCHAR(10000) NOT NULL,
    quarantined_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT journal_quarantine_once UNIQUE (rrn, seq)
);
CREATE INDEX IF NOT EXISTS journal_quarantine_at ON journal_quarantine (quarantined_at);

-- Journal schema, version 1. Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode.
-- Card data: masked PAN only (first 6 + last 4), as the transaction record holds it.

CREATE TABLE IF NOT EXISTS transactions (
    rrn             VARCHAR(32) NOT NULL PRIMARY KEY,
    seq             BIGINT      NOT NULL,
    state           VARCHAR(20) NOT NULL,
    message_class   VARCHAR(24) NOT NULL,
    mti             VARCHAR(4)  NOT NULL,
    processing_code VARCHAR(6)  NOT NULL,
    terminal_id     VARCHAR(16) NOT NULL,
    merchant_id     VARCHAR(15) NOT NULL,
    terminal_stan   VARCHAR(6)  NOT NULL,
    masked_pan      VARCHAR(19) NOT NULL,
    amount          BIGINT      NOT NULL,
    currency        VARCHAR(3)  NOT NULL,
    issuer          VARCHAR(64) NOT NULL,
    response_code   VARCHAR(2)  NOT NULL,
    auth_code       VARCHAR(6)  NOT NULL,
    delivered       BOOLEAN     NOT NULL,
    reversal_reason VARCHAR(64) NOT NULL,
    saf_attempts    INTEGER     NOT NULL,
    saf_expired     BOOLEAN     NOT NULL,
    received_at     TIMESTAMP WITH TIME ZONE,
    forwarded_at    TIMESTAMP WITH TIME ZONE,
    completed_at    TIMESTAMP WITH TIME ZONE,
    reversed_at     TIMESTAMP WITH TIME ZONE,
    journaled_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX IF NOT EXISTS transactions_terminal_stan ON transactions (terminal_id, terminal_stan);
CREATE INDEX IF NOT EXISTS transactions_merchant ON transactions (merchant_id, received_at);
CREATE INDEX IF NOT EXISTS transactions_pan ON transactions (masked_pan);
CREATE INDEX IF NOT EXISTS transactions_received ON transactions (received_at);
CREATE INDEX IF NOT EXISTS transactions_state ON transactions (state, saf_expired);

CREATE TABLE IF NOT EXISTS transaction_events (
    rrn           VARCHAR(32) NOT NULL,
    seq           BIGINT      NOT NULL,
    state         VARCHAR(20) NOT NULL,
    response_code VARCHAR(2)  NOT NULL,
    delivered     BOOLEAN     NOT NULL,
    saf_attempts  INTEGER     NOT NULL,
    saf_expired   BOOLEAN     NOT NULL,
    occurred_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT transaction_events_once UNIQUE (rrn, seq, response_code)
);

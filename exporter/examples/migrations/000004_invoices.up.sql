CREATE TABLE invoices (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id),
    amount      numeric(12, 2) NOT NULL,
    currency    char(3) NOT NULL DEFAULT 'EUR',
    issued_at   timestamptz NOT NULL DEFAULT now(),
    paid_at     timestamptz,
    CONSTRAINT invoices_amount_positive CHECK (amount > 0)
);

CREATE INDEX invoices_unpaid_idx ON invoices (account_id) WHERE paid_at IS NULL;
ALTER TABLE users ADD COLUMN last_login_at timestamptz;

CREATE TABLE invoices (
    id          bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id  bigint unsigned NOT NULL,
    amount      decimal(12, 2) NOT NULL,
    currency    char(3) NOT NULL DEFAULT 'EUR',
    issued_at   datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    paid_at     datetime NULL,
    CONSTRAINT invoices_amount_positive CHECK (amount > 0),
    CONSTRAINT invoices_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB;

CREATE INDEX invoices_unpaid_idx ON invoices (account_id, paid_at);
ALTER TABLE users ADD COLUMN last_login_at datetime NULL;

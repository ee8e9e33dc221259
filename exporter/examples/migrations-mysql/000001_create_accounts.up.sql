-- Accounts and their users.
CREATE TABLE accounts (
    id          bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name        varchar(200) NOT NULL,
    plan        enum('free', 'team', 'enterprise') NOT NULL DEFAULT 'free',
    created_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB;

CREATE TABLE users (
    id          bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id  bigint unsigned NOT NULL,
    email       varchar(320) NOT NULL,
    full_name   varchar(200) NULL,
    created_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
) ENGINE=InnoDB COMMENT='People who sign in; one account has many.';

CREATE INDEX users_account_id_idx ON users (account_id);

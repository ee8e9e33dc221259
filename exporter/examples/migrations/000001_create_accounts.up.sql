-- Accounts and their users.
CREATE TYPE account_plan AS ENUM ('free', 'team', 'enterprise');

CREATE TABLE accounts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    plan        account_plan NOT NULL DEFAULT 'free',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email       varchar(320) NOT NULL,
    full_name   text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE INDEX users_account_id_idx ON users (account_id);
COMMENT ON TABLE users IS 'People who sign in; one account has many.';

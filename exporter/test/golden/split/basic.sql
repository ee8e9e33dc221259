-- A plain migration: statements, blank lines and comments between them.
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL
);

-- the index comes second
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));;

INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com');  -- trailing comment
SELECT count(*) FROM users
-- the last statement has no semicolon, only a comment after it

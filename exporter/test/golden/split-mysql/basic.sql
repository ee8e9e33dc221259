-- A plain migration: tables, an index, data.
CREATE TABLE users (
  id int unsigned NOT NULL AUTO_INCREMENT, -- surrogate key
  email varchar(255) NOT NULL,             # MySQL's own comment style
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

/* a block comment
   spanning lines; with a semicolon */
CREATE INDEX users_email ON users (email);

INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com');
ALTER TABLE users ADD COLUMN name varchar(100) NULL AFTER email;;
SELECT 1--1;
SELECT 2 --1
;

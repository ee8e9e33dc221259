-- Statements that cannot run in one multi-statement query.
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TYPE mood ADD VALUE 'happy';
CREATE TABLE people (id int, current_mood mood DEFAULT 'happy');
CREATE INDEX CONCURRENTLY people_mood_idx ON people (current_mood);

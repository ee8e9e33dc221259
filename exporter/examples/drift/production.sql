-- What happened to "production" after the migrations ran: hot-fixes typed into psql.
-- A column retyped by hand (someone needed longer emails "just for now"):
ALTER TABLE users ALTER COLUMN email TYPE text;
-- An index an ORM helpfully added:
CREATE INDEX invoices_issued_at_idx ON invoices (issued_at);
-- A constraint dropped during an incident and never restored:
ALTER TABLE invoices DROP CONSTRAINT invoices_amount_positive;

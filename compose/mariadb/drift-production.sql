-- What happened to "production" after the migrations ran: hot-fixes typed into the mariadb client
-- (the MySQL twin of exporter/examples/drift/production.sql).
-- A column widened by hand:
ALTER TABLE users MODIFY full_name varchar(500) NULL;
-- An index an ORM helpfully added:
CREATE INDEX invoices_issued_at_idx ON invoices (issued_at);
-- A check constraint dropped during an incident and never restored:
ALTER TABLE invoices DROP CONSTRAINT invoices_amount_positive;

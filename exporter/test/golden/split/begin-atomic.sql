CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
CREATE TABLE orders (id int PRIMARY KEY, status order_status NOT NULL, total_cents int NOT NULL);

CREATE FUNCTION order_label(o orders) RETURNS text
LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE o.status
    WHEN 'paid' THEN 'paid; thanks'
    ELSE CASE WHEN o.total_cents > 0 THEN 'open' ELSE 'empty' END
  END;
END;

CREATE OR REPLACE PROCEDURE close_order(p_id int)
LANGUAGE sql
BEGIN ATOMIC
  UPDATE orders SET status = 'shipped' WHERE id = p_id;
  DELETE FROM orders WHERE id = p_id AND total_cents = 0;
END;

BEGIN;
INSERT INTO orders VALUES (1, 'paid', 100);
COMMIT;
CREATE FUNCTION plain_sql() RETURNS int LANGUAGE sql RETURN (SELECT CASE WHEN true THEN 1 END);
SELECT order_label(o) FROM orders o;

-- Stored programs without DELIMITER: what the server accepts in one multi-statement query.
CREATE TABLE orders (id int PRIMARY KEY, status varchar(20) NOT NULL, total int NOT NULL DEFAULT 0);

CREATE DEFINER = CURRENT_USER PROCEDURE classify(IN order_id int)
proc: BEGIN
  DECLARE t int;
  DECLARE done int DEFAULT 0;
  SELECT total INTO t FROM orders WHERE id = order_id;
  IF t IS NULL THEN
    LEAVE proc;
  ELSEIF t > 100 THEN
    UPDATE orders SET status = 'big' WHERE id = order_id;
  ELSE
    UPDATE orders SET status = CASE WHEN t = 0 THEN 'empty' ELSE 'small' END WHERE id = order_id;
  END IF;
  CASE t
    WHEN 1 THEN SET done = 1;
    ELSE BEGIN SET done = 2; END;
  END CASE;
  counter: LOOP
    SET done = done + 1;
    IF done > 5 THEN LEAVE counter; END IF;
  END LOOP counter;
  WHILE done < 10 DO SET done = done + 1; END WHILE;
  REPEAT SET done = done - 1; UNTIL done <= 0 END REPEAT;
END;

CREATE TRIGGER orders_status BEFORE INSERT ON orders FOR EACH ROW
BEGIN
  IF NEW.status = '' THEN SET NEW.status = 'new'; END IF;
END;

CREATE TRIGGER orders_total BEFORE UPDATE ON orders FOR EACH ROW SET NEW.total = GREATEST(NEW.total, 0);

CREATE FUNCTION order_count() RETURNS int READS SQL DATA RETURN (SELECT COUNT(*) FROM orders);

CREATE FUNCTION label(t int) RETURNS varchar(10) DETERMINISTIC
BEGIN
  RETURN CASE WHEN t > 100 THEN 'big' ELSE 'small' END;
END;

CREATE EVENT purge_orders ON SCHEDULE EVERY 1 DAY DISABLE DO BEGIN DELETE FROM orders WHERE status = 'gone'; END;

BEGIN NOT ATOMIC
  DECLARE n int DEFAULT 0;
  SET n = n + 1;
END;

BEGIN;
INSERT INTO orders (id, status) VALUES (1, '');
COMMIT;

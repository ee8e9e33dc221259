CREATE TABLE accounts (id int PRIMARY KEY, balance decimal(10,2) NOT NULL DEFAULT 0, updated_at datetime NULL);

DELIMITER $$
CREATE PROCEDURE deposit(IN account int, IN amount decimal(10,2))
BEGIN
  IF amount <= 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'amount must be positive; got none';
  END IF;
  UPDATE accounts SET balance = balance + amount WHERE id = account;
END$$

CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW
BEGIN
  SET NEW.updated_at = NOW();
END $$
DELIMITER ;

delimiter //
CREATE FUNCTION balance_of(account int) RETURNS decimal(10,2) READS SQL DATA
BEGIN
  DECLARE result decimal(10,2);
  SELECT balance INTO result FROM accounts WHERE id = account;
  RETURN result;
END//
delimiter ;

DELIMITER ;;
CREATE PROCEDURE noop() BEGIN DECLARE x int DEFAULT 1; SET x = x + 1; END;;
DELIMITER ;
CALL deposit(1, 10);

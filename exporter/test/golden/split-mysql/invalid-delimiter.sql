CREATE TABLE ok (id int);
DELIMITER
SELECT 1;
DELIMITER $$
SELECT 2$$
-- the file ends without switching back: the rest still splits on $$
SELECT 3; SELECT 4$$

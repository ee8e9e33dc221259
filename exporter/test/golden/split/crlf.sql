CREATE TABLE crlf (id int);

-- windows line endings
INSERT INTO crlf VALUES (1);
SELECT *
FROM crlf;

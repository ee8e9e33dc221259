CREATE TABLE ok (id int);
INSERT INTO ok VALUES (1);
INSERT INTO ok VALUES ('never closed);
CREATE TABLE lost (id int);

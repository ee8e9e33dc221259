CREATE TABLE `semi;colon` (`a``b` int, c varchar(20) DEFAULT 'x;y');
INSERT INTO `semi;colon` (`a``b`, c) VALUES (1, 'it''s; fine'), (2, 'back\'slash; too'), (3, "double \"quoted; text"), (4, "doubled "" quote;");
INSERT INTO `semi;colon` (`a``b`, c) VALUES (5, '-- not a comment; '), (6, '# nor this;'), (7, '/* nor; this */');
INSERT INTO `semi;colon` (`a``b`, c) VALUES (8, 'ends in backslash \\'), (9, _utf8mb4'charset; introducer'), (10, X'3B');
SELECT 'a' 'b' AS concatenated, `semi;colon`.c FROM `semi;colon` WHERE c <> '$$' ORDER BY 1;

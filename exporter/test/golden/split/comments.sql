/* header comment; with a semicolon
   /* and a nested comment; also with one */
   still inside the outer comment; */
CREATE TABLE notes (body text);
-- a line comment with a quote ' and a semicolon ;
INSERT INTO notes VALUES ('x' /* inline; comment */);
SELECT 1 -- trailing line comment ; not a split
  + 2;
/* only a comment after the last statement; */
-- and a line comment

SELECT 1;
SELECT 'this string never ends;
SELECT 2;

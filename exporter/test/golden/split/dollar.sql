CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();  -- a semicolon; inside the body
  RETURN NEW;
END;
$$;

CREATE FUNCTION outer_fn() RETURNS text LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE $q$SELECT 'inner; $$ not the end'$q$;
  RETURN $$dollar; string$$;
END
$fn$;

PREPARE find_user(bigint) AS SELECT $1::bigint AS id;
DEALLOCATE find_user;
CREATE TABLE price$list (a$b int);
DO $do$ BEGIN PERFORM 1; END $do$;

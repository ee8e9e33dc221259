-- create function bodies without validating them (as pg_dump does)
SET check_function_bodies = off;

-- drop function half to recreate it
-- hazards: rebuild
DROP FUNCTION public.half(integer);

-- add value angry to enum mood
-- runs outside a transaction block
ALTER TYPE public.mood ADD VALUE 'angry' BEFORE 'sad';

-- add value ok to enum mood
-- runs outside a transaction block
ALTER TYPE public.mood ADD VALUE 'ok' AFTER 'sad';

-- add value ecstatic to enum mood
-- runs outside a transaction block
ALTER TYPE public.mood ADD VALUE 'ecstatic' AFTER 'happy';

-- replace function public.double(integer)
CREATE OR REPLACE FUNCTION public.double(x integer)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
AS $function$select x + x$function$;

-- create function public.half(integer)
-- hazards: rebuild
CREATE OR REPLACE FUNCTION public.half(x integer)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE
AS $function$select x / 2.0$function$;

-- drop view public.big_totals
-- hazards: rebuild
DROP VIEW public.big_totals;

-- drop view public.order_totals
-- hazards: rebuild
DROP VIEW public.order_totals;

-- drop default of orders.amount
ALTER TABLE public.orders ALTER COLUMN amount DROP DEFAULT;

-- change type of orders.amount
-- hazards: heavy_lock, table_rewrite
ALTER TABLE public.orders ALTER COLUMN amount TYPE numeric(12,2) USING amount::numeric(12,2);

-- set default of orders.amount
ALTER TABLE public.orders ALTER COLUMN amount SET DEFAULT 0;

-- set not null of orders.amount
-- hazards: heavy_lock, may_fail
ALTER TABLE public.orders ALTER COLUMN amount SET NOT NULL;

-- create view public.order_totals
-- hazards: rebuild
CREATE VIEW public.order_totals AS
SELECT sum(orders.amount) AS total
   FROM public.orders;

-- create view public.big_totals
-- hazards: rebuild
CREATE VIEW public.big_totals AS
SELECT order_totals.total
   FROM public.order_totals
  WHERE (order_totals.total > (100)::numeric);

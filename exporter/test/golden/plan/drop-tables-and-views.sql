-- drop view public.big_totals
DROP VIEW public.big_totals;

-- drop view public.order_totals
DROP VIEW public.order_totals;

-- drop foreign key orders_customer_id_fkey between dropped tables
ALTER TABLE public.orders DROP CONSTRAINT orders_customer_id_fkey;

-- drop table public.customers
-- hazards: data_loss
DROP TABLE public.customers;

-- drop table public.orders
-- hazards: data_loss
DROP TABLE public.orders;

-- drop sequence public.orders_seq
DROP SEQUENCE IF EXISTS public.orders_seq;

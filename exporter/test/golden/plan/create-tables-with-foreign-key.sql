-- create table public.orders
CREATE TABLE public.orders (
    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1 NO CYCLE) NOT NULL,
    customer_id bigint
);

-- create table public.customers
CREATE TABLE public.customers (
    id bigint NOT NULL,
    email text
);

-- add primary key orders_pkey on orders
ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);

-- add primary key customers_pkey on customers
ALTER TABLE public.customers ADD CONSTRAINT customers_pkey PRIMARY KEY (id);

-- create index customers_email_idx on customers
CREATE INDEX customers_email_idx ON public.customers USING btree (email);

-- add foreign key orders_customer_id_fkey on orders
ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id) ON DELETE CASCADE;

-- comment on table customers
COMMENT ON TABLE public.customers IS 'people who buy';

DROP TABLE users;
DROP TABLE accounts;
DROP TYPE account_plan;

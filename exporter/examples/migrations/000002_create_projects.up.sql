CREATE TYPE task_status AS ENUM ('todo', 'doing', 'done');

CREATE TABLE projects (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        text NOT NULL,
    archived    boolean NOT NULL DEFAULT false,
    UNIQUE (account_id, name)
);

CREATE TABLE tasks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id   bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    assignee_id  bigint REFERENCES users (id) ON DELETE SET NULL,
    title        text NOT NULL,
    status       task_status NOT NULL DEFAULT 'todo',
    estimate_h   numeric(6, 2) CHECK (estimate_h >= 0),
    due_on       date,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX tasks_open_idx ON tasks (project_id, due_on) WHERE status <> 'done';

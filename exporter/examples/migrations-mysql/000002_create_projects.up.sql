CREATE TABLE projects (
    id          bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id  bigint unsigned NOT NULL,
    name        varchar(200) NOT NULL,
    archived    boolean NOT NULL DEFAULT false,
    CONSTRAINT projects_account_name_key UNIQUE (account_id, name),
    CONSTRAINT projects_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE tasks (
    id           bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id   bigint unsigned NOT NULL,
    assignee_id  bigint unsigned NULL,
    title        varchar(500) NOT NULL,
    status       enum('todo', 'doing', 'done') NOT NULL DEFAULT 'todo',
    estimate_h   decimal(6, 2) NULL,
    due_on       date NULL,
    updated_at   datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT tasks_estimate_positive CHECK (estimate_h >= 0),
    CONSTRAINT tasks_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT tasks_assignee_fk FOREIGN KEY (assignee_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB;

CREATE INDEX tasks_open_idx ON tasks (project_id, status, due_on);

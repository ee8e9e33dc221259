DROP TABLE tasks;
DROP TABLE projects;
DROP TYPE task_status;

DROP VIEW open_tasks_by_project;
DROP PROCEDURE archive_project;
DROP TRIGGER tasks_touch_updated_at;

DROP VIEW open_tasks_by_project;
DROP TRIGGER tasks_touch_updated_at ON tasks;
DROP FUNCTION touch_updated_at();

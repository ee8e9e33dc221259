-- Stored programs without DELIMITER: golang-migrate sends this file to the server as one multi-statement query
-- (multiStatements=true in the DSN), and the server parses each BEGIN ... END body whole. DELIMITER is a command
-- of the mysql client that the server rejects; schema-drift understands both forms.
CREATE TRIGGER tasks_touch_updated_at BEFORE UPDATE ON tasks FOR EACH ROW
BEGIN
    SET NEW.updated_at = CURRENT_TIMESTAMP;
END;

CREATE PROCEDURE archive_project(IN p_project bigint unsigned)
MODIFIES SQL DATA
BEGIN
    DECLARE open_count int DEFAULT 0;
    SELECT COUNT(*) INTO open_count FROM tasks WHERE project_id = p_project AND status <> 'done';
    IF open_count > 0 THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'project has open tasks; finish them first';
    END IF;
    UPDATE projects SET archived = true WHERE id = p_project;
END;

CREATE VIEW open_tasks_by_project AS
SELECT p.id AS project_id, p.name, COUNT(t.id) AS open_tasks
FROM projects p
LEFT JOIN tasks t ON t.project_id = p.id AND t.status <> 'done'
GROUP BY p.id, p.name;

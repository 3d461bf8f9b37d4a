CREATE TRIGGER power_items_changed_insert AFTER INSERT ON power_items BEGIN
    INSERT INTO power_list_changes (scope, version) VALUES ('', 1)
        ON CONFLICT (scope) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER power_items_changed_update AFTER UPDATE ON power_items BEGIN
    INSERT INTO power_list_changes (scope, version) VALUES ('', 1)
        ON CONFLICT (scope) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER power_items_changed_delete AFTER DELETE ON power_items BEGIN
    INSERT INTO power_list_changes (scope, version) VALUES ('', 1)
        ON CONFLICT (scope) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER devolutions_changed_insert AFTER INSERT ON devolutions BEGIN
    INSERT INTO power_list_changes (scope, version) VALUES (NEW.township_id, 1)
        ON CONFLICT (scope) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER devolutions_changed_update AFTER UPDATE ON devolutions BEGIN
    INSERT INTO power_list_changes (scope, version) VALUES (OLD.township_id, 1)
        ON CONFLICT (scope) DO UPDATE SET version = version + 1;
    INSERT INTO power_list_changes (scope, version) VALUES (NEW.township_id, 1)
        ON CONFLICT (scope) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER devolutions_changed_delete AFTER DELETE ON devolutions BEGIN
    INSERT INTO power_list_changes (scope, version) VALUES (OLD.township_id, 1)
        ON CONFLICT (scope) DO UPDATE SET version = version + 1;
END;

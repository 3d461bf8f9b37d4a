CREATE FUNCTION power_list_bump(which TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO power_list_changes (scope, version) VALUES (which, 1)
        ON CONFLICT (scope) DO UPDATE SET version = power_list_changes.version + 1;
$$;
CREATE FUNCTION power_items_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM power_list_bump('');
    RETURN NULL;
END $$;
CREATE TRIGGER power_items_changed AFTER INSERT OR UPDATE OR DELETE ON power_items
    FOR EACH STATEMENT EXECUTE FUNCTION power_items_changed();
CREATE FUNCTION devolutions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM power_list_bump(OLD.township_id); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM power_list_bump(NEW.township_id); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER devolutions_changed AFTER INSERT OR UPDATE OR DELETE ON devolutions
    FOR EACH ROW EXECUTE FUNCTION devolutions_changed();

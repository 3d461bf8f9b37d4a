-- 0001 foundation: the organisation, its people and their grids.
-- One file serves both databases: only portable types are used (TEXT,
-- BIGINT, DOUBLE PRECISION); times are RFC 3339 UTC text, which sorts in time
-- order; flags are BIGINT 0/1. `{{blob}}` is BLOB on SQLite, BYTEA on PostgreSQL.

CREATE TABLE jurisdictions (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_id   TEXT REFERENCES jurisdictions(id),
    -- '/411400/411423/411423101/': a subtree is a range of paths
    path        TEXT NOT NULL,
    lon         DOUBLE PRECISION,
    lat         DOUBLE PRECISION,
    created_at  TEXT NOT NULL
);
CREATE INDEX jurisdictions_parent ON jurisdictions(parent_id);
CREATE INDEX jurisdictions_path ON jurisdictions(path);
CREATE INDEX jurisdictions_level ON jurisdictions(level, path);

CREATE TABLE org_units (
    id               TEXT PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    jurisdiction_id  TEXT NOT NULL REFERENCES jurisdictions(id),
    parent_id        TEXT REFERENCES org_units(id),
    field            TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX org_units_jurisdiction ON org_units(jurisdiction_id, kind);
CREATE INDEX org_units_parent ON org_units(parent_id);

CREATE TABLE staff (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    post             TEXT NOT NULL,
    unit_id          TEXT REFERENCES org_units(id),
    jurisdiction_id  TEXT NOT NULL REFERENCES jurisdictions(id),
    phone            TEXT,
    specialty        TEXT,
    active           BIGINT NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL
);
CREATE INDEX staff_unit ON staff(unit_id);
CREATE INDEX staff_jurisdiction ON staff(jurisdiction_id, post);

CREATE TABLE credentials (
    id           TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff(id),
    number       TEXT NOT NULL UNIQUE,
    issuer       TEXT NOT NULL,
    fields       TEXT NOT NULL,
    valid_from   TEXT NOT NULL,
    valid_until  TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX credentials_staff ON credentials(staff_id);

CREATE TABLE grids (
    id           TEXT PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    township_id  TEXT NOT NULL REFERENCES jurisdictions(id),
    village_id   TEXT REFERENCES jurisdictions(id),
    -- GeoJSON geometry (Polygon or MultiPolygon) in WGS84
    geometry     TEXT NOT NULL,
    area_m2      DOUBLE PRECISION NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX grids_township ON grids(township_id);

-- Who is responsible for a grid, with history: squad ↔ district,
-- officer ↔ grid, grid worker ↔ grid. valid_until NULL means current.
CREATE TABLE assignments (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    grid_id      TEXT NOT NULL REFERENCES grids(id),
    unit_id      TEXT REFERENCES org_units(id),
    staff_id     TEXT REFERENCES staff(id),
    valid_from   TEXT NOT NULL,
    valid_until  TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX assignments_grid ON assignments(grid_id, kind, valid_from);
CREATE INDEX assignments_staff ON assignments(staff_id);

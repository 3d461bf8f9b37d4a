-- 0005 geography: outlines of county, townships and villages (GeoJSON in
-- WGS84), and a faster lookup of the current assignment of a grid.
-- Assignments from here on carry instants (RFC 3339, UTC), so that a report
-- made on the day of a reassignment still finds who was responsible then.

CREATE TABLE areas (
    jurisdiction_id  TEXT PRIMARY KEY REFERENCES jurisdictions(id),
    geometry         TEXT NOT NULL,
    area_m2          DOUBLE PRECISION NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE INDEX assignments_current ON assignments(grid_id, kind, valid_until);

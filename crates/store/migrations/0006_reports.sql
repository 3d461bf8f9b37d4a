-- 0006 one net: every report from every channel in one table, its events
-- (the closed loop, each step with actor and time) and its attachments,
-- stored once by SHA-256.

CREATE TABLE reports (
    id                TEXT PRIMARY KEY,
    channel           TEXT NOT NULL,
    description       TEXT NOT NULL,
    -- WGS84 as stored; the coordinates as sent, with their system
    lon               DOUBLE PRECISION NOT NULL,
    lat               DOUBLE PRECISION NOT NULL,
    crs_in            TEXT NOT NULL,
    lon_in            DOUBLE PRECISION NOT NULL,
    lat_in            DOUBLE PRECISION NOT NULL,
    township_id       TEXT NOT NULL REFERENCES jurisdictions(id),
    grid_id           TEXT NOT NULL REFERENCES grids(id),
    snapped_m         DOUBLE PRECISION,
    -- who answered for the grid when the report arrived
    squad_id          TEXT REFERENCES org_units(id),
    officer_id        TEXT REFERENCES staff(id),
    grid_worker_id    TEXT REFERENCES staff(id),
    item_code         TEXT,
    -- JSON: ranked item suggestions with scores
    suggestions       TEXT NOT NULL,
    urgency           TEXT NOT NULL,
    -- JSON: emergency categories detected
    emergency         TEXT NOT NULL,
    status            TEXT NOT NULL,
    duplicate_of      TEXT REFERENCES reports(id),
    duplicates        BIGINT NOT NULL,
    occurred_at       TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    reporter          TEXT NOT NULL,
    idempotency_key   TEXT,
    dispatched_squad  TEXT,
    dispatched_to     TEXT,
    handler           TEXT,
    deadline_at       TEXT,
    updated_at        TEXT NOT NULL,
    -- bumped by every step: a step applies only to the version it read
    version           BIGINT NOT NULL DEFAULT 0,
    UNIQUE (reporter, idempotency_key)
);
CREATE INDEX reports_township ON reports(township_id, received_at);
CREATE INDEX reports_status ON reports(status, deadline_at);
CREATE INDEX reports_item ON reports(item_code, received_at);

CREATE TABLE report_events (
    id           TEXT PRIMARY KEY,
    report_id    TEXT NOT NULL REFERENCES reports(id),
    action       TEXT NOT NULL,
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    actor        TEXT NOT NULL,
    note         TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX report_events_report ON report_events(report_id, at);

CREATE TABLE attachments (
    sha256      TEXT PRIMARY KEY,
    size        BIGINT NOT NULL,
    mime        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE report_attachments (
    report_id  TEXT NOT NULL REFERENCES reports(id),
    sha256     TEXT NOT NULL REFERENCES attachments(sha256),
    PRIMARY KEY (report_id, sha256)
);

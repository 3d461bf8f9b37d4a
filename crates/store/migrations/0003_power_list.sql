-- 0003 power list: items with every version kept, devolution to townships,
-- duty-access requests and the search index (segmented tokens).

CREATE TABLE power_items (
    id               TEXT PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    field            TEXT NOT NULL,
    current_version  BIGINT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX power_items_field ON power_items(field, code);

-- Nothing is overwritten: an edit adds a version with its author and reason.
CREATE TABLE power_item_versions (
    id          TEXT PRIMARY KEY,
    item_id     TEXT NOT NULL REFERENCES power_items(id),
    version     BIGINT NOT NULL,
    data        TEXT NOT NULL,
    author      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (item_id, version)
);

-- APL Art. 24: which township holds which item, by which published decision.
CREATE TABLE devolutions (
    id               TEXT PRIMARY KEY,
    township_id      TEXT NOT NULL REFERENCES jurisdictions(id),
    item_id          TEXT NOT NULL REFERENCES power_items(id),
    decision_no      TEXT NOT NULL,
    decision_date    TEXT NOT NULL,
    from_department  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    revoked_at       TEXT,
    UNIQUE (township_id, item_id)
);
CREATE INDEX devolutions_item ON devolutions(item_id);

-- 职责准入: every request of a county department to a township, with its outcome.
CREATE TABLE duty_requests (
    id            TEXT PRIMARY KEY,
    township_id   TEXT NOT NULL REFERENCES jurisdictions(id),
    department    TEXT NOT NULL,
    task          TEXT NOT NULL,
    item_code     TEXT,
    outcome       TEXT NOT NULL,
    reason        TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX duty_requests_township ON duty_requests(township_id, created_at);

-- Segmented tokens of each item's current version (see the search crate).
CREATE TABLE power_search (
    item_id  TEXT PRIMARY KEY REFERENCES power_items(id),
    tokens   TEXT NOT NULL
);

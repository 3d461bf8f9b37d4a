-- 0004 penalty cases: each case is filed under a held power-list item and
-- keeps the legal basis in force on the day of the act (APL Art. 37).

CREATE TABLE cases (
    id               TEXT PRIMARY KEY,
    township_id      TEXT NOT NULL REFERENCES jurisdictions(id),
    item_code        TEXT NOT NULL,
    item_version     BIGINT NOT NULL,
    item_name        TEXT NOT NULL,
    title            TEXT NOT NULL,
    act_date         TEXT NOT NULL,
    act_ended        TEXT,
    grave_harm       BIGINT NOT NULL,
    limitation_ends  TEXT NOT NULL,
    -- JSON: the provisions in force at the act, and lighter ones offered
    basis            TEXT NOT NULL,
    status           TEXT NOT NULL,
    filed_by         TEXT NOT NULL,
    filed_at         TEXT NOT NULL
);
CREATE INDEX cases_township ON cases(township_id, filed_at);

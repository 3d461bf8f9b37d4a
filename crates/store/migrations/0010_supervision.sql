-- 0010 supervision (督办), pauses and extensions, the working-day calendar,
-- tracking codes of public complaints, the report a case was opened from.

-- when the running step began, and since when it is paused (挂起)
ALTER TABLE reports ADD COLUMN step_started_at TEXT;
ALTER TABLE reports ADD COLUMN paused_at TEXT;

-- Every warning, overdue flag, supervision notice (督办单) and report to the
-- leader, once per deadline: the unique key makes a second scheduler (or a
-- second instance) a no-op.
CREATE TABLE report_supervision (
    id           TEXT PRIMARY KEY,
    report_id    TEXT NOT NULL REFERENCES reports(id),
    step         TEXT NOT NULL,
    -- the deadline this is about: a new step or a moved deadline starts over
    deadline_at  TEXT NOT NULL,
    -- warning, overdue, notice_township, notice_county, leader_report, or
    -- manual:<id> for a notice issued by a person
    kind         TEXT NOT NULL,
    issued_at    TEXT NOT NULL,
    issued_by    TEXT NOT NULL,
    -- a notice's own deadline
    due_at       TEXT,
    note         TEXT NOT NULL,
    township_id  TEXT NOT NULL REFERENCES jurisdictions(id),
    UNIQUE (report_id, deadline_at, kind)
);
CREATE INDEX report_supervision_report ON report_supervision(report_id, issued_at);
CREATE INDEX report_supervision_township ON report_supervision(township_id, issued_at);

-- Pauses and extensions: asked for with a reason, decided by a leader.
CREATE TABLE report_requests (
    id            TEXT PRIMARY KEY,
    report_id     TEXT NOT NULL REFERENCES reports(id),
    kind          TEXT NOT NULL,
    reason        TEXT NOT NULL,
    working_days  BIGINT,
    requested_by  TEXT NOT NULL,
    requested_at  TEXT NOT NULL,
    -- pending, approved, declined
    status        TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT,
    decision_note TEXT
);
CREATE INDEX report_requests_report ON report_requests(report_id, requested_at);

-- The State Council's holiday notice per year, as an admin entered it.
CREATE TABLE calendar_years (
    year        BIGINT PRIMARY KEY,
    -- JSON: the year's plan (holidays and make-up working days)
    plan        TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The tracking code (查询码) a member of the public gets for a complaint.
CREATE TABLE public_tracking (
    code        TEXT PRIMARY KEY,
    report_id   TEXT NOT NULL UNIQUE REFERENCES reports(id),
    created_at  TEXT NOT NULL
);

-- A penalty case opened from a report (the report's trail names the case).
ALTER TABLE cases ADD COLUMN report_id TEXT REFERENCES reports(id);

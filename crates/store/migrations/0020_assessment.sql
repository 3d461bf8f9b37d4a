-- 0020 assessment (考核): scoring rules per jurisdiction (every change is a
-- new row), frozen runs whose results are rows of their own — a later change
-- of the reports or cases does not change them — and appeals decided by a
-- leader with a reason.

CREATE TABLE assessment_rules (
    id               TEXT PRIMARY KEY,
    jurisdiction_id  TEXT NOT NULL REFERENCES jurisdictions(id),
    -- JSON of domain::assessment::ScoringRules
    rules            TEXT NOT NULL,
    set_by           TEXT NOT NULL,
    set_at           TEXT NOT NULL
);
CREATE INDEX assessment_rules_jurisdiction ON assessment_rules(jurisdiction_id, set_at);

CREATE TABLE assessment_runs (
    id               TEXT PRIMARY KEY,
    jurisdiction_id  TEXT NOT NULL REFERENCES jurisdictions(id),
    -- officer, squad, brigade, township, grid_worker, department
    subject_kind     TEXT NOT NULL,
    -- whole days in China time, both included (YYYY-MM-DD)
    period_from      TEXT NOT NULL,
    period_to        TEXT NOT NULL,
    -- the instant "overdue now" was judged at
    as_of            TEXT NOT NULL,
    -- the rules applied, as JSON: later rule changes do not touch the run
    rules            TEXT NOT NULL,
    title            TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX assessment_runs_jurisdiction ON assessment_runs(jurisdiction_id, created_at);

CREATE TABLE assessment_results (
    run_id        TEXT NOT NULL REFERENCES assessment_runs(id),
    subject       TEXT NOT NULL,
    subject_name  TEXT NOT NULL,
    -- JSON: every indicator's value (null: no value)
    indicators    TEXT NOT NULL,
    -- JSON: what each rule gave
    lines         TEXT NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    -- the score, or what an accepted appeal set
    final_score   DOUBLE PRECISION NOT NULL,
    ranking       BIGINT NOT NULL,
    PRIMARY KEY (run_id, subject)
);

CREATE TABLE assessment_appeals (
    id              TEXT PRIMARY KEY,
    run_id          TEXT NOT NULL REFERENCES assessment_runs(id),
    subject         TEXT NOT NULL,
    reason          TEXT NOT NULL,
    -- user:<id> or token:<name>
    appellant       TEXT NOT NULL,
    appellant_name  TEXT NOT NULL,
    filed_at        TEXT NOT NULL,
    -- filed, accepted, rejected
    status          TEXT NOT NULL,
    resolved_by     TEXT,
    resolution      TEXT,
    adjusted_score  DOUBLE PRECISION,
    resolved_at     TEXT
);
CREATE INDEX assessment_appeals_run ON assessment_appeals(run_id, filed_at);

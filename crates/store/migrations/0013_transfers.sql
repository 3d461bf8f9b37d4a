-- 0013 transfer of suspected crimes (行刑衔接, APL Art. 27, State Council
-- Decree 310): a case's transfer to the police — its record as JSON with a
-- version a step must match — every step taken with who, when and the
-- receipt or document it rests on, and the partner-agency liaisons (which
-- agency a liaison login speaks for).

-- One transfer per case. `record` is JSON of
-- domain::case::transfer::Transfer; `status` repeats its status for queries.
-- The police and the procuratorate are partner-agency units (org_units of
-- kind `agency`): they see the transfer, and nothing else.
CREATE TABLE transfers (
    id                     TEXT PRIMARY KEY,
    case_id                TEXT NOT NULL UNIQUE REFERENCES cases(id),
    status                 TEXT NOT NULL,
    record                 TEXT NOT NULL,
    version                BIGINT NOT NULL DEFAULT 0,
    police_unit_id         TEXT REFERENCES org_units(id),
    procuratorate_unit_id  TEXT REFERENCES org_units(id),
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX transfers_police ON transfers(police_unit_id, updated_at);
CREATE INDEX transfers_procuratorate ON transfers(procuratorate_unit_id, updated_at);

-- Every step, in order: the report is step 0. `detail` is JSON of
-- domain::case::transfer::Step (NULL for the report); `actor` the staff id,
-- `user:<id>` or `token:<name>`; `agency_unit_id` the partner agency the
-- actor answered for (NULL: the enforcing agency); `document` the receipt
-- or document number the step rests on (回执, 通知书, 移送书文号).
CREATE TABLE transfer_steps (
    id              TEXT PRIMARY KEY,
    transfer_id     TEXT NOT NULL REFERENCES transfers(id),
    seq             BIGINT NOT NULL,
    step            TEXT NOT NULL,
    detail          TEXT,
    status_after    TEXT NOT NULL,
    actor           TEXT NOT NULL,
    actor_name      TEXT NOT NULL,
    agency_unit_id  TEXT REFERENCES org_units(id),
    document        TEXT,
    at              TEXT NOT NULL,
    UNIQUE (transfer_id, seq)
);

-- The partner agency a liaison login (role agency_liaison) speaks for.
CREATE TABLE partner_liaisons (
    user_id      TEXT PRIMARY KEY REFERENCES users(id),
    unit_id      TEXT NOT NULL REFERENCES org_units(id),
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX partner_liaisons_unit ON partner_liaisons(unit_id);

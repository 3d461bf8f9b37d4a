-- 0007 24-hour duty (24小时值班): the shifts of the day, who is on which
-- shift of which date in which role, and the notes handed from one shift to
-- the next.

-- The duty plan, in China time. A shift whose end is not after its start
-- ends on the next date (the night shift crosses midnight). One plan for
-- the county; every township rosters against it.
CREATE TABLE duty_shifts (
    code             TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    -- 'HH:MM', China time
    starts           TEXT NOT NULL,
    ends             TEXT NOT NULL,
    -- 1: each date's shift needs a leader on duty (带班领导)
    leader_required  BIGINT NOT NULL DEFAULT 1,
    -- order within the day
    position         BIGINT NOT NULL,
    created_at       TEXT NOT NULL
);
INSERT INTO duty_shifts (code, name, name_en, starts, ends, leader_required, position, created_at)
VALUES ('day', '白班', 'Day shift', '08:00', '20:00', 1, 1, '2026-01-01T00:00:00.000000Z');
INSERT INTO duty_shifts (code, name, name_en, starts, ends, leader_required, position, created_at)
VALUES ('night', '夜班', 'Night shift', '20:00', '08:00', 1, 2, '2026-01-01T00:00:00.000000Z');

-- One person on one shift of one date. The instants are computed from the
-- shift when the entry is made and kept, so a later change of the plan does
-- not rewrite who was on duty when.
CREATE TABLE duty_roster (
    id           TEXT PRIMARY KEY,
    township_id  TEXT NOT NULL REFERENCES jurisdictions(id),
    staff_id     TEXT NOT NULL REFERENCES staff(id),
    unit_id      TEXT REFERENCES org_units(id),
    -- the date the shift begins on, YYYY-MM-DD (China time)
    shift_date   TEXT NOT NULL,
    shift_code   TEXT NOT NULL REFERENCES duty_shifts(code),
    -- leader, dispatcher or officer
    duty_role    TEXT NOT NULL,
    -- [starts_at, ends_at), RFC 3339 UTC
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (staff_id, shift_date, shift_code)
);
CREATE INDEX duty_roster_township ON duty_roster(township_id, starts_at);
CREATE INDEX duty_roster_date ON duty_roster(township_id, shift_date, shift_code);

-- 交接班: what the outgoing shift hands to the next one.
CREATE TABLE duty_handovers (
    id               TEXT PRIMARY KEY,
    township_id      TEXT NOT NULL REFERENCES jurisdictions(id),
    from_date        TEXT NOT NULL,
    from_shift       TEXT NOT NULL REFERENCES duty_shifts(code),
    to_date          TEXT NOT NULL,
    to_shift         TEXT NOT NULL REFERENCES duty_shifts(code),
    -- the user who wrote it, and the person of the staff where there is one
    author           TEXT NOT NULL,
    author_user_id   TEXT,
    author_staff_id  TEXT REFERENCES staff(id),
    note             TEXT NOT NULL,
    -- matters still open, handed over
    open_items       BIGINT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX duty_handovers_township ON duty_handovers(township_id, created_at);

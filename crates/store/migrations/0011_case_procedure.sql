-- 0011 the ordinary procedure (普通程序, APL Art. 54–67): each case keeps its
-- record — every step the rules allowed, as JSON — with a version a step
-- must match (optimistic concurrency), its party and what kind of case it
-- is (traits). The officers on a case are listed for queries; the legal
-- reviewers' qualification is recorded (Art. 58).

-- JSON of domain::case::Record; NULL for a case filed before this migration
-- (it is read as just filed)
ALTER TABLE cases ADD COLUMN record TEXT;
ALTER TABLE cases ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
-- JSON of domain::case::Party (personal data: read through an audited view)
ALTER TABLE cases ADD COLUMN party TEXT;
-- JSON of domain::case::procedure::CaseTraits; NULL: nothing particular
ALTER TABLE cases ADD COLUMN traits TEXT;
ALTER TABLE cases ADD COLUMN updated_at TEXT;

-- Who took part, rewritten from the record with every step: investigator,
-- presiding (hearing) or reviewer (legal review). `person` is a staff id,
-- or `user:<id>` for a login that is nobody of the brigade.
CREATE TABLE case_officers (
    case_id  TEXT NOT NULL REFERENCES cases(id),
    person   TEXT NOT NULL,
    part     TEXT NOT NULL,
    PRIMARY KEY (case_id, person, part)
);
CREATE INDEX case_officers_person ON case_officers(person);

-- APL Art. 58: who first took up legal review from 15 July 2021 on needs the
-- national legal qualification. A reviewer without a row here is taken as
-- unqualified, reviewing since their role was granted.
CREATE TABLE legal_reviewers (
    user_id          TEXT PRIMARY KEY REFERENCES users(id),
    -- the certificate number of the legal professional qualification; NULL: none
    qualification    TEXT,
    reviewing_since  TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
);

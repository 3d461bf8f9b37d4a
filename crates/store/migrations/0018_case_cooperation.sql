-- 0018 working with other bodies on a case: requests for assistance (APL
-- Art. 26) and joint investigations with county departments (联合调查).
-- Each is a JSON record of its domain type (domain::case::transfer::
-- AssistanceRequest, domain::case::joint::JointInvestigation) with a
-- version a change must match, and the units involved as columns so that a
-- department's liaison finds what concerns it, and nothing else.

CREATE TABLE assistance_requests (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases(id),
    -- the body asked (org_units of kind department or agency)
    unit_id         TEXT NOT NULL REFERENCES org_units(id),
    -- open | granted | refused
    status          TEXT NOT NULL,
    record          TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 0,
    requested_by    TEXT NOT NULL,
    answered_by     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX assistance_requests_case ON assistance_requests(case_id, created_at);
CREATE INDEX assistance_requests_unit ON assistance_requests(unit_id, updated_at);

CREATE TABLE joint_investigations (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases(id),
    -- open | concluded
    status          TEXT NOT NULL,
    record          TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 0,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX joint_investigations_case ON joint_investigations(case_id, created_at);

CREATE TABLE joint_members (
    joint_id        TEXT NOT NULL REFERENCES joint_investigations(id),
    unit_id         TEXT NOT NULL REFERENCES org_units(id),
    PRIMARY KEY (joint_id, unit_id)
);
CREATE INDEX joint_members_unit ON joint_members(unit_id);

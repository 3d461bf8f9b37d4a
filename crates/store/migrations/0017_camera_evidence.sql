-- 0017 camera evidence (APL Art. 41): a record from an electronic
-- monitoring device names its camera (which passed legal and technical
-- review) and is usable only after a person reviewed it as accurate and
-- complete and the party was told.
ALTER TABLE case_evidence ADD COLUMN camera_id TEXT REFERENCES cameras(id);
-- 1: usable as evidence; camera records start at 0 until reviewed
ALTER TABLE case_evidence ADD COLUMN usable BIGINT NOT NULL DEFAULT 1;
ALTER TABLE case_evidence ADD COLUMN reviewed_by TEXT;
ALTER TABLE case_evidence ADD COLUMN reviewed_at TEXT;
-- YYYY-MM-DD: the day the party was told of the record
ALTER TABLE case_evidence ADD COLUMN party_informed_on TEXT;

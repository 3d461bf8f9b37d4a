-- 0022 when the supervision sweep must next look at a report: '' = now (a
-- new report, or one whose step, deadline or pause changed since), a time
-- = not before then (the warning share, the deadline, the next rung of
-- the ladder), NULL = never again for this deadline (closed, paused, or
-- every rung issued). The sweep reads only the due ones, by this index,
-- instead of every running report each time.
ALTER TABLE reports ADD COLUMN supervise_at TEXT DEFAULT '';
CREATE INDEX reports_supervise_at ON reports(supervise_at) WHERE supervise_at IS NOT NULL;

-- 0023 the queue's order: newest first, of every report or of one status,
-- read from an index and stopped after a page instead of sorting every
-- matching report for each page.
CREATE INDEX reports_received ON reports(received_at, id);
CREATE INDEX reports_status_received ON reports(status, received_at, id);

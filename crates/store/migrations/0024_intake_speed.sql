-- 0024 intake at speed.
--
-- The duplicate check asks, for a report naming its item, for the open
-- reports of that item received lately close by: read from an index by
-- item and latitude, a few entries, instead of every recent report of the
-- item (which grows with the day's reports).
CREATE INDEX reports_item_place ON reports(item_code, lat, lon, received_at)
    WHERE item_code IS NOT NULL AND duplicate_of IS NULL;
-- reports_open_deadline (status, deadline_at, township_id) answers
-- everything this one did; one index fewer to write for every report.
DROP INDEX reports_status;

-- What the power list's search answers depend on, as counters that
-- triggers move on every change: scope '' for the items (an item added,
-- edited or removed), a township's id for its devolutions. Intake reads
-- the few counters it needs instead of counting the list for every batch.
CREATE TABLE power_list_changes (
    scope    TEXT PRIMARY KEY,
    version  BIGINT NOT NULL
);

-- 0021 dashboard: counters of the reports, kept in the same transaction as
-- the reports they count (store::stats), so that a dashboard view reads a
-- few thousand rows however many millions of reports there are. Days and
-- months are China time (UTC+8). `yiwang stats verify` recounts them from
-- the reports; `yiwang stats rebuild` rewrites them.

-- when the report was first closed (the day its closure counts on)
ALTER TABLE reports ADD COLUMN closed_at TEXT;
CREATE INDEX reports_closed ON reports(closed_at);
-- the overdue count reads only this index (the open statuses, their
-- deadlines and townships), not the reports
CREATE INDEX reports_open_deadline ON reports(status, deadline_at, township_id);
UPDATE reports SET closed_at = (
    SELECT MIN(e.at) FROM report_events e WHERE e.report_id = reports.id AND e.to_status = 'closed');

-- per township, day and channel: reports received that day, and reports
-- closed that day
CREATE TABLE stats_channel_day (
    township_id  TEXT NOT NULL,
    day          TEXT NOT NULL,
    channel      TEXT NOT NULL,
    received     BIGINT NOT NULL,
    closed       BIGINT NOT NULL,
    PRIMARY KEY (township_id, day, channel)
);
CREATE INDEX stats_channel_day_day ON stats_channel_day(day);

-- the same by the field of the report's power-list item ('' unclassified)
CREATE TABLE stats_field_day (
    township_id  TEXT NOT NULL,
    day          TEXT NOT NULL,
    field        TEXT NOT NULL,
    received     BIGINT NOT NULL,
    closed       BIGINT NOT NULL,
    PRIMARY KEY (township_id, day, field)
);
CREATE INDEX stats_field_day_day ON stats_field_day(day);

-- per grid and month (YYYY-MM): reports received there (the heat map)
CREATE TABLE stats_grid_month (
    township_id  TEXT NOT NULL,
    grid_id      TEXT NOT NULL,
    month        TEXT NOT NULL,
    received     BIGINT NOT NULL,
    PRIMARY KEY (grid_id, month)
);
CREATE INDEX stats_grid_month_month ON stats_grid_month(month, township_id);

-- per township, field and status: how many reports are in that state now
CREATE TABLE stats_status (
    township_id  TEXT NOT NULL,
    field        TEXT NOT NULL,
    status       TEXT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (township_id, field, status)
);

-- The counters from the reports (also `yiwang stats rebuild`, after
-- emptying the four tables; closed_at is kept as recorded).
INSERT INTO stats_channel_day (township_id, day, channel, received, closed)
SELECT township_id, day, channel, SUM(received), SUM(closed) FROM (
    SELECT township_id, to_char(received_at::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, channel, 1 AS received, 0 AS closed
      FROM reports
    UNION ALL
    SELECT township_id, to_char(closed_at::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), channel, 0, 1
      FROM reports WHERE closed_at IS NOT NULL
) x GROUP BY township_id, day, channel;
INSERT INTO stats_field_day (township_id, day, field, received, closed)
SELECT township_id, day, field, SUM(received), SUM(closed) FROM (
    SELECT r.township_id, to_char(r.received_at::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, COALESCE(p.field, '') AS field,
           1 AS received, 0 AS closed
      FROM reports r LEFT JOIN power_items p ON p.code = r.item_code
    UNION ALL
    SELECT r.township_id, to_char(r.closed_at::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), COALESCE(p.field, ''), 0, 1
      FROM reports r LEFT JOIN power_items p ON p.code = r.item_code
     WHERE r.closed_at IS NOT NULL
) x GROUP BY township_id, day, field;
INSERT INTO stats_grid_month (township_id, grid_id, month, received)
SELECT township_id, grid_id, to_char(received_at::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), COUNT(*)
  FROM reports GROUP BY township_id, grid_id, to_char(received_at::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM');
INSERT INTO stats_status (township_id, field, status, n)
SELECT r.township_id, COALESCE(p.field, ''), r.status, COUNT(*)
  FROM reports r LEFT JOIN power_items p ON p.code = r.item_code
 GROUP BY r.township_id, COALESCE(p.field, ''), r.status;

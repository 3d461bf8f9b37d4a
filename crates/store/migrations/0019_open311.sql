-- 0019 Open311 (GeoReport v2): the reports that came in through it, the
-- public identifier each is known by there (never the report's own id) and
-- the service it was filed under. The token a client gets back is the
-- report's tracking code (public_tracking), so the same code also works on
-- the public status page.

CREATE TABLE open311_requests (
    report_id           TEXT PRIMARY KEY REFERENCES reports(id),
    service_request_id  TEXT NOT NULL UNIQUE,
    service_code        TEXT NOT NULL,
    -- 'anonymous', or the partner (its integration token's principal name)
    client              TEXT NOT NULL,
    created_at          TEXT NOT NULL
);
CREATE INDEX open311_requests_code ON open311_requests(service_code, created_at);

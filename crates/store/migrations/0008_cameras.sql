-- 0008 the video network (雪亮工程): the cameras whose alerts become
-- reports, with their place and review (APL Art. 41: a record counts as
-- evidence only from a device that passed legal and technical review, at a
-- published place), each review kept; and the signing secrets of camera
-- integration tokens (the webhook's HMAC key).

CREATE TABLE cameras (
    id             TEXT PRIMARY KEY,
    -- the code the video platform sends with each alert
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    township_id    TEXT NOT NULL REFERENCES jurisdictions(id),
    -- the grid the camera stood in when registered
    grid_id        TEXT NOT NULL REFERENCES grids(id),
    -- WGS84 as stored; the coordinates as sent, with their system
    lon            DOUBLE PRECISION NOT NULL,
    lat            DOUBLE PRECISION NOT NULL,
    crs_in         TEXT NOT NULL,
    lon_in         DOUBLE PRECISION NOT NULL,
    lat_in         DOUBLE PRECISION NOT NULL,
    -- the place in words (村口十字路口东北角)
    location       TEXT NOT NULL,
    -- YYYY-MM-DD
    installed_at   TEXT,
    -- pending, reviewed or retired
    status         TEXT NOT NULL,
    -- 1: its location has been published (Art. 41)
    published      BIGINT NOT NULL DEFAULT 0,
    review_note    TEXT,
    reviewed_by    TEXT,
    reviewed_at    TEXT,
    registered_by  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX cameras_township ON cameras(township_id, status);

-- Every review decision, never edited: what the camera's state was when a
-- record was made can be shown later.
CREATE TABLE camera_reviews (
    id           TEXT PRIMARY KEY,
    camera_id    TEXT NOT NULL REFERENCES cameras(id),
    status       TEXT NOT NULL,
    published    BIGINT NOT NULL,
    note         TEXT NOT NULL,
    reviewed_by  TEXT NOT NULL,
    reviewed_at  TEXT NOT NULL
);
CREATE INDEX camera_reviews_camera ON camera_reviews(camera_id, reviewed_at);

-- The webhook's HMAC key for an integration token of kind `camera`. Unlike
-- the token (kept only as a digest) the server must read it to check a
-- signature, so it is kept as issued: protect the database like the audit
-- key. Shown once, in the answer that created the token.
CREATE TABLE camera_integrations (
    token_id    TEXT PRIMARY KEY REFERENCES integration_tokens(id),
    secret      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

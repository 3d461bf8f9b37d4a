-- 0002 identity: users and their roles in jurisdictions, sessions,
-- integration tokens, login attempts (throttling) and the hash-chained
-- audit record.

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    staff_id             TEXT REFERENCES staff(id),
    active               BIGINT NOT NULL DEFAULT 1,
    password_changed_at  TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

CREATE TABLE user_roles (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id),
    role             TEXT NOT NULL,
    jurisdiction_id  TEXT NOT NULL REFERENCES jurisdictions(id),
    created_at       TEXT NOT NULL,
    UNIQUE (user_id, role, jurisdiction_id)
);
CREATE INDEX user_roles_jurisdiction ON user_roles(jurisdiction_id);

-- Tokens are stored as SHA-256 digests, never in clear.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     TEXT NOT NULL REFERENCES users(id),
    csrf_token  TEXT NOT NULL,
    ip          TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE integration_tokens (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    jurisdiction_id  TEXT NOT NULL REFERENCES jurisdictions(id),
    permissions      TEXT NOT NULL,
    created_by       TEXT REFERENCES users(id),
    created_at       TEXT NOT NULL,
    expires_at       TEXT,
    revoked_at       TEXT,
    last_used_at     TEXT
);

CREATE TABLE login_attempts (
    id        TEXT PRIMARY KEY,
    username  TEXT NOT NULL,
    ip        TEXT NOT NULL,
    at        TEXT NOT NULL,
    success   BIGINT NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts(username, at);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);

-- Append-only, hash-chained: each entry's hash covers its fields and the
-- previous entry's hash (HMAC-SHA256 with the deployment's audit key).
-- audit_head holds the last sequence number and hash, so that removing
-- the newest entries is detected too.
CREATE TABLE audit_log (
    seq              BIGINT PRIMARY KEY,
    at               TEXT NOT NULL,
    actor            TEXT NOT NULL,
    actor_user_id    TEXT,
    role             TEXT NOT NULL,
    jurisdiction     TEXT NOT NULL,
    action           TEXT NOT NULL,
    object_type      TEXT NOT NULL,
    object_id        TEXT NOT NULL,
    request_id       TEXT NOT NULL,
    before_digest    TEXT NOT NULL,
    after_digest     TEXT NOT NULL,
    prev_hash        TEXT NOT NULL,
    hash             TEXT NOT NULL
);
CREATE INDEX audit_log_jurisdiction ON audit_log(jurisdiction, seq);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id);

CREATE TABLE audit_head (
    id    BIGINT PRIMARY KEY,
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

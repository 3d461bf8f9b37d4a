-- 0012 the documents of a case (numbered PDFs), its evidence files and
-- their chain of custody, for the archive (APL Art. 47).

-- The last document number given per agency, kind and year (文号). The
-- number is taken in the transaction that stores the document: a rollback
-- gives it back, so the numbers have no gaps.
CREATE TABLE document_numbers (
    agency       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    year         BIGINT NOT NULL,
    last_number  BIGINT NOT NULL,
    PRIMARY KEY (agency, kind, year)
);

-- Every document made for a case: the PDF is stored by its SHA-256 under
-- the data folder (documents/), with the fields it was made from.
CREATE TABLE case_documents (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL,
    agency      TEXT NOT NULL,
    year        BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    -- the number as printed: 宁城关罚决字〔2026〕第12号
    number      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        BIGINT NOT NULL,
    -- JSON: the fields rendered (the same template and fields give the same bytes)
    fields      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (agency, kind, year, seq)
);
CREATE INDEX case_documents_case ON case_documents(case_id, created_at);

-- Evidence files: photo, video, audio, document, camera_record. Stored by
-- SHA-256 under the data folder (evidence/); digest and size recorded at
-- upload.
CREATE TABLE case_evidence (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    kind         TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    mime         TEXT NOT NULL,
    name         TEXT NOT NULL,
    note         TEXT,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX case_evidence_case ON case_evidence(case_id, uploaded_at);

-- The chain of custody: who uploaded, viewed, exported or handed over
-- each evidence file, and when. Appended only.
CREATE TABLE evidence_custody (
    id           TEXT PRIMARY KEY,
    evidence_id  TEXT NOT NULL REFERENCES case_evidence(id),
    -- upload, view, export, hand_over
    action       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL,
    note         TEXT
);
CREATE INDEX evidence_custody_evidence ON evidence_custody(evidence_id, at);

-- PostgreSQL: one tsvector ('simple': no stemming) with the words as weight
-- A, the bigrams as B and the tags as C, under a GIN index; id gives the
-- order of arrival.
CREATE TABLE report_search (
    id         BIGSERIAL PRIMARY KEY,
    report_id  TEXT NOT NULL UNIQUE REFERENCES reports(id),
    path       TEXT NOT NULL,
    tsv        tsvector NOT NULL
);
CREATE INDEX report_search_tsv ON report_search USING GIN (tsv);

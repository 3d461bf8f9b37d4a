-- PostgreSQL: a tsvector of the tokens ('simple': no stemming) with a GIN index.
ALTER TABLE power_search ADD COLUMN tsv tsvector;
CREATE INDEX power_search_tsv ON power_search USING GIN (tsv);

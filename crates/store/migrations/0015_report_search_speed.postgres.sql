-- PostgreSQL: the blocks of 2^12, 2^15, … 2^27 entries (by id, the arrival
-- order) an entry lies in, as lexemes `{bits}_{id >> bits}` (the sizes are
-- BLOCK_BITS in store::reports::search). They are a second column of the
-- same GIN index as the words: a search's words, tags and blocks are keys
-- of one index scan, which skip over each other, so asking for the matches
-- among the newest few thousand entries costs about as many steps as there
-- are such matches, not as many as a common word has in the whole table.
-- fastupdate off: a search would otherwise also read the pending list (up
-- to 4 MB of unsorted entries) on every call until a vacuum merges it.
ALTER TABLE report_search ADD COLUMN blocks tsvector GENERATED ALWAYS AS (
    array_to_tsvector(ARRAY[
        '12_' || CAST(id >> 12 AS TEXT),
        '15_' || CAST(id >> 15 AS TEXT),
        '18_' || CAST(id >> 18 AS TEXT),
        '21_' || CAST(id >> 21 AS TEXT),
        '24_' || CAST(id >> 24 AS TEXT),
        '27_' || CAST(id >> 27 AS TEXT)
    ])
) STORED;
DROP INDEX report_search_tsv;
CREATE INDEX report_search_words_blocks ON report_search
    USING GIN (tsv, blocks) WITH (fastupdate = off);

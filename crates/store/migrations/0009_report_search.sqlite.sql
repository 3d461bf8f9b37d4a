-- SQLite: a contentless FTS5 index (the text is kept in reports); its rowid
-- is report_search.id, which grows with every report, so "newest first" is
-- the index's own order. Columns: words, grams (positional, for phrases),
-- tags.
CREATE TABLE report_search (
    id         INTEGER PRIMARY KEY,
    report_id  TEXT NOT NULL UNIQUE REFERENCES reports(id),
    path       TEXT NOT NULL
);
CREATE VIRTUAL TABLE report_fts USING fts5(
    words, grams, tags,
    content = '', contentless_delete = 1, tokenize = 'unicode61'
);

-- SQLite: an FTS5 index over the tokens (unicode61 splits on the spaces).
CREATE VIRTUAL TABLE power_search_fts USING fts5(item_id UNINDEXED, tokens, tokenize = 'unicode61');

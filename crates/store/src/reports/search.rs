//! Chinese full-text search over reports.
//!
//! Every report is indexed at intake, in the transaction that stores it:
//!
//! * **words** — jieba's tokens of the description (search mode: words and
//!   their sub-words, every two-character word jieba yields, synonyms
//!   added), through [`yiwang_search::index_text`];
//! * **grams** — the character bigrams of every run of Chinese characters,
//!   in order (other letters and digits as whole tokens), so that a phrase
//!   of bigrams finds any text containing the query, even where jieba keeps
//!   a longer word (私搭乱建 has no 乱建 among its words);
//! * **tags** — the codes of the report's jurisdictions (township and its
//!   ancestors), its channel and the field of its power-list item, so that
//!   the index itself narrows a search to the caller's scope and filters.
//!
//! The grid's and village's names are indexed with the description.
//!
//! A query is split into runs of letters and digits; a report matches when
//! it contains every run (as a substring, or a synonym of it). The index
//! gives the newest [`CANDIDATES`] matching reports that pass every filter
//! (SQLite FTS5 in rowid order; PostgreSQL a GIN index asked block by block
//! of the arrival order, newest first); those are ranked by relevance,
//! newest first among equals. Relevance, on both, is whether the words
//! occur as whole words (jieba's segmentation: 占道 in 占道经营, not in
//! 霸占道路) — bm25 would count every report holding each word on every
//! search, `ts_rank` would read every candidate's positions. Ranking every
//! match of a common word in a million reports would cost tens of
//! milliseconds.

use sqlx::{AnyConnection, Row};

use crate::{Backend, Result, StoreError};

/// How many of the newest matching reports a search ranks (and counts).
pub const CANDIDATES: usize = 1000;
/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 100;
const MAX_RUNS: usize = 8;
const MAX_RUN_CHARS: usize = 32;

/// A parsed query: every run must match one of its alternatives.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    runs: Vec<Vec<Alt>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Alt {
    /// Consecutive bigrams (a substring of the text).
    Phrase(Vec<String>),
    /// A word of jieba's segmentation (a synonym).
    Word(String),
    /// The run itself as a whole word: found by the phrase already, it
    /// ranks (and, on PostgreSQL, weighs) the match.
    Whole(String),
    /// A single Chinese character: bigrams starting with it.
    Prefix(String),
}

/// Whether a character is a Chinese ideograph (CJK unified, extensions,
/// compatibility).
fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF | 0x30000..=0x323AF)
}

/// Runs of letters and digits, lower-cased.
fn runs(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|r| !r.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The bigram tokens of a text, in order: each run of Chinese characters
/// gives its overlapping pairs (a lone character itself), any other run of
/// letters and digits one token.
pub fn grams(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in runs(text) {
        let chars: Vec<char> = run.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let han = is_han(chars[i]);
            let start = i;
            while i < chars.len() && is_han(chars[i]) == han {
                i += 1;
            }
            let seg = &chars[start..i];
            if han && seg.len() > 1 {
                out.extend(seg.windows(2).map(|w| w.iter().collect::<String>()));
            } else {
                out.push(seg.iter().collect());
            }
        }
    }
    out
}

fn alnum(s: &str) -> bool {
    !s.is_empty() && s.chars().all(char::is_alphanumeric)
}

impl SearchQuery {
    /// Parse what was typed; `None` when it holds no letter or digit.
    pub fn parse(text: &str) -> Option<SearchQuery> {
        let runs: Vec<Vec<Alt>> = runs(text)
            .into_iter()
            .take(MAX_RUNS)
            .map(|r| r.chars().take(MAX_RUN_CHARS).collect::<String>())
            .map(|run| alternatives(&run))
            .collect();
        (!runs.is_empty()).then_some(SearchQuery { runs })
    }

    /// The FTS5 MATCH expression (without tags).
    fn fts5(&self) -> String {
        let alt = |a: &Alt| match a {
            Alt::Phrase(g) => format!("grams : \"{}\"", g.join(" ")),
            Alt::Word(w) => format!("words : \"{w}\""),
            Alt::Prefix(c) => format!("grams : \"{c}\" *"),
            Alt::Whole(_) => String::new(),
        };
        self.runs
            .iter()
            .map(|alts| {
                let any: Vec<String> = alts.iter().map(alt).filter(|a| !a.is_empty()).collect();
                format!("({})", any.join(" OR "))
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The FTS5 expression of the strong matches: every run found as a
    /// whole word (or a synonym word); `None` when no run can be.
    fn fts5_words(&self) -> Option<String> {
        let runs: Vec<String> = self
            .runs
            .iter()
            .filter_map(|alts| {
                let words: Vec<String> = alts
                    .iter()
                    .filter_map(|a| match a {
                        Alt::Word(w) | Alt::Whole(w) => Some(format!("words : \"{w}\"")),
                        _ => None,
                    })
                    .collect();
                (!words.is_empty()).then(|| format!("({})", words.join(" OR ")))
            })
            .collect();
        (!runs.is_empty()).then(|| runs.join(" AND "))
    }

    /// The `to_tsquery('simple', …)` text of the strong matches (see
    /// [`Self::fts5_words`]); `None` when no run can be.
    fn tsquery_words(&self) -> Option<String> {
        let runs: Vec<String> = self
            .runs
            .iter()
            .filter_map(|alts| {
                let words: Vec<String> = alts
                    .iter()
                    .filter_map(|a| match a {
                        Alt::Word(w) | Alt::Whole(w) => Some(format!("'{w}':A")),
                        _ => None,
                    })
                    .collect();
                (!words.is_empty()).then(|| format!("({})", words.join(" | ")))
            })
            .collect();
        (!runs.is_empty()).then(|| runs.join(" & "))
    }

    /// The `to_tsquery('simple', …)` text (without tags).
    fn tsquery(&self) -> String {
        let alt = |a: &Alt| match a {
            Alt::Phrase(g) => format!(
                "({})",
                g.iter()
                    .map(|t| format!("'{t}':B"))
                    .collect::<Vec<_>>()
                    .join(" <-> ")
            ),
            Alt::Word(w) | Alt::Whole(w) => format!("'{w}':A"),
            Alt::Prefix(c) => format!("'{c}':*B"),
        };
        self.runs
            .iter()
            .map(|alts| format!("({})", alts.iter().map(alt).collect::<Vec<_>>().join(" | ")))
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

/// The ways one run of the query may be found: as a substring (bigram
/// phrase), as a word, and with a synonym in place of a word of it
/// (噪音扰民 also finds 噪声扰民).
fn alternatives(run: &str) -> Vec<Alt> {
    let mut alts = Vec::new();
    let g = grams(run);
    if g.len() == 1 && run.chars().count() == 1 && run.chars().all(is_han) {
        alts.push(Alt::Prefix(run.to_string()));
    } else {
        alts.push(Alt::Phrase(g));
    }
    // A whole word: two characters (jieba's search mode yields the
    // two-character words inside longer ones: 占道 of 占道经营), or a word
    // jieba makes of the run (not 违章搭建, which it splits in two).
    let words = yiwang_search::tokens(run);
    let n = run.chars().count();
    if n == 2 || (n > 2 && words.iter().any(|w| w == run)) {
        alts.push(Alt::Whole(run.to_string()));
    }
    // The synonyms the segmenter adds are the tokens that are not part of
    // the run; the word they stand for is, among the synonym's own tokens,
    // the one that is part of the run.
    for syn in words {
        if run.contains(syn.as_str()) || !alnum(&syn) {
            continue;
        }
        let replaced = yiwang_search::tokens(&syn)
            .into_iter()
            .filter(|w| run.contains(w.as_str()) && !syn.contains(w.as_str()))
            .max_by_key(|w| w.chars().count());
        let alt = match replaced {
            Some(w) => Alt::Phrase(grams(&run.replacen(&w, &syn, 1))),
            None => Alt::Word(syn),
        };
        if !alts.contains(&alt) {
            alts.push(alt);
        }
    }
    alts
}

fn tag(kind: char, value: &str) -> String {
    let v: String = value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    format!("{kind}{v}")
}

/// The tag of a jurisdiction (by division code).
pub fn jurisdiction_tag(code: &str) -> String {
    tag('j', code)
}

/// The tag of a channel (`grid_worker`, …).
pub fn channel_tag(channel: &str) -> String {
    tag('c', channel)
}

/// The tag of a field of the power list (in Chinese, 城市管理).
pub fn field_tag(field: &str) -> String {
    tag('f', field)
}

/// The jurisdiction tags of a scope, or `None` when a root covers every
/// jurisdiction (`/`).
fn scope_tags(scope: &domain::access::Scope) -> Option<Vec<String>> {
    scope
        .roots()
        .iter()
        .map(|r| {
            r.trim_end_matches('/')
                .rsplit('/')
                .next()
                .filter(|c| !c.is_empty())
                .map(jurisdiction_tag)
        })
        .collect()
}

/// What is indexed for a text: (words, grams), each space-separated.
pub fn index_terms(text: &str) -> (String, String) {
    (yiwang_search::index_text(text), grams(text).join(" "))
}

pub(crate) fn backend_of(conn: &AnyConnection) -> Backend {
    if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// Index one stored report (its description, grid and village names, and
/// tags). Called by [`super::insert`] in the same transaction.
pub async fn index(conn: &mut AnyConnection, report_id: &str) -> Result<()> {
    let row = sqlx::query(
        "SELECT r.description, r.channel, t.path, g.name AS grid_name, v.name AS village_name,
            (SELECT p.field FROM power_items p WHERE p.code = r.item_code) AS field
         FROM reports r JOIN jurisdictions t ON t.id = r.township_id
         JOIN grids g ON g.id = r.grid_id LEFT JOIN jurisdictions v ON v.id = g.village_id
         WHERE r.id = $1",
    )
    .bind(report_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let description: String = row.try_get("description")?;
    let channel: String = row.try_get("channel")?;
    let path: String = row.try_get("path")?;
    let grid_name: String = row.try_get("grid_name")?;
    let village_name: Option<String> = row.try_get("village_name")?;
    let field: Option<String> = row.try_get("field")?;
    let text = format!(
        "{description}\n{grid_name}\n{}",
        village_name.unwrap_or_default()
    );
    let (words, grams) = index_terms(&text);
    let mut tags: Vec<String> = path
        .split('/')
        .filter(|c| !c.is_empty())
        .map(jurisdiction_tag)
        .collect();
    tags.push(channel_tag(&channel));
    if let Some(f) = field {
        tags.push(field_tag(&f));
    }
    let tags = tags.join(" ");
    match backend_of(conn) {
        Backend::Sqlite => {
            let id: i64 = sqlx::query(
                "INSERT INTO report_search (report_id, path) VALUES ($1, $2) RETURNING id",
            )
            .bind(report_id)
            .bind(&path)
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?;
            sqlx::query(
                "INSERT INTO report_fts (rowid, words, grams, tags) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(&words)
            .bind(&grams)
            .bind(&tags)
            .execute(&mut *conn)
            .await?;
        }
        Backend::Postgres => {
            sqlx::query(
                "INSERT INTO report_search (report_id, path, tsv) VALUES ($1, $2,
                    setweight(to_tsvector('simple', $3), 'A')
                    || setweight(to_tsvector('simple', $4), 'B')
                    || setweight(to_tsvector('simple', $5), 'C'))",
            )
            .bind(report_id)
            .bind(&path)
            .bind(&words)
            .bind(&grams)
            .bind(&tags)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Index every report not yet in the index (the reports stored before the
/// index existed). Returns how many were indexed.
pub async fn index_missing(conn: &mut AnyConnection) -> Result<u64> {
    let ids: Vec<String> = sqlx::query(
        "SELECT r.id FROM reports r
         WHERE NOT EXISTS (SELECT 1 FROM report_search s WHERE s.report_id = r.id)
         ORDER BY r.received_at, r.id",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect::<std::result::Result<_, _>>()?;
    for id in &ids {
        index(conn, id).await?;
    }
    Ok(ids.len() as u64)
}

/// The parts of a search the index can apply itself.
pub(crate) struct Narrowing<'a> {
    pub scope: &'a domain::access::Scope,
    pub township: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub field: Option<&'a str>,
    /// (joins, condition) for the filters on the report's changing state
    /// only (the others are tags); their parameters come first in `binds`.
    pub state: (&'static str, String),
}

/// One page of a search: the newest [`CANDIDATES`] reports matching the
/// query inside the scope and passing the filters (SQL over `s` =
/// report_search, and, when the joins bring them, `r` = reports and `t` =
/// the township), ranked best first, newest first among equals. Answers the
/// page's report ids and how many candidates there are. `binds` are the
/// conditions' parameters, numbered after the scope's roots; a condition is
/// `1 = 1` without filters.
pub(crate) async fn page(
    conn: &mut AnyConnection,
    q: &SearchQuery,
    n: &Narrowing<'_>,
    binds: &[String],
    limit: u32,
    offset: u64,
) -> Result<(Vec<String>, u64)> {
    let mut tags: Vec<Vec<String>> = Vec::new();
    if let Some(t) = n.township {
        tags.push(vec![jurisdiction_tag(t)]);
    }
    if let Some(c) = n.channel {
        tags.push(vec![channel_tag(c)]);
    }
    if let Some(f) = n.field {
        tags.push(vec![field_tag(f)]);
    }
    let scope_tags = scope_tags(n.scope);
    match backend_of(conn) {
        Backend::Sqlite => {
            if let Some(t) = scope_tags {
                tags.push(t);
            }
            let (joins, cond) = (n.state.0, n.state.1.as_str());
            let page = Sqlite {
                q,
                scope: n.scope,
                tags: &tags,
                joins,
                cond,
                binds,
            };
            page.run(conn, limit, offset).await
        }
        Backend::Postgres => {
            // A county's scope spans (nearly) the whole database: its tag
            // would only add every report's entry to the index scan.
            if !n.scope.covers_a_county()
                && let Some(t) = scope_tags
            {
                tags.push(t);
            }
            // the tags apply the other filters, as on SQLite
            let (joins, cond) = (n.state.0, n.state.1.as_str());
            postgres(conn, q, n.scope, &tags, joins, cond, binds, limit, offset).await
        }
    }
}

/// A search on SQLite: everything is asked of the FTS5 index in its rowid
/// order (newest first), which stops as soon as it has enough. The scope
/// and the filters that are tags narrow inside the index; the report rows
/// are joined per candidate only for the filters that are not tags
/// (status, urgency, overdue), and for the page itself, where the scope is
/// checked once more in SQL.
///
/// Relevance is whether the words occur as whole words (jieba's: 占道 in
/// 占道经营, not in 霸占道路): the strong matches come first, then the
/// others, each newest first. bm25 would count every report holding each
/// word (its IDF) on every search — tens of milliseconds for a common word
/// in a million reports.
struct Sqlite<'a> {
    q: &'a SearchQuery,
    scope: &'a domain::access::Scope,
    tags: &'a [Vec<String>],
    joins: &'a str,
    cond: &'a str,
    binds: &'a [String],
}

impl Sqlite<'_> {
    /// The expression with the tags.
    fn with_tags(&self, expr: &str) -> String {
        let mut out = format!("({expr})");
        for group in self.tags {
            let any: Vec<String> = group.iter().map(|t| format!("tags : \"{t}\"")).collect();
            out.push_str(&format!(" AND ({})", any.join(" OR ")));
        }
        out
    }

    /// Rowids matching, newest first, from `low` up.
    async fn stream(
        &self,
        conn: &mut AnyConnection,
        expr: &str,
        low: Option<i64>,
        limit: u64,
        offset: u64,
        count: bool,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        // without SQL filters the index alone answers
        let filtered = self.cond != "1 = 1";
        let (from, filter, first) = if filtered {
            (
                format!(
                    "report_fts JOIN report_search s ON s.id = report_fts.rowid {}",
                    self.joins
                ),
                format!(
                    "AND {} AND {}",
                    crate::scoped::condition(self.scope, "s.path", 1),
                    self.cond
                ),
                self.scope.roots().len() + self.binds.len() + 1,
            )
        } else {
            ("report_fts".to_string(), String::new(), 1)
        };
        let bound = match low {
            Some(_) => format!("AND report_fts.rowid >= ${}", first + 1),
            None => String::new(),
        };
        let rows = format!(
            "SELECT report_fts.rowid AS seq FROM {from}
             WHERE report_fts MATCH ${first} {filter} {bound}
             ORDER BY report_fts.rowid DESC LIMIT {limit} OFFSET {offset}"
        );
        let sql = if count {
            format!("SELECT COUNT(*) AS n, MIN(seq) AS low FROM ({rows}) c")
        } else {
            rows
        };
        let mut query = sqlx::query(&sql);
        if filtered {
            for b in self.scope.roots().iter().chain(self.binds) {
                query = query.bind(b);
            }
        }
        query = query.bind(expr);
        if let Some(low) = low {
            query = query.bind(low);
        }
        Ok(query.fetch_all(conn).await?)
    }

    async fn seqs(
        &self,
        conn: &mut AnyConnection,
        expr: &str,
        low: i64,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<i64>> {
        if limit == 0 {
            return Ok(vec![]);
        }
        self.stream(conn, expr, Some(low), limit, offset, false)
            .await?
            .iter()
            .map(|r| Ok(r.try_get("seq")?))
            .collect()
    }

    async fn count(
        &self,
        conn: &mut AnyConnection,
        expr: &str,
        low: Option<i64>,
    ) -> Result<(u64, i64)> {
        let rows = self
            .stream(conn, expr, low, CANDIDATES as u64, 0, true)
            .await?;
        let n: i64 = rows[0].try_get("n")?;
        let low: Option<i64> = rows[0].try_get("low")?;
        Ok((n as u64, low.unwrap_or(0)))
    }

    async fn run(
        &self,
        conn: &mut AnyConnection,
        limit: u32,
        offset: u64,
    ) -> Result<(Vec<String>, u64)> {
        let all = self.with_tags(&self.q.fts5());
        // the candidates: how many, and the oldest one's rowid
        let (total, low) = self.count(conn, &all, None).await?;
        if offset >= total {
            return Ok((vec![], total));
        }
        let limit = u64::from(limit).min(total - offset);
        let seqs = match self.q.fts5_words() {
            None => self.seqs(conn, &all, low, limit, offset).await?,
            Some(words) => {
                let strong = self.with_tags(&format!("({}) AND ({words})", self.q.fts5()));
                let mut seqs = self.seqs(conn, &strong, low, limit, offset).await?;
                if (seqs.len() as u64) < limit {
                    // past the strong matches: how many there are
                    let strong_n = if seqs.is_empty() && offset > 0 {
                        self.count(conn, &strong, Some(low)).await?.0
                    } else {
                        offset + seqs.len() as u64
                    };
                    let weak = self.with_tags(&format!("({}) NOT ({words})", self.q.fts5()));
                    let more = self
                        .seqs(
                            conn,
                            &weak,
                            low,
                            limit - seqs.len() as u64,
                            offset.saturating_sub(strong_n),
                        )
                        .await?;
                    seqs.extend(more);
                }
                seqs
            }
        };
        if seqs.is_empty() {
            return Ok((vec![], total));
        }
        // the page's reports, inside the scope (checked here in SQL too)
        let roots = self.scope.roots();
        let marks: Vec<String> = (0..seqs.len())
            .map(|i| format!("${}", roots.len() + 1 + i))
            .collect();
        let sql = format!(
            "SELECT s.id AS seq, s.report_id FROM report_search s WHERE {} AND s.id IN ({})",
            crate::scoped::condition(self.scope, "s.path", 1),
            marks.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for r in roots {
            query = query.bind(r);
        }
        for s in &seqs {
            query = query.bind(*s);
        }
        let mut ids: std::collections::HashMap<i64, String> = query
            .fetch_all(conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("seq")?, r.try_get("report_id")?)))
            .collect::<Result<_>>()?;
        Ok((seqs.iter().filter_map(|s| ids.remove(s)).collect(), total))
    }
}

/// The sizes of the arrival-order blocks every entry is indexed under on
/// PostgreSQL, as powers of two: the entry with id `n` is in the block
/// `{b}_{n >> b}` of each size `2^b` (migration 15, `report_search.blocks`,
/// which must list the same sizes).
const BLOCK_BITS: [u32; 6] = [12, 15, 18, 21, 24, 27];

/// The blocks (a `tsquery` of them, OR-ed) covering the ids from `top`
/// (exclusive, a multiple of the smallest block) down by at least `span`
/// (or to 0), the largest blocks that fit first; and where they end.
fn blocks_below(top: i64, span: i64) -> (String, i64) {
    let smallest = BLOCK_BITS[0];
    let stop = top.saturating_sub(span).max(0);
    let mut p = top;
    let mut blocks = Vec::new();
    while p > stop {
        let bits = BLOCK_BITS
            .iter()
            .rev()
            .copied()
            .find(|&b| p % (1 << b) == 0 && p - (1 << b) >= stop)
            .unwrap_or(smallest);
        blocks.push(format!("'{bits}_{}'", (p >> bits) - 1));
        p -= 1 << bits;
    }
    (blocks.join(" | "), p)
}

/// A search on PostgreSQL. A GIN index cannot hand out its matches newest
/// first: asking it for every match of a common word (tens of thousands in
/// a million reports) and sorting them costs tens of milliseconds, nearly
/// all of it visiting each matching row (and ranking it). So the index is
/// asked for the matches in blocks of the arrival order, newest first, for
/// just enough blocks to hold the newest [`CANDIDATES`]: the newest ~8,000
/// entries first, then as many more as the density of the matches found so
/// far says are needed. The words, each group of tags and the blocks are
/// separate conditions, so separate keys of one scan of one GIN index
/// (`tsv`, `blocks`), which skip over each other instead of walking every
/// entry of a common word or tag.
///
/// Relevance is SQLite's: the reports where every run of the query is found
/// as a whole word (weight A) come first, then the others, each newest
/// first; `ts_rank` over a thousand rows cost more than the rest together.
#[allow(clippy::too_many_arguments)]
async fn postgres(
    conn: &mut AnyConnection,
    q: &SearchQuery,
    scope: &domain::access::Scope,
    tags: &[Vec<String>],
    joins: &str,
    cond: &str,
    binds: &[String],
    limit: u32,
    offset: u64,
) -> Result<(Vec<String>, u64)> {
    let top: i64 =
        sqlx::query("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS top FROM report_search")
            .fetch_one(&mut *conn)
            .await?
            .try_get("top")?;
    if top == 0 {
        return Ok((vec![], 0));
    }
    let roots = scope.roots();
    let scope_cond = crate::scoped::condition(scope, "s.path", 1);
    // the parameters: the scope's roots, the filters', the queries, the blocks
    let mut queries = vec![q.tsquery()];
    for group in tags {
        let any: Vec<String> = group.iter().map(|t| format!("'{t}':C")).collect();
        queries.push(any.join(" | "));
    }
    let first = roots.len() + binds.len() + 1;
    let mut conds: Vec<String> = (0..queries.len())
        .map(|i| format!("s.tsv @@ to_tsquery('simple', ${})", first + i))
        .collect();
    let words = q.tsquery_words();
    let strong = match &words {
        Some(_) => format!(
            "CASE WHEN s.tsv @@ to_tsquery('simple', ${}) THEN 1 ELSE 0 END",
            first + queries.len()
        ),
        None => "1".to_string(),
    };
    let blocks_param = first + queries.len() + usize::from(words.is_some());
    conds.push(format!("s.blocks @@ CAST(${blocks_param} AS tsquery)"));
    let sql = format!(
        "SELECT s.id AS seq, s.report_id AS id, {strong} AS strong
         FROM report_search s {joins}
         WHERE {} AND {scope_cond} AND {cond}",
        conds.join(" AND ")
    );

    // newest first, block by block, until there are enough
    let smallest = BLOCK_BITS[0];
    let end = ((top >> smallest) + 1) << smallest;
    let mut low = end;
    let mut span: i64 = 2 << smallest;
    let mut found: Vec<(i64, String, bool)> = Vec::new();
    let mut rounds = 0;
    while low > 0 && found.len() < CANDIDATES {
        let (blocks, below) = blocks_below(low, span);
        let mut query = sqlx::query(&sql);
        for b in roots.iter().chain(binds).chain(&queries).chain(&words) {
            query = query.bind(b);
        }
        let rows = query.bind(&blocks).fetch_all(&mut *conn).await?;
        let mut batch = rows
            .iter()
            .map(|r| {
                let strong: i32 = r.try_get("strong")?;
                Ok((r.try_get("seq")?, r.try_get("id")?, strong == 1))
            })
            .collect::<Result<Vec<(i64, String, bool)>>>()?;
        batch.sort_unstable_by_key(|r| std::cmp::Reverse(r.0));
        found.extend(batch);
        low = below;
        rounds += 1;
        // the next blocks: as many ids as the matches so far say hold the
        // rest (a quarter more), eight times as many while none was found
        let covered = end - low;
        let have = found.len() as i64;
        let need = CANDIDATES as i64 - have;
        span = if have == 0 {
            covered.saturating_mul(8)
        } else {
            need.saturating_mul(covered) / have * 5 / 4
        };
        if rounds >= 3 {
            // far fewer than expected: at least double what is covered
            span = span.max(covered);
        }
        span = span.max(1 << smallest);
    }
    found.truncate(CANDIDATES);
    let total = found.len() as u64;
    let ids = found
        .iter()
        .filter(|r| r.2)
        .chain(found.iter().filter(|r| !r.2))
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(limit as usize)
        .map(|r| r.1.clone())
        .collect();
    Ok((ids, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_of_chinese_runs_and_whole_other_tokens() {
        assert_eq!(grams("占道经营"), ["占道", "道经", "经营"]);
        assert_eq!(grams("LED广告牌，3米"), ["led", "广告", "告牌", "3", "米"]);
        assert_eq!(grams("A区B"), ["a", "区", "b"]);
    }

    #[test]
    fn every_two_character_word_jieba_yields_is_indexed() {
        let text = "有商户在路边占道经营";
        let (words, grams) = index_terms(text);
        let words: Vec<&str> = words.split(' ').collect();
        for w in yiwang_search::tokens(text) {
            assert!(words.contains(&w.as_str()), "{w} in {words:?}");
        }
        for w in ["占道", "经营", "商户", "路边"] {
            assert!(words.contains(&w), "{w} in {words:?}");
            assert!(grams.split(' ').any(|g| g == w), "{w} in {grams}");
        }
    }

    #[test]
    fn words_jieba_keeps_whole_are_found_by_their_bigrams() {
        // jieba keeps 私搭乱建 whole: 乱建 is not one of its words …
        assert!(!yiwang_search::tokens("私搭乱建").contains(&"乱建".to_string()));
        // … but it is one of the bigrams
        assert!(grams("村口有人私搭乱建").contains(&"乱建".to_string()));
    }

    #[test]
    fn queries_become_match_expressions() {
        let q = SearchQuery::parse("占道经营 东关").unwrap();
        assert_eq!(
            q.fts5(),
            "(grams : \"占道 道经 经营\") AND (grams : \"东关\")"
        );
        assert_eq!(
            q.fts5_words().unwrap(),
            "(words : \"占道经营\") AND (words : \"东关\")"
        );
        assert_eq!(
            q.tsquery(),
            "(('占道':B <-> '道经':B <-> '经营':B) | '占道经营':A) & (('东关':B) | '东关':A)"
        );
        // jieba splits 违章搭建: no whole word to rank by
        assert_eq!(SearchQuery::parse("违章搭建").unwrap().fts5_words(), None);
        assert!(SearchQuery::parse("！？ …").is_none());
        // a lone character: the bigrams it starts
        assert_eq!(
            SearchQuery::parse("棚").unwrap().fts5(),
            "(grams : \"棚\" *)"
        );
    }

    #[test]
    fn synonyms_replace_the_word_they_stand_for() {
        let q = SearchQuery::parse("噪音扰民").unwrap();
        assert!(
            q.runs[0].contains(&Alt::Phrase(grams("噪声扰民"))),
            "{:?}",
            q.runs
        );
        let q = SearchQuery::parse("违建").unwrap();
        assert!(
            q.runs[0].contains(&Alt::Phrase(grams("违法建设"))),
            "{:?}",
            q.runs
        );
    }

    #[test]
    fn blocks_cover_the_ids_below_without_gaps() {
        assert_eq!(blocks_below(8192, 8192), ("'12_1' | '12_0'".into(), 0));
        assert_eq!(blocks_below(1 << 18, 1 << 18), ("'18_0'".into(), 0));
        assert_eq!(blocks_below(4096, 1 << 20), ("'12_0'".into(), 0));
        for top in [4096_i64, 65_536, 1_003_520, 7 << 21, (5 << 27) + (3 << 12)] {
            for span in [1_i64, 4096, 10_000, 300_000, 5_000_000, 1 << 40] {
                let (blocks, below) = blocks_below(top, span);
                assert!(below == 0 || below <= top - span, "{top} {span}");
                assert!(
                    below > top - span - 4096 || below == 0,
                    "{top} {span}: {below}"
                );
                // the blocks, newest first, each ending where the last began
                let mut p = top;
                for b in blocks.split(" | ") {
                    let (bits, n) = b.trim_matches('\'').split_once('_').unwrap();
                    let (bits, n): (u32, i64) = (bits.parse().unwrap(), n.parse().unwrap());
                    assert!(BLOCK_BITS.contains(&bits));
                    assert_eq!((n + 1) << bits, p, "{top} {span}: {blocks}");
                    p = n << bits;
                }
                assert_eq!(p, below);
                assert!(blocks.split(" | ").count() <= 2 * 7 * BLOCK_BITS.len());
            }
        }
    }

    #[test]
    fn strong_matches_are_whole_words_on_both_databases() {
        let q = SearchQuery::parse("占道经营 东关").unwrap();
        assert_eq!(q.tsquery_words().unwrap(), "('占道经营':A) & ('东关':A)");
        assert_eq!(
            SearchQuery::parse("违章搭建").unwrap().tsquery_words(),
            None
        );
    }

    #[test]
    fn quotes_cannot_reach_the_expression() {
        let q = SearchQuery::parse("\"占道\" OR ' 1=1 --").unwrap();
        assert!(!q.fts5().contains("\"\""));
        assert!(!q.tsquery().contains("''"));
    }
}

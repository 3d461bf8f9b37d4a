//! Power-list suggestions for intake, ranked as the database ranks them
//! and kept between reports.
//!
//! Classifying a report ranks every item that matches any word of its
//! description (`store::powerlist::search`): on SQLite bm25 over the
//! FTS5 index, on PostgreSQL `ts_rank`. For a report of a dozen words that is
//! the most expensive thing intake does — a few milliseconds of database
//! work — and it is the same work again and again: the list seldom
//! changes, and reports use the same words.
//!
//! Both rankings are sums over the query's words (see
//! `store::intake::term_part`), so each word's part — the items it matches
//! and what it adds to their rank — is asked of the database once and kept;
//! a report's ranking is the sum of its words' parts over the items its
//! township holds (`store::intake::rank`): the same items in the same order,
//! the same scores (on PostgreSQL up to the last bit of the float4 that
//! `ts_rank` returns).
//!
//! Every batch of reports first reads what the answers depend on
//! ([`Suggester::current`]: the items' count and last change, the
//! townships' devolutions) in one small query, inside the batch's
//! transaction. When the list changed — on this instance or another — the
//! kept parts are dropped; when a township's devolutions changed, its held
//! items are read again. So a suggestion never comes from a list that is no
//! longer current. A word
//! the parts cannot rank alone (on PostgreSQL, one that is several
//! lexemes) sends that report to the database's own search.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use store::intake::{TermPart, TermScore};
use store::{Backend, StoreError};

/// Kept parts beyond this many are dropped all at once (a bound, not a
/// working size: a county's reports use a few thousand words).
const MAX_TERMS: usize = 100_000;

#[derive(Default)]
struct Kept {
    /// The list state the parts belong to.
    list: String,
    parts: HashMap<String, Arc<TermPart>>,
    /// Township id → (its state, the items it holds).
    held: HashMap<String, (String, Arc<HashSet<String>>)>,
}

/// Shared by every request.
#[derive(Default)]
pub struct Suggester {
    kept: Mutex<Kept>,
}

/// The list as it is now, for some townships: from [`Suggester::current`].
pub struct Current {
    list: String,
    held: HashMap<String, Arc<HashSet<String>>>,
}

impl Suggester {
    /// Read what the suggestions depend on (one query), forget what
    /// changed, and read again the held items of the townships whose
    /// devolutions changed.
    pub async fn current(
        &self,
        conn: &mut store::Conn,
        township_ids: &[&str],
    ) -> Result<Current, StoreError> {
        let (list, states) = store::intake::power_list_states(conn, township_ids).await?;
        let mut held = HashMap::new();
        let mut stale = Vec::new();
        {
            let mut kept = self.lock();
            if kept.list != list {
                kept.parts.clear();
                kept.held.clear();
                kept.list = list.clone();
            }
            for (id, state) in &states {
                match kept.held.get(id).filter(|(s, _)| s == state) {
                    Some((_, h)) => {
                        held.insert(id.clone(), h.clone());
                    }
                    None => stale.push(id.clone()),
                }
            }
        }
        for id in stale {
            let h = Arc::new(store::intake::held_items(conn, &id).await?);
            let mut kept = self.lock();
            if kept.list == list {
                kept.held
                    .insert(id.clone(), (states[&id].clone(), h.clone()));
            }
            held.insert(id, h);
        }
        Ok(Current { list, held })
    }

    /// The best `limit` items the township holds for the query's tokens
    /// (`yiwang_search::query_tokens`), best first; `current` must have
    /// been read for the township.
    pub async fn suggest(
        &self,
        conn: &mut store::Conn,
        backend: Backend,
        current: &Current,
        township_id: &str,
        tokens: &[String],
        limit: usize,
    ) -> Result<Vec<TermScore>, StoreError> {
        if tokens.is_empty() {
            return Ok(vec![]);
        }
        let held = current
            .held
            .get(township_id)
            .ok_or_else(|| StoreError::Corrupt("suggestions for a township not read".into()))?;
        let mut parts: Vec<Option<Arc<TermPart>>> = {
            let kept = self.lock();
            tokens
                .iter()
                .map(|t| {
                    (kept.list == current.list)
                        .then(|| kept.parts.get(t).cloned())
                        .flatten()
                })
                .collect()
        };
        let mut fetched = Vec::new();
        for (token, part) in tokens.iter().zip(parts.iter_mut()) {
            if part.is_none() {
                let p = Arc::new(store::intake::term_part(conn, token).await?);
                fetched.push((token.clone(), p.clone()));
                *part = Some(p);
            }
        }
        if !fetched.is_empty() {
            let mut kept = self.lock();
            if kept.list == current.list {
                if kept.parts.len() + fetched.len() > MAX_TERMS {
                    kept.parts.clear();
                }
                kept.parts.extend(fetched);
            }
        }
        let parts: Vec<&TermPart> = parts.iter().flatten().map(|p| p.as_ref()).collect();
        match store::intake::rank(backend, &parts, held, limit) {
            Some(ranked) => Ok(ranked),
            None => {
                let filter = store::powerlist::Filter {
                    township_id: Some(township_id.to_string()),
                    ..Default::default()
                };
                let (found, _) =
                    store::powerlist::search(conn, backend, tokens, &filter, limit as u32, 0)
                        .await?;
                Ok(found
                    .into_iter()
                    .map(|s| TermScore {
                        item_id: String::new(),
                        code: s.code,
                        name: s.name,
                        score: s.score,
                    })
                    .collect())
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }
}

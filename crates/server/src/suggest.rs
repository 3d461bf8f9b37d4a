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
//!
//! Items are numbered (slots) as they are first seen under a list state, so
//! that summing a report's parts over its township's items is arithmetic on
//! arrays, not a lookup of each item's id in a set and a map (which, for a
//! dozen words each matching dozens of items, cost intake's one writer more
//! than anything else it decides).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use store::intake::{TermPart, TermScore};
use store::{Backend, StoreError};

/// Kept parts beyond this many are dropped all at once (a bound, not a
/// working size: a county's reports use a few thousand words).
const MAX_TERMS: usize = 100_000;

/// What is kept for one state of the list.
#[derive(Default)]
struct Version {
    /// The list state it belongs to.
    list: String,
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    /// Item id → its slot.
    slots: HashMap<String, u32>,
    parts: HashMap<String, Arc<Part>>,
    /// Township id → (its state, the slots it holds).
    held: HashMap<String, (String, Arc<Vec<bool>>)>,
}

impl Kept {
    fn slot(&mut self, item_id: &str) -> u32 {
        let next = self.slots.len() as u32;
        *self.slots.entry(item_id.to_string()).or_insert(next)
    }
}

/// A term's part, with the slot of each item it scores.
struct Part {
    term: TermPart,
    slots: Vec<u32>,
}

/// Shared by every request.
#[derive(Default)]
pub struct Suggester {
    version: Mutex<Arc<Version>>,
}

/// The list as it is now, for some townships: from [`Suggester::current`].
pub struct Current {
    version: Arc<Version>,
    held: HashMap<String, Arc<Vec<bool>>>,
}

impl Suggester {
    /// What the suggestions for these townships depend on, read now (one
    /// small query); what is kept for an older state is dropped.
    pub async fn current(
        &self,
        conn: &mut store::Conn,
        township_ids: &[&str],
    ) -> Result<Current, StoreError> {
        let (list, states) = store::intake::power_list_states(conn, township_ids).await?;
        let version = {
            let mut v = self.version.lock().unwrap_or_else(|p| p.into_inner());
            if v.list != list {
                *v = Arc::new(Version {
                    list,
                    kept: Mutex::default(),
                });
            }
            v.clone()
        };
        let mut held = HashMap::new();
        let mut stale = Vec::new();
        {
            let kept = lock(&version.kept);
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
            let ids = store::intake::held_items(conn, &id).await?;
            let mut kept = lock(&version.kept);
            let slots: Vec<u32> = ids.iter().map(|i| kept.slot(i)).collect();
            let mut h = vec![false; kept.slots.len()];
            for s in slots {
                h[s as usize] = true;
            }
            let h = Arc::new(h);
            kept.held
                .insert(id.clone(), (states[&id].clone(), h.clone()));
            held.insert(id, h);
        }
        Ok(Current { version, held })
    }

    /// The best `limit` items of the township for the report's words.
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
        let version = &current.version;
        let mut parts: Vec<Option<Arc<Part>>> = {
            let kept = lock(&version.kept);
            tokens.iter().map(|t| kept.parts.get(t).cloned()).collect()
        };
        for (token, part) in tokens.iter().zip(parts.iter_mut()) {
            if part.is_none() {
                let term = store::intake::term_part(conn, token).await?;
                let mut kept = lock(&version.kept);
                let slots = match &term {
                    TermPart::Scores { items, .. } => {
                        items.iter().map(|t| kept.slot(&t.item_id)).collect()
                    }
                    _ => Vec::new(),
                };
                let p = Arc::new(Part { term, slots });
                if kept.parts.len() >= MAX_TERMS {
                    kept.parts.clear();
                }
                kept.parts.insert(token.clone(), p.clone());
                *part = Some(p);
            }
        }
        let parts: Vec<(&TermPart, &[u32])> = parts
            .iter()
            .flatten()
            .map(|p| (&p.term, p.slots.as_slice()))
            .collect();
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
}

fn lock(kept: &Mutex<Kept>) -> std::sync::MutexGuard<'_, Kept> {
    kept.lock().unwrap_or_else(|p| p.into_inner())
}

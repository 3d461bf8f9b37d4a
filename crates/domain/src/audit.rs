//! The tamper-evident record (APL Art. 47: the whole process is recorded).
//!
//! Every change — and every read of a natural person's personal data —
//! appends an entry. Each entry's hash is an HMAC-SHA256, under the
//! deployment's audit key, over its own fields and the previous entry's
//! hash; the head (last sequence number and hash) is kept beside the log.
//! [`verify`] walks the chain and names the first entry that was altered,
//! inserted or removed.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub actor_user_id: Option<String>,
    pub role: String,
    /// Jurisdiction path the action belongs to.
    pub jurisdiction: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub request_id: String,
    pub before_digest: String,
    pub after_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 of a state snapshot (canonical JSON of the object), or of
/// nothing for a create/delete side. Hex.
pub fn digest(state: Option<&[u8]>) -> String {
    match state {
        Some(bytes) => hex::encode(Sha256::digest(bytes)),
        None => "-".into(),
    }
}

/// The chained hash of an entry, from its fields and `prev_hash`.
pub fn chain_hash(key: &[u8], e: &Entry) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for field in [
        e.seq.to_string().as_str(),
        &e.at,
        &e.actor,
        e.actor_user_id.as_deref().unwrap_or(""),
        &e.role,
        &e.jurisdiction,
        &e.action,
        &e.object_type,
        &e.object_id,
        &e.request_id,
        &e.before_digest,
        &e.after_digest,
        &e.prev_hash,
    ] {
        mac.update(&(field.len() as u64).to_be_bytes());
        mac.update(field.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

/// What is wrong with the chain, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The entry's content no longer matches its hash.
    Altered { seq: i64 },
    /// The entry does not link to its predecessor: inserted, or its predecessor was replaced.
    Inserted { seq: i64 },
    /// Entries are missing before this sequence number (or at the end).
    Removed { seq: i64 },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Altered { seq } => write!(f, "entry {seq} was altered"),
            Break::Inserted { seq } => {
                write!(f, "entry {seq} was inserted or its predecessor replaced")
            }
            Break::Removed { seq } => write!(f, "entry {seq} was removed"),
        }
    }
}

/// Walks entries in sequence order; feed them with [`Verifier::next`] and
/// close with [`Verifier::finish`] against the stored head.
pub struct Verifier<'k> {
    key: &'k [u8],
    last_seq: i64,
    last_hash: String,
    pub checked: u64,
}

impl<'k> Verifier<'k> {
    pub fn new(key: &'k [u8]) -> Self {
        Self {
            key,
            last_seq: 0,
            last_hash: GENESIS.into(),
            checked: 0,
        }
    }

    pub fn next(&mut self, e: &Entry) -> Result<(), Break> {
        if e.seq > self.last_seq + 1 {
            return Err(Break::Removed {
                seq: self.last_seq + 1,
            });
        }
        if e.seq <= self.last_seq {
            return Err(Break::Inserted { seq: e.seq });
        }
        if chain_hash(self.key, e) != e.hash {
            // A well-formed link with a wrong hash is an edit; a broken
            // link as well means the row does not belong here.
            return Err(if e.prev_hash == self.last_hash {
                Break::Altered { seq: e.seq }
            } else {
                Break::Inserted { seq: e.seq }
            });
        }
        if e.prev_hash != self.last_hash {
            return Err(Break::Inserted { seq: e.seq });
        }
        self.last_seq = e.seq;
        self.last_hash = e.hash.clone();
        self.checked += 1;
        Ok(())
    }

    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<u64, Break> {
        if head_seq > self.last_seq {
            return Err(Break::Removed {
                seq: self.last_seq + 1,
            });
        }
        if head_seq < self.last_seq {
            return Err(Break::Inserted { seq: head_seq + 1 });
        }
        if head_hash != self.last_hash {
            return Err(Break::Altered { seq: self.last_seq });
        }
        Ok(self.checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test-key";

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = Entry {
                    seq,
                    at: format!("2026-01-01T00:00:{seq:02}Z"),
                    actor: "admin".into(),
                    actor_user_id: Some("u1".into()),
                    role: "system_admin".into(),
                    jurisdiction: "/4114/411423/".into(),
                    action: "user.create".into(),
                    object_type: "user".into(),
                    object_id: format!("o{seq}"),
                    request_id: "r".into(),
                    before_digest: digest(None),
                    after_digest: digest(Some(b"{}")),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = chain_hash(KEY, &e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[Entry], head: (i64, &str)) -> Result<u64, Break> {
        let mut v = Verifier::new(KEY);
        for e in entries {
            v.next(e)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, (5, &c[4].hash)), Ok(5));
        assert_eq!(verify(&[], (0, GENESIS)), Ok(0));
    }

    #[test]
    fn an_edit_names_the_entry() {
        let mut c = chain(5);
        c[2].action = "user.delete".into();
        let head = c[4].hash.clone();
        assert_eq!(verify(&c, (5, &head)), Err(Break::Altered { seq: 3 }));
    }

    #[test]
    fn a_removal_names_the_gap_and_the_tail() {
        let mut c = chain(5);
        let head = c[4].hash.clone();
        c.remove(1);
        assert_eq!(verify(&c, (5, &head)), Err(Break::Removed { seq: 2 }));
        let c = chain(5);
        assert_eq!(verify(&c[..4], (5, &head)), Err(Break::Removed { seq: 5 }));
    }

    #[test]
    fn an_insertion_names_the_entry() {
        let c = chain(5);
        let head = c[4].hash.clone();
        // a forged entry appended without the key
        let mut forged = c[4].clone();
        forged.seq = 6;
        forged.prev_hash = c[4].hash.clone();
        forged.hash = "f".repeat(64);
        let mut longer = c.clone();
        longer.push(forged);
        assert_eq!(verify(&longer, (5, &head)), Err(Break::Altered { seq: 6 }));
        // a row recomputed with the key but not linked
        let mut c2 = chain(5);
        c2[3].prev_hash = GENESIS.into();
        c2[3].hash = chain_hash(KEY, &c2[3]);
        assert_eq!(verify(&c2, (5, &head)), Err(Break::Inserted { seq: 4 }));
    }

    #[test]
    fn a_different_key_fails_at_the_first_entry() {
        let c = chain(2);
        let mut v = Verifier::new(b"other");
        assert_eq!(v.next(&c[0]), Err(Break::Altered { seq: 1 }));
    }
}

//! The text of statements that write or read many rows at once: their
//! parameter marks, and the runs a batch's rows are cut into.

use crate::Backend;

/// The `k`th parameter of a statement whose parameters appear in the text
/// once each, in the order they are bound: `$k` on PostgreSQL; on SQLite an
/// anonymous `?`, which binds the same, because SQLite finds a named
/// parameter by a search through every name before it — with a batch's
/// thousand parameters, a cost that grows with their square, paid when the
/// statement is prepared and again when it is bound.
pub fn mark(b: Backend, k: usize) -> String {
    match b {
        Backend::Sqlite => "?".to_string(),
        Backend::Postgres => format!("${k}"),
    }
}

/// `mark` for each of `from..=to`, joined by commas.
pub fn marks(b: Backend, from: usize, to: usize) -> String {
    (from..=to)
        .map(|k| mark(b, k))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(…), (…)` of `rows` rows of `cols` parameters, numbered from 1 in
/// order (see [`mark`]).
pub fn values(b: Backend, rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|i| format!("({})", marks(b, i * cols + 1, i * cols + cols)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `items` cut into the runs a statement each writes or reads.
///
/// On SQLite their lengths are powers of two, at most `max`, longest
/// first. A statement's text depends on its number of rows; with any number
/// a batch's statements would each be new to the connection — parsed and
/// planned again, and pushing the prepared ones out of its cache. With
/// these lengths a kind of statement has a handful of texts, which stay
/// prepared. On PostgreSQL every statement is a round trip to the server
/// (and planned there again for its parameters), so there the runs are as
/// long as they may be: `max` rows, and the rest.
pub fn runs<T>(b: Backend, items: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    let max = max.max(1);
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let n = rest.len().min(max);
        let n = match b {
            Backend::Sqlite => 1 << n.ilog2(),
            Backend::Postgres => n,
        };
        let (run, tail) = rest.split_at(n);
        rest = tail;
        Some(run)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_numbered_row_by_row() {
        assert_eq!(
            values(Backend::Postgres, 2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(values(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(marks(Backend::Postgres, 3, 5), "$3, $4, $5");
    }

    #[test]
    fn runs_cover_every_item_in_order() {
        let items: Vec<usize> = (0..=100).collect();
        for b in [Backend::Sqlite, Backend::Postgres] {
            for n in 0..=100 {
                let runs: Vec<&[usize]> = runs(b, &items[..n], 32).collect();
                let lens: Vec<usize> = runs.iter().map(|r| r.len()).collect();
                assert!(lens.iter().all(|l| *l >= 1 && *l <= 32), "{n}: {lens:?}");
                assert!(lens.windows(2).all(|w| w[0] >= w[1]), "{n}: {lens:?}");
                assert_eq!(runs.concat(), items[..n].to_vec());
                if b == Backend::Sqlite {
                    assert!(lens.iter().all(|l| l.is_power_of_two()), "{n}: {lens:?}");
                }
            }
        }
        let lens = |b, n| -> Vec<usize> { runs(b, &vec![0; n], 32).map(<[i32]>::len).collect() };
        assert_eq!(lens(Backend::Sqlite, 48), [32, 16]);
        assert_eq!(lens(Backend::Sqlite, 7), [4, 2, 1]);
        assert_eq!(lens(Backend::Postgres, 48), [32, 16]);
        assert_eq!(lens(Backend::Postgres, 7), [7]);
    }
}

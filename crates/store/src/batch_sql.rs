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

/// `items` cut into runs whose lengths are powers of two, at most `max`,
/// longest first. A statement's text depends on its number of rows; with
/// any number a batch's statements would each be new to the connection —
/// parsed and planned again, and pushing the prepared ones out of its
/// cache. With these lengths a kind of statement has a handful of texts,
/// which stay prepared.
pub fn runs<T>(items: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    let max = max.max(1);
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let n = rest.len().min(max);
        let n = 1 << n.ilog2();
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
    fn runs_are_powers_of_two_that_cover_every_item_in_order() {
        let items: Vec<usize> = (0..=100).collect();
        for n in 0..=100 {
            let runs: Vec<&[usize]> = runs(&items[..n], 32).collect();
            let lens: Vec<usize> = runs.iter().map(|r| r.len()).collect();
            assert!(
                lens.iter().all(|l| l.is_power_of_two() && *l <= 32),
                "{n}: {lens:?}"
            );
            assert!(lens.windows(2).all(|w| w[0] >= w[1]), "{n}: {lens:?}");
            assert_eq!(runs.concat(), items[..n].to_vec());
        }
        let lens: Vec<usize> = runs(&[0; 48], 32).map(<[i32]>::len).collect();
        assert_eq!(lens, [32, 16]);
        let lens: Vec<usize> = runs(&[0; 7], 32).map(<[i32]>::len).collect();
        assert_eq!(lens, [4, 2, 1]);
    }
}

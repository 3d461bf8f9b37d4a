//! Rankings (排名): highest score first. Scores equal to the hundredth of a
//! point share a rank, and the next rank skips as many places (1, 2, 2, 4);
//! equal scores are listed by subject id, so the order never depends on
//! the order the subjects came in.

use serde::{Deserialize, Serialize};

/// One place of a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub rank: u32,
    pub subject: String,
    pub score: f64,
}

/// Scores compared in hundredths of a point.
fn centi(score: f64) -> i64 {
    (score * 100.0).round() as i64
}

/// Rank `(subject id, score)` pairs.
pub fn rank(scores: &[(String, f64)]) -> Vec<Place> {
    let mut sorted: Vec<&(String, f64)> = scores.iter().collect();
    sorted.sort_by(|a, b| centi(b.1).cmp(&centi(a.1)).then_with(|| a.0.cmp(&b.0)));
    let mut places: Vec<Place> = Vec::with_capacity(sorted.len());
    for (i, (subject, score)) in sorted.into_iter().enumerate() {
        let rank = match places.last() {
            Some(prev) if centi(prev.score) == centi(*score) => prev.rank,
            _ => i as u32 + 1,
        };
        places.push(Place {
            rank,
            subject: subject.clone(),
            score: *score,
        });
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(places: &[Place]) -> Vec<(u32, &str)> {
        places
            .iter()
            .map(|p| (p.rank, p.subject.as_str()))
            .collect()
    }

    #[test]
    fn ties_share_a_rank_and_are_listed_by_id() {
        let scores = vec![
            ("zd3".to_string(), 98.5),
            ("zd1".to_string(), 101.0),
            ("zd4".to_string(), 98.5),
            ("zd2".to_string(), 98.504), // 98.50 to the hundredth: a tie
            ("zd5".to_string(), 90.0),
        ];
        assert_eq!(
            ids(&rank(&scores)),
            [(1, "zd1"), (2, "zd2"), (2, "zd3"), (2, "zd4"), (5, "zd5")]
        );
    }

    #[test]
    fn nothing_to_rank() {
        assert!(rank(&[]).is_empty());
    }
}

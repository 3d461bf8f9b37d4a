//! Chinese full-text search support: real word segmentation (jieba, with
//! its dictionary compiled in, so it works offline), a small synonym table,
//! and highlighting. The databases store and rank the segmented tokens
//! (SQLite FTS5, PostgreSQL `tsvector`); this crate decides what a token is.
//!
//! Two-character words (秸秆, 噪声) are tokens of their own, so they are
//! found — a trigram index would miss them.

use std::sync::OnceLock;

use jieba_rs::Jieba;

fn jieba() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(|| {
        let mut j = Jieba::new();
        // Terms of the trade the general dictionary splits badly.
        for w in [
            "占道经营",
            "乱搭乱建",
            "渣土",
            "秸秆",
            "扬尘",
            "油烟",
            "首违不罚",
            "超限运输",
            "网格员",
            "违法占地",
        ] {
            j.add_word(w, Some(200_000), None);
        }
        j
    })
}

/// Words that mean the same thing in complaints and in law texts.
const SYNONYMS: &[(&str, &str)] = &[
    ("噪音", "噪声"),
    ("摆摊", "摊点"),
    ("小摊", "摊点"),
    ("乱扔", "乱倒"),
    ("烧秸秆", "焚烧"),
    ("违建", "违法建设"),
    ("黑车", "非法营运"),
];

fn is_word(t: &str) -> bool {
    t.chars().any(|c| c.is_alphanumeric())
}

/// Tokens of a text for indexing or querying: jieba's search mode (words
/// and their sub-words), lower-cased, punctuation dropped, synonyms added.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in jieba().cut_for_search(text, true) {
        let t = t.word.trim().to_lowercase();
        if is_word(&t) {
            out.push(t);
        }
    }
    let mut extra = Vec::new();
    for (a, b) in SYNONYMS {
        if out.iter().any(|t| t == a) || text.contains(a) {
            extra.push(b.to_string());
        }
        if out.iter().any(|t| t == b) || text.contains(b) {
            extra.push(a.to_string());
        }
    }
    out.extend(extra);
    out
}

/// Distinct query tokens, longest first (they rank the best matches).
pub fn query_tokens(q: &str) -> Vec<String> {
    let mut t = tokens(q);
    t.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    t.dedup();
    t.truncate(16);
    t
}

/// The text to store in the index: tokens separated by spaces.
pub fn index_text(text: &str) -> String {
    tokens(text).join(" ")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// HTML-escaped text with every occurrence of a query token wrapped in `<mark>`.
pub fn highlight(text: &str, query: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut marked = vec![false; chars.len()];
    for q in query {
        let qc: Vec<char> = q.chars().collect();
        if qc.is_empty() || qc.len() > chars.len() {
            continue;
        }
        for i in 0..=(chars.len() - qc.len()) {
            let window: String = chars[i..i + qc.len()]
                .iter()
                .collect::<String>()
                .to_lowercase();
            if window == *q {
                marked[i..i + qc.len()].iter_mut().for_each(|m| *m = true);
            }
        }
    }
    let mut out = String::new();
    let mut open = false;
    for (c, m) in chars.iter().zip(&marked) {
        if *m && !open {
            out.push_str("<mark>");
            open = true;
        } else if !*m && open {
            out.push_str("</mark>");
            open = false;
        }
        out.push_str(&esc(&c.to_string()));
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_character_words_are_tokens() {
        let t = tokens("对露天焚烧秸秆的处罚");
        assert!(t.contains(&"秸秆".to_string()), "{t:?}");
        assert!(t.contains(&"焚烧".to_string()), "{t:?}");
        let t = tokens("对产生环境噪声污染的处罚");
        assert!(t.contains(&"噪声".to_string()), "{t:?}");
    }

    #[test]
    fn compound_terms_keep_their_parts() {
        let t = tokens("对占道经营的处罚");
        for w in ["占道经营", "占道", "经营"] {
            assert!(t.contains(&w.to_string()), "{w} in {t:?}");
        }
    }

    #[test]
    fn synonyms_meet() {
        assert!(tokens("夜间施工噪音扰民").contains(&"噪声".to_string()));
        assert!(tokens("社会生活噪声").contains(&"噪音".to_string()));
    }

    #[test]
    fn highlight_marks_and_escapes() {
        let q = query_tokens("占道经营");
        assert_eq!(
            highlight("对<占道经营>的处罚", &q),
            "对&lt;<mark>占道经营</mark>&gt;的处罚"
        );
    }
}

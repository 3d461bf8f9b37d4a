//! The public's complaint page (群众投诉) and the status lookup by tracking
//! code: no account. The page is a form; /assets/complaint.js sends it to
//! `/api/v1/public/complaints` and looks codes up there.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::Deserialize;

use super::pages::{Chrome, render_page};
use crate::lang::ReqLang;

#[derive(Template)]
#[template(path = "complaint.html")]
struct ComplaintPage {
    c: Chrome,
    /// A code to look up at once (from `?code=`).
    code: String,
}

#[derive(Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

pub async fn page(ReqLang(lang): ReqLang, Query(q): Query<CodeQuery>) -> Response {
    render_page(ComplaintPage {
        c: Chrome::new(lang, "/portal", lang.pick("群众投诉", "File a complaint")),
        code: q
            .code
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(20)
            .collect(),
    })
}

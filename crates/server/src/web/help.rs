//! `/help/indicators`: the definitions of the indicators, printed from
//! `domain::assessment::definitions` — the same text the functions that
//! compute them are documented with. Public, Chinese first, English with
//! `?lang=en` or `Accept-Language`.

use askama::Template;
use axum::response::Response;
use domain::assessment::SubjectKind;
use domain::assessment::definitions::{Better, CONVENTIONS, DEFINITIONS, Unit, attribution};

use super::pages::{Chrome, render_page};
use crate::lang::ReqLang;

pub struct Row {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub better: &'static str,
    pub text: &'static str,
}

#[derive(Template)]
#[template(path = "help_indicators.html")]
struct IndicatorsHelp {
    c: Chrome,
    conventions: Vec<&'static str>,
    definitions: Vec<Row>,
    subjects: Vec<(&'static str, &'static str, &'static str)>,
}

pub async fn indicators(ReqLang(lang): ReqLang) -> Response {
    let pick = |zh, en| lang.pick(zh, en);
    render_page(IndicatorsHelp {
        c: Chrome::new(lang, "/stats", pick("指标定义", "Indicator definitions")),
        conventions: CONVENTIONS.iter().map(|(zh, en)| pick(zh, en)).collect(),
        definitions: DEFINITIONS
            .iter()
            .map(|d| Row {
                code: d.code,
                name: d.name(lang),
                unit: match d.unit {
                    Unit::Count => pick("件", "count"),
                    Unit::Rate => pick("比率（0–1）", "rate (0–1)"),
                    Unit::Hours => pick("小时", "hours"),
                },
                better: match d.better {
                    Better::Higher => pick("越高越好", "higher"),
                    Better::Lower => pick("越低越好", "lower"),
                },
                text: d.text(lang),
            })
            .collect(),
        subjects: SubjectKind::ALL
            .iter()
            .map(|k| {
                let (zh, en) = attribution(*k);
                (k.label(lang), k.as_str(), pick(zh, en))
            })
            .collect(),
    })
}

//! One penalty case: its party, officers, status, clock, record and
//! documents, and the forms for its next lawful steps.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::Datelike;
use domain::Lang;
use domain::access::{Permission, Role};
use domain::case::numbering;
use domain::case::procedure::{Decision, Record};
use domain::case::{CaseStatus, Penalty};
use serde_json::{Value, json};

use super::super::forms::signed_in;
use super::super::pages::{Chrome, day_of, render_page, today};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::routes::case_documents as docs_api;
use crate::routes::cases::{self as api, CaseView};
use crate::state::AppState;

use super::yuan;

pub struct DocRow {
    pub kind: String,
    pub title: String,
    pub number: String,
    pub created_on: String,
    pub size_kb: i64,
    pub href: String,
}

/// What the decision form starts from: the last prior notice and the party.
#[derive(Default)]
pub struct DecisionDraft {
    pub number: String,
    pub party_name: String,
    pub party_address: String,
    pub facts: String,
    pub evidence: String,
    pub fine: String,
    pub tier: String,
    pub basis: String,
    pub agency: String,
    pub reconsideration_body: String,
    pub court: String,
}

/// The forms offered now: each is a next lawful step of the case's status
/// for a caller who may take it (the rules still decide on the API).
#[derive(Default)]
pub struct Steps {
    pub party: bool,
    pub investigate: bool,
    pub notice: bool,
    pub statement: bool,
    pub waive: bool,
    pub request_hearing: bool,
    pub schedule_hearing: bool,
    pub conclude_hearing: bool,
    pub submit_review: bool,
    pub record_review: bool,
    pub decide: bool,
    pub decision_document: bool,
    pub serve: bool,
    pub payment: bool,
    pub performance: bool,
    pub close: bool,
    pub archive: bool,
    pub summary_document: bool,
    pub summary_filing: bool,
}

impl Steps {
    fn any(&self) -> bool {
        let s = self;
        [
            s.party,
            s.investigate,
            s.notice,
            s.statement,
            s.waive,
            s.request_hearing,
            s.schedule_hearing,
            s.conclude_hearing,
            s.submit_review,
            s.record_review,
            s.decide,
            s.decision_document,
            s.serve,
            s.payment,
            s.performance,
            s.close,
            s.archive,
            s.summary_document,
            s.summary_filing,
        ]
        .contains(&true)
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Chrome,
    id: String,
    version: i64,
    status: String,
    status_label: String,
    /// (label, value) of the case itself.
    facts: Vec<(String, String)>,
    /// The party as shown: (label, value); empty when none is set.
    party: Vec<(String, String)>,
    party_masked: bool,
    officers: Vec<(String, String)>,
    /// The Art. 60 clock, until the decision.
    clock: Option<ClockView>,
    /// Every step recorded: (day, what).
    record: Vec<(String, String)>,
    /// A case decided on the spot: (label, value) of the decision.
    summary: Vec<(String, String)>,
    docs: Vec<DocRow>,
    steps: Steps,
    any_step: bool,
    today: String,
    /// Officers of the township with a credential valid today: id, name.
    roster: Vec<(String, String)>,
    /// The township's legal reviewers: id, name.
    reviewers: Vec<(String, String)>,
    /// The item's discretion tiers: index, "circumstance (min–max yuan)".
    tiers: Vec<(usize, String)>,
    /// The basis in force at the act, one provision a line.
    basis: String,
    draft: DecisionDraft,
    /// The fields of the decision letter (行政处罚决定书) as JSON, from the
    /// decision recorded; the form adds what the record does not hold.
    decision_fields: String,
    /// The provisions the act violates, for the letter (from the notice).
    violation: String,
    owed: String,
}

/// The Art. 60 clock as shown: what it says, and `soon` or `overdue`.
pub struct ClockView {
    pub text: String,
    pub class: &'static str,
}

pub async fn case(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
    Path(id): Path<String>,
) -> Response {
    signed_in(caller, &uri, |caller| case_page(state, lang, caller, id)).await
}

fn part_label(part: &str, lang: Lang) -> String {
    match part {
        "investigator" => lang.pick("调查人员", "investigator"),
        "presiding" => lang.pick("听证主持人", "presiding officer"),
        "reviewer" => lang.pick("法制审核人员", "legal reviewer"),
        other => other,
    }
    .to_string()
}

/// The kinds of a penalty in Chinese (the letter is in Chinese).
fn penalty_types(p: &Penalty) -> Vec<String> {
    let mut t = Vec::new();
    if p.warning {
        t.push("警告".to_string());
    }
    if p.criticism {
        t.push("通报批评".into());
    }
    if !p.fine.is_zero() {
        t.push("罚款".into());
    }
    if !p.confiscated_gains.is_zero() {
        t.push("没收违法所得".into());
    }
    if !p.confiscated_property.is_zero() {
        t.push("没收非法财物".into());
    }
    t.extend(p.measures.iter().map(|m| m.label(Lang::Zh).to_string()));
    t
}

fn penalty_items(p: &Penalty) -> Vec<String> {
    let mut t = Vec::new();
    if p.warning {
        t.push("警告。".to_string());
    }
    if p.criticism {
        t.push("通报批评。".into());
    }
    if !p.fine.is_zero() {
        t.push(format!("罚款人民币{}元。", yuan(p.fine)));
    }
    if !p.confiscated_gains.is_zero() {
        t.push(format!(
            "没收违法所得人民币{}元。",
            yuan(p.confiscated_gains)
        ));
    }
    if !p.confiscated_property.is_zero() {
        t.push(format!(
            "没收非法财物（价值人民币{}元）。",
            yuan(p.confiscated_property)
        ));
    }
    t.extend(
        p.measures
            .iter()
            .map(|m| format!("{}。", m.label(Lang::Zh))),
    );
    t
}

/// The record as a list of what was done, by day.
fn record_lines(r: &Record, name: &dyn Fn(&str) -> String, lang: Lang) -> Vec<(String, String)> {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let names = |ids: &[String]| {
        ids.iter()
            .map(|i| name(i))
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", "))
    };
    let mut out = vec![(r.filed_on.to_string(), t("立案", "Filed"))];
    for s in &r.investigation {
        let mut line = format!(
            "{}{}（{}）",
            t("调查取证：", "Investigation: "),
            s.kind,
            names(&s.officers)
        );
        if !s.note.trim().is_empty() {
            line.push_str(&format!(" {}", s.note));
        }
        out.push((s.on.to_string(), line));
    }
    for p in &r.preservations {
        out.push((
            p.preserved_on.to_string(),
            format!(
                "{}{}",
                t("先行登记保存：", "Evidence preserved: "),
                p.items.join("、")
            ),
        ));
    }
    for n in &r.notices {
        let mut line = format!(
            "{}{}；{}{}",
            t("送达行政处罚事先告知：", "Prior notice served: "),
            n.notice.penalty.describe(lang),
            t("陈述申辩期限至 ", "statement period until "),
            n.statement_ends
        );
        if let Some(h) = n.hearing_request_ends {
            line.push_str(&format!(
                "，{}{h}",
                t("可申请听证至 ", "hearing may be asked for until ")
            ));
        }
        out.push((n.served_on.to_string(), line));
        for s in &n.statements {
            out.push((
                s.on.to_string(),
                format!("{}{}", t("当事人陈述、申辩：", "Statement: "), s.text),
            ));
        }
        if n.statement_waived || n.hearing_waived {
            let mut what = Vec::new();
            if n.statement_waived {
                what.push(t("陈述、申辩", "statement and defence"));
            }
            if n.hearing_waived {
                what.push(t("听证", "hearing"));
            }
            out.push((
                String::new(),
                format!(
                    "{}{}",
                    t("当事人书面放弃：", "The party waived in writing: "),
                    what.join(lang.pick("、", ", "))
                ),
            ));
        }
        if let Some(h) = &n.hearing {
            out.push((
                h.requested_on.to_string(),
                t("当事人申请听证", "Hearing requested"),
            ));
            if let Some(s) = &h.schedule {
                out.push((
                    s.notified_on.to_string(),
                    format!(
                        "{}{} {}（{}{}）",
                        t("通知听证：", "Hearing notified: "),
                        s.hearing_on,
                        s.place,
                        t("主持人 ", "presiding "),
                        name(&s.presiding)
                    ),
                ));
            }
            if let Some(o) = &h.outcome {
                use domain::case::procedure::HearingOutcome as H;
                let what = match o {
                    H::Held { .. } => t("已举行", "held"),
                    H::Absent { .. } => t("当事人未到场", "the party did not come"),
                    H::LeftWithoutLeave => t("当事人中途退场", "the party left without leave"),
                    H::Withdrawn => t("当事人撤回申请", "withdrawn"),
                };
                out.push((
                    String::new(),
                    format!("{}{what}", t("听证结束：", "Hearing concluded: ")),
                ));
            }
        }
    }
    if let Some(rv) = &r.legal_review {
        out.push((
            rv.submitted_on.to_string(),
            format!(
                "{}{}",
                t("送法制审核：", "Submitted for legal review: "),
                name(&rv.reviewer)
            ),
        ));
        if let Some(o) = &rv.opinion {
            out.push((
                o.on.to_string(),
                format!(
                    "{}{}：{}",
                    t("法制审核意见", "Legal review opinion"),
                    if o.passed {
                        t("（通过）", " (passed)")
                    } else {
                        t("（未通过）", " (not passed)")
                    },
                    o.text
                ),
            ));
        }
    }
    if let Some(c) = &r.collective {
        out.push((
            c.held_on.to_string(),
            format!(
                "{}{}",
                t("集体讨论：", "Collective discussion: "),
                c.conclusion
            ),
        ));
    }
    if let Some(d) = &r.decision {
        let what = match &d.decision {
            Decision::Penalise { letter } => format!(
                "{}{}（{}）",
                t("作出行政处罚决定：", "Penalty decided: "),
                letter.penalty.describe(lang),
                letter.number
            ),
            Decision::NoPenalty { reasons, .. } => {
                format!("{}{reasons}", t("决定不予行政处罚：", "No penalty: "))
            }
        };
        out.push((d.decided_on.to_string(), what));
    }
    if let Some(s) = &r.service {
        use domain::case::performance::ServiceMethod as M;
        let how = match &s.method {
            M::OnTheSpot => t("宣告后当场交付", "handed over on the spot"),
            M::Personal { .. } => t("直接送达", "in person"),
            M::LeftAtResidence { .. } => t("留置送达", "left at the residence"),
            M::Postal { .. } => t("邮寄送达", "by post"),
            M::Electronic { .. } => t("电子送达", "electronically"),
            M::PublicNotice { .. } => t("公告送达", "by public notice"),
        };
        out.push((
            s.received_on.map(|d| d.to_string()).unwrap_or_default(),
            format!("{}{how}", t("送达：", "Served: ")),
        ));
    }
    for p in &r.payments {
        out.push((
            p.paid_on.to_string(),
            format!("{}{}", t("缴款 ", "Paid "), p.amount),
        ));
    }
    if let Some(c) = &r.closure {
        out.push((
            c.closed_on.to_string(),
            format!("{}{}", t("结案：", "Closed: "), c.reason),
        ));
    }
    if let Some(a) = &r.archive {
        out.push((
            a.archived_on.to_string(),
            format!("{}{}", t("归档：", "Archived: "), a.number),
        ));
    }
    out
}

/// The party as (label, value) lines, from the case's view of it.
fn party_lines(p: &Value, lang: Lang) -> Vec<(String, String)> {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let s = |k: &str| p[k].as_str().unwrap_or("").to_string();
    let mut out = Vec::new();
    if p["kind"] == "organisation" {
        out.push((t("单位名称", "Organisation"), s("name")));
        out.push((t("统一社会信用代码", "Credit code"), s("credit_code")));
        let r = &p["representative"];
        out.push((
            t("法定代表人（负责人）", "Representative"),
            format!(
                "{}（{}）",
                r["name"].as_str().unwrap_or(""),
                r["title"].as_str().unwrap_or("")
            ),
        ));
    } else {
        out.push((t("姓名", "Name"), s("name")));
        out.push((t("身份证号码", "ID number"), s("id_number")));
        if p["phone"].is_string() {
            out.push((t("联系电话", "Phone"), s("phone")));
        }
    }
    if p["address"].is_string() {
        out.push((t("住址（地址）", "Address"), s("address")));
    }
    out
}

async fn case_page(
    state: AppState,
    lang: Lang,
    caller: Caller,
    id: String,
) -> Result<Response, ApiError> {
    let (_, Json(view)) =
        api::get_case(State(state.clone()), caller.clone(), Path(id.clone())).await?;
    let Json(list) =
        docs_api::list_documents(State(state.clone()), caller.clone(), Path(id.clone())).await?;
    let today = today();
    let mut conn = state.store.acquire().await?;
    let CaseView {
        case,
        version,
        record,
        clock,
        owed,
        party,
        party_masked,
        officers,
        reviewers,
        summary,
        ..
    } = view;
    let roster_all = store::cases::roster(&mut conn, &case.township_id, today).await?;
    let item = store::powerlist::version(&mut conn, &case.item_code, case.item_version).await?;
    let (township, county) =
        store::documents::township_and_county(&mut conn, &case.township_code).await?;
    let year = today.year();
    let next_seq = store::documents::peek_next_number(
        &mut conn,
        &case.township_code,
        documents::Kind::PenaltyDecision.code(),
        year,
    )
    .await?;
    drop(conn);

    let name_of = |pid: &str| -> String {
        roster_all
            .iter()
            .find(|o| o.id == pid)
            .map(|o| o.name.clone())
            .or_else(|| {
                reviewers
                    .iter()
                    .find(|r| r.id == pid)
                    .map(|r| r.name.clone())
            })
            .unwrap_or_else(|| pid.to_string())
    };
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let basis_lines: Vec<String> = case
        .basis
        .at_act
        .iter()
        .map(|b| format!("{}{}", b.law, b.article))
        .collect();
    let mut facts = vec![
        (t("案件编号", "Case"), case.id.clone()),
        (t("乡镇（街道）", "Township"), case.township_name.clone()),
        (
            t("执法事项", "Item"),
            format!("{} {}", case.item_code, case.item_name),
        ),
        (t("违法行为发生日", "Day of the act"), case.act_date.clone()),
        (t("立案日期", "Filed on"), record.filed_on.to_string()),
        (t("立案人", "Filed by"), case.filed_by.clone()),
        (t("法律依据", "Legal basis"), basis_lines.join("；")),
        (
            t("程序", "Procedure"),
            if summary.is_some() {
                t("简易程序（当场处罚）", "Summary (decided on the spot)")
            } else {
                t("普通程序", "Ordinary")
            },
        ),
        (
            t("追责时效届满", "Limitation ends"),
            case.basis.limitation_ends.to_string(),
        ),
    ];
    if let Some(r) = &case.report_id {
        facts.push((t("来源事件", "From report"), r.clone()));
    }

    let s = record.status;
    let may_file = caller
        .scope(Permission::FileCase)
        .is_ok_and(|sc| sc.covers(&case.township_path));
    let is_reviewer = caller.principal.grants.iter().any(|g| {
        g.role == Role::LegalReviewer && case.township_path.starts_with(&g.jurisdiction_path)
    });
    let has_doc = |kind: documents::Kind| list.items.iter().any(|d| d.kind == kind.code());
    let notice = record.notice();
    let mut steps = Steps::default();
    use CaseStatus::*;
    if let Some(sm) = &summary {
        steps.summary_document = may_file && !has_doc(documents::Kind::SummaryDecision);
        steps.summary_filing = may_file && sm.filed_on.is_none();
    } else if may_file {
        steps.party = record.notices.is_empty() && matches!(s, Filed | Investigating);
        steps.investigate = matches!(
            s,
            Filed | Investigating | NoticeServed | HearingRequested | HearingConcluded
        );
        steps.notice = party.is_some()
            && matches!(
                s,
                Investigating
                    | NoticeServed
                    | HearingConcluded
                    | LegalReview
                    | CollectiveDiscussion
            );
        steps.statement = notice.is_some()
            && matches!(
                s,
                NoticeServed | HearingRequested | HearingConcluded | LegalReview
            );
        steps.waive =
            s == NoticeServed && notice.is_some_and(|n| !n.statement_waived || !n.hearing_waived);
        let hearing = notice.and_then(|n| n.hearing.as_ref());
        steps.request_hearing = s == NoticeServed
            && notice.is_some_and(|n| n.hearing_request_ends.is_some() && !n.hearing_waived);
        steps.schedule_hearing =
            s == HearingRequested && hearing.is_some_and(|h| h.schedule.is_none());
        steps.conclude_hearing =
            s == HearingRequested && hearing.is_some_and(|h| h.schedule.is_some());
        steps.submit_review = matches!(s, NoticeServed | HearingConcluded) && !reviewers.is_empty();
        steps.decide = matches!(
            s,
            NoticeServed | HearingConcluded | LegalReview | CollectiveDiscussion
        );
        let penalised = matches!(
            record.decision.as_ref().map(|d| &d.decision),
            Some(Decision::Penalise { .. })
        );
        steps.decision_document = penalised && !has_doc(documents::Kind::PenaltyDecision);
        steps.serve = matches!(s, Decided | NoPenalty) && record.service.is_none();
        steps.payment = s == Served && owed.is_some_and(|o| !o.fine.is_zero());
        steps.performance = s == Served;
        steps.close = matches!(s, Performed | NoPenalty | HandedOver | EnforcementApplied)
            && !(s == NoPenalty && record.service.is_none());
        steps.archive = s == Closed;
    }
    steps.record_review = is_reviewer
        && s == LegalReview
        && record
            .legal_review
            .as_ref()
            .is_some_and(|r| r.opinion.is_none());

    // the decision letter starts from the notice and the party
    let mut draft = DecisionDraft {
        number: numbering::document_number(
            &numbering::agency_short(&county, &township),
            documents::Kind::PenaltyDecision.code(),
            year,
            next_seq,
        ),
        agency: format!("{county}{township}人民政府"),
        reconsideration_body: format!("{county}人民政府"),
        court: format!("{county}人民法院"),
        basis: basis_lines.join("\n"),
        ..Default::default()
    };
    let mut violation = String::new();
    if let Some(p) = &party {
        draft.party_name = p["name"].as_str().unwrap_or("").to_string();
        // a masked address is not the party's address: typed in instead
        if !party_masked {
            draft.party_address = p["address"].as_str().unwrap_or("").to_string();
        }
    }
    if let Some(n) = notice {
        draft.facts = n.notice.facts.clone();
        draft.fine = yuan(n.notice.penalty.fine);
        draft.tier = n
            .notice
            .discretion
            .tier
            .map(|t| t.to_string())
            .unwrap_or_default();
        draft.basis = n.notice.basis.join("\n");
        violation = n
            .notice
            .reasons
            .trim()
            .trim_start_matches("违反")
            .trim()
            .to_string();
    }
    draft.evidence = record
        .investigation
        .iter()
        .map(|s| format!("{}笔录1份", s.kind))
        .collect::<Vec<_>>()
        .join("\n");

    // the decision letter's fields, from the decision as recorded
    let mut decision_fields = String::new();
    if let Some(Decision::Penalise { letter }) = record.decision.as_ref().map(|d| &d.decision) {
        let mut p = json!({"name": letter.party_name, "address": letter.party_address});
        if let Some(v) = &party {
            if v["kind"] == "organisation" {
                p["kind"] = json!("organisation");
                p["credit_code"] = v["credit_code"].clone();
                p["legal_representative"] = v["representative"]["name"].clone();
                p["position"] = v["representative"]["title"].clone();
            } else {
                p["kind"] = json!("person");
                p["id_number"] = v["id_number"].clone();
            }
        }
        let mut fields = json!({
            "party": p,
            "facts": letter.facts,
            "evidence": letter.evidence,
            "legal_basis": letter.basis.join("、"),
            "correction": letter.correction,
            "penalty": {"types": penalty_types(&letter.penalty), "items": penalty_items(&letter.penalty),
                "fine": !letter.penalty.fine.is_zero()},
            "performance": {"days": 15, "text": letter.performance},
            "remedies": {
                "reconsideration": {"body": letter.remedies.reconsideration_body,
                    "days": letter.remedies.reconsideration_days},
                "litigation": {"court": letter.remedies.court, "months": letter.remedies.litigation_months}
            },
        });
        if let Some(n) = notice {
            let said = if n.statements.is_empty() {
                if n.statement_waived {
                    "当事人书面放弃陈述、申辩的权利。".to_string()
                } else {
                    "当事人在规定期限内未提出陈述、申辩。".to_string()
                }
            } else {
                let all: Vec<&str> = n.statements.iter().map(|s| s.text.as_str()).collect();
                format!(
                    "当事人提出陈述、申辩：{}。经复核，本机关已充分听取。",
                    all.join("；")
                )
            };
            fields["statement"] = json!(format!(
                "本机关于{}年{}月{}日向当事人告知拟作出行政处罚的事实、理由、依据及处罚内容，以及依法享有的陈述、申辩{}权利。{said}",
                n.served_on.year(),
                n.served_on.month(),
                n.served_on.day(),
                if n.hearing_request_ends.is_some() {
                    "和要求听证的"
                } else {
                    "的"
                }
            ));
        }
        if let Some(tier) = letter.discretion.tier.and_then(|i| item.discretion.get(i)) {
            fields["discretion"] = json!(format!(
                "参照本事项裁量基准「{}」档次（罚款{}元至{}元）",
                tier.circumstance, tier.fine_min_yuan, tier.fine_max_yuan
            ));
        }
        decision_fields = fields.to_string();
    }

    let summary_lines = match &summary {
        None => Vec::new(),
        Some(sm) => {
            let d = &sm.decision;
            let mut v = vec![
                (t("决定书编号", "Form number"), d.form_number.clone()),
                (t("违法行为", "Act"), d.violation.clone()),
                (t("处罚", "Penalty"), d.penalty.describe(lang)),
                (t("处罚依据", "Basis"), d.basis.clone()),
                (t("责令改正", "Order to correct"), d.correction.clone()),
                (t("地点", "Place"), d.place.clone()),
                (t("日期", "Date"), d.date.to_string()),
                (
                    t("执法人员", "Officers"),
                    d.officers
                        .iter()
                        .map(|o| name_of(o))
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
                (t("作出机关", "Agency"), d.agency.clone()),
            ];
            v.push((
                t("备案", "Filed with the agency"),
                sm.filed_on
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| t("尚未备案", "not yet")),
            ));
            if let Some(c) = &sm.collection {
                v.push((
                    t("当场收缴", "Collected on the spot"),
                    format!("{}（{}）", c.receipt_number, c.collected_on),
                ));
            }
            v
        }
    };

    let docs = list
        .items
        .iter()
        .map(|d| DocRow {
            title: documents::Kind::from_code(&d.kind)
                .map(|k| k.title().to_string())
                .unwrap_or_else(|| d.kind.clone()),
            kind: d.kind.clone(),
            number: d.number.clone(),
            created_on: day_of(&d.created_at),
            size_kb: (d.size + 1023) / 1024,
            href: format!("/api/v1/cases/{}/documents/{}", case.id, d.id),
        })
        .collect();
    let record_view = record_lines(&record, &name_of, lang);
    let any_step = steps.any();
    Ok(render_page(CasePage {
        c: Chrome::new(lang, "/cases", &case.title).for_caller(&caller),
        id: case.id.clone(),
        version,
        status: s.as_str().to_string(),
        status_label: s.label(lang).to_string(),
        facts,
        party: party
            .as_ref()
            .map(|p| party_lines(p, lang))
            .unwrap_or_default(),
        party_masked,
        officers: officers
            .iter()
            .map(|o| {
                (
                    if o.name.is_empty() {
                        o.id.clone()
                    } else {
                        o.name.clone()
                    },
                    part_label(&o.part, lang),
                )
            })
            .collect(),
        clock: clock.map(|c| {
            use domain::case::clock::ClockWarning;
            let left = if c.days_left >= 0 {
                format!(
                    "{}{}{}",
                    t("，剩余 ", ", "),
                    c.days_left,
                    t(" 日", " days left")
                )
            } else {
                t("，已超期", ", overdue")
            };
            ClockView {
                text: format!(
                    "{}{}{left}",
                    t("办案期限（第六十条）至 ", "Decision due (Art. 60) by "),
                    c.deadline
                ),
                class: match c.warning {
                    ClockWarning::None => "",
                    ClockWarning::Soon => "soon",
                    ClockWarning::Overdue => "overdue",
                },
            }
        }),
        record: record_view,
        summary: summary_lines,
        docs,
        steps,
        any_step,
        today: today.to_string(),
        roster: roster_all
            .iter()
            .filter(|o| o.credentialed_on(today))
            .map(|o| (o.id.clone(), o.name.clone()))
            .collect(),
        reviewers: reviewers
            .iter()
            .map(|r| (r.id.clone(), r.name.clone()))
            .collect(),
        tiers: item
            .discretion
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    i,
                    format!(
                        "{}（{}–{} {}）",
                        t.circumstance,
                        t.fine_min_yuan,
                        t.fine_max_yuan,
                        lang.pick("元", "yuan")
                    ),
                )
            })
            .collect(),
        basis: basis_lines.join("\n"),
        draft,
        decision_fields,
        violation,
        owed: owed.map(|o| o.fine.to_string()).unwrap_or_default(),
    }))
}

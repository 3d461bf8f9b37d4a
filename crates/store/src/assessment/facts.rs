//! The fact rows of a jurisdiction's subtree for a period: one per report
//! received in it (its events and supervision reduced to times and counts)
//! and one per case filed or decided in it.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::assessment::{CaseFact, Period, ReportFact};
use domain::report::Status;
use domain::time::{china_date, from_storage};
use sqlx::{AnyConnection, Row};

use crate::util::ts;
use crate::{Result, StoreError};

fn instant(s: &str, what: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    from_storage(s).ok_or_else(|| StoreError::Corrupt(format!("{what}: {s}")))
}

/// Reports of the subtree at `path` received in the period: `$1` path, `$2`
/// start, `$3` end.
const REPORTS_IN: &str = "FROM reports r JOIN jurisdictions t ON t.id = r.township_id
    WHERE t.path LIKE $1 || '%' AND r.received_at >= $2 AND r.received_at < $3";

/// County departments with a field, and the subtree they serve.
async fn departments(conn: &mut AnyConnection) -> Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT u.code, u.field, j.path FROM org_units u JOIN jurisdictions j ON j.id = u.jurisdiction_id
         WHERE u.kind = 'department' AND u.field IS NOT NULL ORDER BY u.code",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

fn department_of(
    depts: &[(String, String, String)],
    field: Option<&str>,
    township_path: &str,
) -> Option<String> {
    let field = field?;
    depts
        .iter()
        .find(|(_, f, p)| f == field && township_path.starts_with(p.as_str()))
        .map(|(code, _, _)| code.clone())
}

/// The call-back score of an evaluation: the event's note ends with it
/// (`reason · note · score`).
fn score_of(note: &str) -> Option<u8> {
    let last = note.rsplit(" · ").next()?.trim();
    last.parse::<u8>().ok().filter(|s| (1..=5).contains(s))
}

pub async fn reports(conn: &mut AnyConnection, path: &str, p: &Period) -> Result<Vec<ReportFact>> {
    let (start, end) = (ts(p.start()), ts(p.end()));
    let depts = departments(&mut *conn).await?;
    let sql =
        "SELECT r.id, r.status, r.received_at, r.deadline_at, r.paused_at, t.code AS township,
            t.path AS tpath, b.code AS brigade, sq.code AS squad, r.handler, r.dispatched_to,
            r.grid_worker_id, r.channel, ru.staff_id AS reporter_staff, p.field
         FROM reports r JOIN jurisdictions t ON t.id = r.township_id
         LEFT JOIN org_units sq ON sq.id = COALESCE(r.dispatched_squad, r.squad_id)
         LEFT JOIN org_units b ON b.jurisdiction_id = r.township_id AND b.kind = 'brigade'
         LEFT JOIN users ru ON ru.id = r.reporter
         LEFT JOIN power_items p ON p.code = r.item_code
         WHERE t.path LIKE $1 || '%' AND r.received_at >= $2 AND r.received_at < $3
         ORDER BY r.received_at, r.id";
    let rows = sqlx::query(sql)
        .bind(path)
        .bind(&start)
        .bind(&end)
        .fetch_all(&mut *conn)
        .await?;
    let mut facts: Vec<ReportFact> = Vec::with_capacity(rows.len());
    let mut at: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        let id: String = r.try_get("id")?;
        if at.contains_key(&id) {
            continue; // a second brigade row of the same township
        }
        let status: String = r.try_get("status")?;
        let received: String = r.try_get("received_at")?;
        let due: Option<String> = r.try_get("deadline_at")?;
        let paused: Option<String> = r.try_get("paused_at")?;
        let handler: Option<String> = r.try_get("handler")?;
        let channel: String = r.try_get("channel")?;
        let field: Option<String> = r.try_get("field")?;
        let tpath: String = r.try_get("tpath")?;
        let reporter_staff: Option<String> = r.try_get("reporter_staff")?;
        at.insert(id.clone(), facts.len());
        facts.push(ReportFact {
            id,
            status: Status::parse(&status).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            received_at: instant(&received, "report received_at")?,
            due_at: due.as_deref().map(|d| instant(d, "deadline")).transpose()?,
            paused: paused.is_some(),
            handled_at: None,
            verifications: 0,
            reworks: 0,
            overdue_flags: 0,
            notices: 0,
            score: None,
            township: r.try_get("township")?,
            brigade: r.try_get("brigade")?,
            squad: r.try_get("squad")?,
            officer: handler.or(r.try_get("dispatched_to")?),
            grid_worker: r.try_get("grid_worker_id")?,
            reported_by: reporter_staff.filter(|_| channel == "grid_worker"),
            department: department_of(&depts, field.as_deref(), &tpath),
        });
    }
    let sql = format!(
        "SELECT e.report_id, e.action, e.to_status, e.note, e.at FROM report_events e
         WHERE e.report_id IN (SELECT r.id {REPORTS_IN}) ORDER BY e.at, e.id"
    );
    let events = sqlx::query(&sql)
        .bind(path)
        .bind(&start)
        .bind(&end)
        .fetch_all(&mut *conn)
        .await?;
    for e in &events {
        let id: String = e.try_get(0)?;
        let Some(f) = at.get(&id).map(|i| &mut facts[*i]) else {
            continue;
        };
        let action: String = e.try_get(1)?;
        let to: String = e.try_get(2)?;
        match action.as_str() {
            "report_back" => f.handled_at = Some(instant(&e.try_get::<String, _>(4)?, "event")?),
            "verify" => {
                f.verifications += 1;
                f.reworks += u32::from(to == Status::Handling.as_str());
            }
            "evaluate" => f.score = score_of(&e.try_get::<String, _>(3)?),
            _ => {}
        }
    }
    let sql = format!(
        "SELECT s.report_id, s.kind FROM report_supervision s
         WHERE s.report_id IN (SELECT r.id {REPORTS_IN})"
    );
    let marks = sqlx::query(&sql)
        .bind(path)
        .bind(&start)
        .bind(&end)
        .fetch_all(conn)
        .await?;
    for m in &marks {
        let id: String = m.try_get(0)?;
        let kind: String = m.try_get(1)?;
        if let Some(f) = at.get(&id).map(|i| &mut facts[*i]) {
            match kind.as_str() {
                "overdue" => f.overdue_flags += 1,
                "notice_township" | "notice_county" => f.notices += 1,
                k if k.starts_with("manual:") => f.notices += 1,
                _ => {}
            }
        }
    }
    Ok(facts)
}

fn json_date(v: &serde_json::Value, keys: &[&str]) -> Option<NaiveDate> {
    keys.iter()
        .try_fold(v, |v, k| v.get(k))?
        .as_str()?
        .parse()
        .ok()
}

/// Cases of the subtree filed before the period ends and filed or changed
/// since it began (a decision in the period changed the case in it).
pub async fn cases(conn: &mut AnyConnection, path: &str, p: &Period) -> Result<Vec<CaseFact>> {
    let (start, end) = (ts(p.start()), ts(p.end()));
    let depts = departments(&mut *conn).await?;
    const CASES_IN: &str = "FROM cases c JOIN jurisdictions t ON t.id = c.township_id
        WHERE t.path LIKE $1 || '%' AND c.filed_at < $3
          AND (c.filed_at >= $2 OR COALESCE(c.updated_at, c.filed_at) >= $2)";
    let sql = format!(
        "SELECT c.id, t.code AS township, t.path AS tpath, c.filed_at, c.record, c.summary,
            p.field, fu.staff_id AS filer, fq.code AS filer_squad, b.code AS brigade
         FROM cases c JOIN jurisdictions t ON t.id = c.township_id
         LEFT JOIN power_items p ON p.code = c.item_code
         LEFT JOIN users fu ON fu.username = c.filed_by
         LEFT JOIN staff fs ON fs.id = fu.staff_id
         LEFT JOIN org_units fq ON fq.id = fs.unit_id AND fq.kind = 'squad'
         LEFT JOIN org_units b ON b.jurisdiction_id = c.township_id AND b.kind = 'brigade'
         WHERE c.id IN (SELECT c.id {CASES_IN}) ORDER BY c.filed_at, c.id"
    );
    let rows = sqlx::query(&sql)
        .bind(path)
        .bind(&start)
        .bind(&end)
        .fetch_all(&mut *conn)
        .await?;
    let mut facts: Vec<CaseFact> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        let id: String = r.try_get("id")?;
        if at.contains_key(&id) {
            continue;
        }
        let parse = |col: &str| -> Result<serde_json::Value> {
            let s: Option<String> = r.try_get(col)?;
            Ok(s.and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default())
        };
        let (record, summary) = (parse("record")?, parse("summary")?);
        let filed_at: String = r.try_get("filed_at")?;
        let field: Option<String> = r.try_get("field")?;
        let tpath: String = r.try_get("tpath")?;
        let filer: Option<String> = r.try_get("filer")?;
        let filer_squad: Option<String> = r.try_get("filer_squad")?;
        at.insert(id.clone(), facts.len());
        facts.push(CaseFact {
            id,
            township: r.try_get("township")?,
            brigade: r.try_get("brigade")?,
            squads: filer_squad.into_iter().collect(),
            officers: filer.into_iter().collect(),
            department: department_of(&depts, field.as_deref(), &tpath),
            filed_on: match json_date(&record, &["filed_on"]) {
                Some(d) => d,
                None => china_date(instant(&filed_at, "case filed_at")?),
            },
            decided_on: json_date(&record, &["decision", "decided_on"])
                .or_else(|| json_date(&summary, &["decision", "date"])),
        });
    }
    let sql = format!(
        "SELECT co.case_id, co.person, q.code AS squad FROM case_officers co
         LEFT JOIN staff s ON s.id = co.person
         LEFT JOIN org_units q ON q.id = s.unit_id AND q.kind = 'squad'
         WHERE co.case_id IN (SELECT c.id {CASES_IN}) ORDER BY co.case_id, co.person"
    );
    let officers = sqlx::query(&sql)
        .bind(path)
        .bind(&start)
        .bind(&end)
        .fetch_all(conn)
        .await?;
    for o in &officers {
        let id: String = o.try_get(0)?;
        let person: String = o.try_get(1)?;
        let squad: Option<String> = o.try_get(2)?;
        if let Some(f) = at.get(&id).map(|i| &mut facts[*i]) {
            if !f.officers.contains(&person) {
                f.officers.push(person);
            }
            if let Some(q) = squad.filter(|q| !f.squads.contains(q)) {
                f.squads.push(q);
            }
        }
    }
    Ok(facts)
}

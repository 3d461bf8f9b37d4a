//! A small, hand-made closed-loop history in township A for March 2026,
//! written straight into the tables so every time is known:
//!
//! | | squad | handler | channel | status | received (UTC) | loop |
//! |---|---|---|---|---|---|---|
//! | S1 | ZD1 | o1 | grid worker | evaluated (5) | 3-02 01:00 | back 07:00 (6 h), passed; a market-supervision item |
//! | S2 | ZD1 | o1 | citizen | closed | 3-03 00:00 | back, failed (rework), back 12:00 (12 h), passed; flagged overdue, one township notice |
//! | S3 | ZD1 | o1 | citizen | handling, due 3-05 | 3-04 00:00 | late now |
//! | S4 | ZD2 | o2 | citizen | evaluated (4) | 3-05 00:00 | back 04:00 (4 h), passed |
//! | S5 | ZD2 | – | grid worker | rejected | 3-06 00:00 | – |
//! | S6 | ZD1 | o1 | citizen | evaluated (1) | 2-28 15:00 (China: 28 Feb) | outside March |
//!
//! Cases: o1 (ZD1) filed 3-10, decided 3-20; o2 (ZD2) filed 3-12, open.

#![allow(dead_code)]

use serde_json::{Value, json};
use sqlx::Row;
use store::Conn;
use store::testing::TestDb;

pub const A: &str = "411423100";

pub struct Seeded {
    pub township_id: String,
    pub grid_id: String,
    /// (unit id, unit code) of ZD1 and ZD2.
    pub zd1: (String, String),
    pub zd2: (String, String),
    pub o1: String,
    pub o2: String,
    /// The demo grid worker's staff id and user id.
    pub gw_staff: String,
    pub gw_user: String,
}

async fn one(conn: &mut Conn, sql: &str, bind: &str) -> (String, Option<String>) {
    let row = sqlx::query(sql)
        .bind(bind)
        .fetch_one(conn)
        .await
        .expect(sql);
    (row.try_get(0).unwrap(), row.try_get(1).ok().flatten())
}

async fn squad(conn: &mut Conn, code: &str) -> ((String, String), String) {
    let (id, _) = one(conn, "SELECT id, code FROM org_units WHERE code = $1", code).await;
    let (officer, _) = one(
        conn,
        "SELECT id, name FROM staff WHERE unit_id = $1 AND post = 'officer' ORDER BY id LIMIT 1",
        &id,
    )
    .await;
    ((id, code.to_string()), officer)
}

pub async fn ids(db: &TestDb) -> Seeded {
    let mut c = db.store.acquire().await.unwrap();
    let (township_id, _) = one(
        &mut c,
        "SELECT id, code FROM jurisdictions WHERE code = $1",
        A,
    )
    .await;
    let (grid_id, _) = one(
        &mut c,
        "SELECT id, code FROM grids WHERE township_id = $1 ORDER BY code LIMIT 1",
        &township_id,
    )
    .await;
    let (zd1, o1) = squad(&mut c, &format!("{A}-ZD1")).await;
    let (zd2, o2) = squad(&mut c, &format!("{A}-ZD2")).await;
    let (gw_user, gw_staff) = one(
        &mut c,
        "SELECT id, staff_id FROM users WHERE username = $1",
        "gridworker",
    )
    .await;
    Seeded {
        township_id,
        grid_id,
        zd1,
        zd2,
        o1,
        o2,
        gw_staff: gw_staff.expect("the demo grid worker is a person"),
        gw_user,
    }
}

/// One report; `events` are (action, to status, note, at).
#[allow(clippy::too_many_arguments)]
pub async fn report(
    db: &TestDb,
    s: &Seeded,
    id: &str,
    (squad, handler): (&str, Option<&str>),
    (channel, reporter): (&str, &str),
    status: &str,
    received_at: &str,
    deadline_at: Option<&str>,
    events: &[(&str, &str, &str, &str)],
) {
    let mut c = db.store.acquire().await.unwrap();
    sqlx::query(
        "INSERT INTO reports (id, channel, description, lon, lat, crs_in, lon_in, lat_in,
            township_id, grid_id, squad_id, officer_id, grid_worker_id, suggestions, urgency,
            emergency, status, duplicates, occurred_at, received_at, reporter, dispatched_squad,
            dispatched_to, handler, deadline_at, updated_at)
         VALUES ($1, $2, '考核测试', 115.3, 34.4, 'wgs84', 115.3, 34.4, $3, $4, $5, $6, $7, '[]',
            'normal', '[]', $8, 0, $9, $9, $10, $5, $6, $6, $11, $9)",
    )
    .bind(id)
    .bind(channel)
    .bind(&s.township_id)
    .bind(&s.grid_id)
    .bind(squad)
    .bind(handler)
    .bind(&s.gw_staff)
    .bind(status)
    .bind(received_at)
    .bind(reporter)
    .bind(deadline_at)
    .execute(&mut *c)
    .await
    .expect("insert report");
    for (k, (action, to, note, at)) in events.iter().enumerate() {
        sqlx::query(
            "INSERT INTO report_events (id, report_id, action, from_status, to_status, actor, note, at)
             VALUES ($1, $2, $3, 'x', $4, 'seed', $5, $6)",
        )
        .bind(format!("{id}-e{k}"))
        .bind(id)
        .bind(action)
        .bind(to)
        .bind(note)
        .bind(at)
        .execute(&mut *c)
        .await
        .expect("insert event");
    }
}

pub async fn supervision(db: &TestDb, s: &Seeded, report: &str, kind: &str, at: &str) {
    let mut c = db.store.acquire().await.unwrap();
    sqlx::query(
        "INSERT INTO report_supervision (id, report_id, step, deadline_at, kind, issued_at,
            issued_by, note, township_id)
         VALUES ($1, $2, 'handle', $3, $4, $3, 'system', '', $5)",
    )
    .bind(format!("{report}-{kind}"))
    .bind(report)
    .bind(at)
    .bind(kind)
    .bind(&s.township_id)
    .execute(&mut *c)
    .await
    .expect("insert supervision");
}

/// Put a report under a power-list item of the field (市场监管…).
pub async fn in_field(db: &TestDb, report: &str, field: &str) {
    let mut c = db.store.acquire().await.unwrap();
    sqlx::query(
        "UPDATE reports SET item_code =
            (SELECT MIN(code) FROM power_items WHERE field = $2) WHERE id = $1",
    )
    .bind(report)
    .bind(field)
    .execute(&mut *c)
    .await
    .expect("an item of the field");
}

/// A case filed on `filed` by `officer` (an investigator), decided on
/// `decided` (no penalty) if given.
pub async fn case(
    db: &TestDb,
    s: &Seeded,
    id: &str,
    officer: &str,
    filed: &str,
    decided: Option<&str>,
) {
    let mut record = serde_json::json!({"status": "filed", "filed_on": filed, "act_date": filed});
    if let Some(d) = decided {
        record["status"] = "decided".into();
        record["decision"] = serde_json::json!({"decided_on": d,
            "decision": {"no_penalty": {"ground": "minor", "reasons": "情节轻微并及时改正"}}});
    }
    let filed_at = format!("{filed}T02:00:00.000000Z");
    let updated = format!("{}T02:00:00.000000Z", decided.unwrap_or(filed));
    let mut c = db.store.acquire().await.unwrap();
    sqlx::query(
        "INSERT INTO cases (id, township_id, item_code, item_version, item_name, title, act_date,
            grave_harm, limitation_ends, basis, status, filed_by, filed_at, record, version, updated_at)
         VALUES ($1, $2, 'TEST-1', 1, '考核测试事项', '考核测试案', $3, 0, '2028-03-01', '{}', $4,
            'seed', $5, $6, 0, $7)",
    )
    .bind(id)
    .bind(&s.township_id)
    .bind(filed)
    .bind(record["status"].as_str().unwrap())
    .bind(&filed_at)
    .bind(record.to_string())
    .bind(&updated)
    .execute(&mut *c)
    .await
    .expect("insert case");
    sqlx::query(
        "INSERT INTO case_officers (case_id, person, part) VALUES ($1, $2, 'investigator')",
    )
    .bind(id)
    .bind(officer)
    .execute(&mut *c)
    .await
    .expect("insert case officer");
}

/// The history of the table above.
#[rustfmt::skip]
pub async fn march(db: &TestDb) -> Seeded {
    let s = ids(db).await;
    let (zd1, zd2) = (s.zd1.0.clone(), s.zd2.0.clone());
    let (o1, o2) = (Some(s.o1.as_str()), Some(s.o2.as_str()));
    let gw = ("grid_worker", s.gw_user.as_str());
    let citizen = ("citizen", "public:seed");
    let t = |d: &str, h: &str| format!("2026-03-{d}T{h}:00:00.000000Z");
    report(db, &s, "S1", (&zd1, o1), gw, "evaluated", &t("02", "01"), None, &[
        ("report_back", "reported_back", "已处置", &t("02", "07")),
        ("verify", "verified", "", &t("02", "08")),
        ("close", "closed", "", &t("02", "09")),
        ("evaluate", "evaluated", "群众满意 · 5", &t("02", "10")),
    ]).await;
    report(db, &s, "S2", (&zd1, o1), citizen, "closed", &t("03", "00"), None, &[
        ("report_back", "reported_back", "已处置", &t("03", "02")),
        ("verify", "handling", "仍有堆放", &t("03", "03")),
        ("report_back", "reported_back", "已清理", &t("03", "12")),
        ("verify", "verified", "", &t("03", "13")),
        ("close", "closed", "", &t("03", "14")),
    ]).await;
    in_field(db, "S1", "市场监管").await;
    supervision(db, &s, "S2", "overdue", &t("03", "09")).await;
    supervision(db, &s, "S2", "notice_township", &t("03", "10")).await;
    supervision(db, &s, "S2", "warning", &t("03", "08")).await;
    report(db, &s, "S3", (&zd1, o1), citizen, "handling", &t("04", "00"), Some(&t("05", "00")), &[]).await;
    report(db, &s, "S4", (&zd2, o2), citizen, "evaluated", &t("05", "00"), None, &[
        ("report_back", "reported_back", "已处置", &t("05", "04")),
        ("verify", "verified", "", &t("05", "05")),
        ("close", "closed", "", &t("05", "06")),
        ("evaluate", "evaluated", "4", &t("05", "07")),
    ]).await;
    report(db, &s, "S5", (&zd2, None), gw, "rejected", &t("06", "00"), None, &[]).await;
    report(db, &s, "S6", (&zd1, o1), citizen, "evaluated", "2026-02-28T15:00:00.000000Z", None, &[
        ("report_back", "reported_back", "已处置", "2026-02-28T16:00:00.000000Z"),
        ("verify", "verified", "", "2026-02-28T17:00:00.000000Z"),
        ("evaluate", "evaluated", "1", "2026-02-28T18:00:00.000000Z"),
    ]).await;
    case(db, &s, "K1", &s.o1, "2026-03-10", Some("2026-03-20")).await;
    case(db, &s, "K2", &s.o2, "2026-03-12", None).await;
    s
}

/// ZD1: S1 S2 S3 (S6 is 28 Feb in China). Handled S1 S2; on time: S2
/// was flagged → 1/2; closed S1 S2 of 3 → 0.6667; reworked S2 of the
/// verified S1 S2 → 0.5; overdue S2 (flag) + S3 (late now) = 2; hours 6
/// and 12 → mean 9, p90 the ⌈0.9 × 2⌉ = 2nd = 12; one township notice
/// (the warning does not count); K1 filed 3-10, decided 3-20; the grid
/// worker's S1 valid, 1 of 1 decided; S1 scored 5 → 1/1.
pub fn zd1_march() -> Value {
    json!({"received": 3, "handled": 2, "on_time_rate": 0.5, "closure_rate": 0.6667,
        "rework_rate": 0.5, "overdue": 2, "mean_handling_hours": 9.0,
        "p90_handling_hours": 12.0, "notices": 1, "cases_filed": 1, "cases_decided": 1,
        "valid_reports": 1, "report_accuracy": 1.0, "satisfaction": 1.0})
}

/// ZD2: S4 S5. Handled S4, on time; S5 rejected leaves 1 actionable,
/// closed → 1.0; S4 verified once, no rework → 0.0; 4 h; K2 filed, not
/// decided; the grid worker's S5 rejected → 0 valid, 0/1; S4 scored 4 → 1.0.
pub fn zd2_march() -> Value {
    json!({"received": 2, "handled": 1, "on_time_rate": 1.0, "closure_rate": 1.0,
        "rework_rate": 0.0, "overdue": 0, "mean_handling_hours": 4.0,
        "p90_handling_hours": 4.0, "notices": 0, "cases_filed": 1, "cases_decided": 0,
        "valid_reports": 0, "report_accuracy": 0.0, "satisfaction": 1.0})
}

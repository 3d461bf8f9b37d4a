//! Supervision (督办), pauses and extensions, and the admin's calendar,
//! through the API and the scheduler, on SQLite and PostgreSQL.

mod common;

mod cases {
    use super::common::*;
    use chrono::{DateTime, Duration, Utc};
    use domain::calendar::{Calendar, WorkingHours};
    use reqwest::Method;
    use serde_json::{Value, json};
    use server::state::AppState;
    use store::testing::TestDb;

    const A: &str = "411423100";

    async fn ok(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    }

    fn at(v: &Value) -> DateTime<Utc> {
        domain::time::from_storage(v.as_str().unwrap()).unwrap()
    }

    async fn new_report(app: &TestApp, text: &str) -> String {
        let gw = app.session("gridworker").await;
        let ((lon, lat), _) = grid_point(app, &gw, A, 0).await;
        let v = ok(app
            .send_as(
                &gw,
                Method::POST,
                "/api/v1/reports",
                Some(
                    json!({"channel": "grid_worker", "description": text, "lon": lon, "lat": lat}),
                ),
            )
            .await)
        .await;
        v["id"].as_str().unwrap().to_string()
    }

    async fn act(app: &TestApp, s: &Session, path: &str, body: Value) -> reqwest::Response {
        app.send_as(s, Method::POST, path, Some(body)).await
    }

    /// Another instance of the server on the same database, with its own
    /// connection pool and its scheduler off (the test drives it).
    async fn instance(db: &TestDb) -> AppState {
        let store = store::Store::connect(&db.config).await.unwrap();
        let mut settings = test_settings(db);
        settings.supervision_interval_secs = 0;
        let app = server::Application::build_with_store(settings, store)
            .await
            .unwrap();
        app.state().clone()
    }

    pub async fn extensions_and_pauses_need_a_leaders_approval_and_move_the_deadline(db: &TestDb) {
        let app = spawn_demo(db).await;
        let dispatcher = app.session("dispatcher").await;
        let officer = app.session("officer").await;
        let leader = app.session("squadleader").await;
        let id = new_report(&app, "沿街商铺占道经营").await;
        let base = format!("/api/v1/reports/{id}");
        ok(act(
            &app,
            &dispatcher,
            &format!("{base}/actions"),
            json!({"action": "dispatch"}),
        )
        .await)
        .await;
        let accepted = ok(act(
            &app,
            &officer,
            &format!("{base}/actions"),
            json!({"action": "accept"}),
        )
        .await)
        .await;
        let before = at(&accepted["deadline_at"]);

        // asking needs a reason and a sane number of days
        let p = problem(
            act(
                &app,
                &officer,
                &format!("{base}/requests"),
                json!({"kind": "extension", "reason": "需补充检测", "working_days": 0}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["field"], "working_days");
        let asked = ok(act(
            &app,
            &officer,
            &format!("{base}/requests"),
            json!({"kind": "extension", "reason": "需等待检测报告", "working_days": 3}),
        )
        .await)
        .await;
        let rid = asked["requests"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(asked["requests"][0]["status"], "pending");
        assert_eq!(
            at(&asked["deadline_at"]),
            before,
            "a request alone moves nothing"
        );
        // nobody decides their own request; a dispatcher is no approver
        let p = problem(
            act(
                &app,
                &officer,
                &format!("{base}/requests/{rid}/decision"),
                json!({"approve": true}),
            )
            .await,
            403,
        )
        .await;
        assert_eq!(p["code"], "report.approve_own");
        let p = problem(
            act(
                &app,
                &dispatcher,
                &format!("{base}/requests/{rid}/decision"),
                json!({"approve": true}),
            )
            .await,
            403,
        )
        .await;
        assert_eq!(p["code"], "report.approver_role");
        let approved = ok(act(
            &app,
            &leader,
            &format!("{base}/requests/{rid}/decision"),
            json!({"approve": true, "note": "同意延期"}),
        )
        .await)
        .await;
        let after = at(&approved["deadline_at"]);
        let cal = Calendar::builtin();
        let wh = WorkingHours::default();
        assert_eq!(
            cal.working_hours_between(before, after, &wh),
            3.0 * wh.hours_per_day(),
            "moved by three working days"
        );
        // decided once
        let p = problem(
            act(
                &app,
                &leader,
                &format!("{base}/requests/{rid}/decision"),
                json!({"approve": false}),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "report.request_decided");

        // a pause: approved, the clock stops and the loop waits
        ok(act(
            &app,
            &officer,
            &format!("{base}/requests"),
            json!({"kind": "pause", "reason": "当事人外出，待其返回"}),
        )
        .await)
        .await;
        let r = ok(app.get_as(&officer, &base).await).await;
        let pid = r["requests"][1]["id"].as_str().unwrap().to_string();
        let paused = ok(act(
            &app,
            &leader,
            &format!("{base}/requests/{pid}/decision"),
            json!({"approve": true}),
        )
        .await)
        .await;
        assert!(paused["paused_at"].is_string());
        let p = problem(
            act(
                &app,
                &officer,
                &format!("{base}/actions"),
                json!({"action": "start"}),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "report.paused");
        let resumed = ok(act(
            &app,
            &officer,
            &format!("{base}/resume"),
            json!({"note": "当事人已返回"}),
        )
        .await)
        .await;
        assert!(resumed["paused_at"].is_null());
        assert!(at(&resumed["deadline_at"]) >= after, "no working time lost");
        ok(act(
            &app,
            &officer,
            &format!("{base}/actions"),
            json!({"action": "start"}),
        )
        .await)
        .await;
        // every request and decision is in the trail and the audit
        let trail: Vec<&str> = resumed["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for a in [
            "request_extension",
            "extension_approved",
            "request_pause",
            "pause_approved",
            "resume",
        ] {
            assert!(trail.contains(&a), "{a} in {trail:?}");
        }
        let admin = app.session("admin").await;
        let audit = ok(app
            .get_as(
                &admin,
                &format!("/api/v1/audit?object_id={id}&per_page=100"),
            )
            .await)
        .await;
        let actions: Vec<&str> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions.iter().filter(|a| **a == "report.request").count(),
            2
        );
        assert_eq!(
            actions.iter().filter(|a| **a == "report.decision").count(),
            2
        );
        assert!(actions.contains(&"report.resume"));
    }

    pub async fn the_scheduler_warns_flags_and_escalates_once_with_three_instances(db: &TestDb) {
        let app = spawn_demo(db).await;
        let dispatcher = app.session("dispatcher").await;
        let id = new_report(&app, "路边违规设置广告牌").await;
        let r = ok(app
            .get_as(&dispatcher, &format!("/api/v1/reports/{id}"))
            .await)
        .await;
        let deadline = at(&r["deadline_at"]);
        let instances = [instance(db).await, instance(db).await, instance(db).await];
        let mut seen: Vec<String> = Vec::new();
        for (when, expect) in [
            (deadline - Duration::hours(4), vec![]),
            (deadline - Duration::seconds(1), vec!["warning"]),
            (
                deadline + Duration::minutes(1),
                vec!["overdue", "notice_township"],
            ),
            (deadline + Duration::hours(3), vec![]),
            (
                deadline + Duration::days(1) + Duration::minutes(1),
                vec!["notice_county"],
            ),
            (
                deadline + Duration::days(2) + Duration::minutes(1),
                vec!["leader_report"],
            ),
            (deadline + Duration::days(9), vec![]),
        ] {
            let (a, b, c) = tokio::join!(
                server::supervisor::sweep(&instances[0], when),
                server::supervisor::sweep(&instances[1], when),
                server::supervisor::sweep(&instances[2], when),
            );
            let mut issued: Vec<String> = Vec::new();
            for s in [a, b, c] {
                let s = s.map_err(|e| e.0).unwrap();
                issued.extend(
                    s.issued
                        .into_iter()
                        .filter(|(r, _)| *r == id)
                        .map(|(_, k)| k),
                );
            }
            issued.sort();
            let mut want: Vec<String> = expect.iter().map(|s| s.to_string()).collect();
            want.sort();
            // when a sweep skipped (another held the lock), run once more
            if issued != want {
                let s = server::supervisor::sweep(&instances[0], when)
                    .await
                    .map_err(|e| e.0)
                    .unwrap();
                issued.extend(
                    s.issued
                        .into_iter()
                        .filter(|(r, _)| *r == id)
                        .map(|(_, k)| k),
                );
                issued.sort();
            }
            assert_eq!(
                issued, want,
                "at {when}: issued once across three instances"
            );
            seen.extend(want);
        }
        let r = ok(app
            .get_as(&dispatcher, &format!("/api/v1/reports/{id}"))
            .await)
        .await;
        let mut kinds: Vec<String> = r["supervision"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap().to_string())
            .collect();
        kinds.sort();
        seen.sort();
        assert_eq!(kinds, seen, "one record per kind");
        let notices: Vec<&Value> = r["supervision"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["kind"].as_str().unwrap().starts_with("notice_"))
            .collect();
        assert!(
            notices.iter().all(|n| n["due_at"].is_string()),
            "a notice has its own deadline"
        );
        let events = r["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"].as_str().unwrap().starts_with("supervision."))
            .count();
        assert_eq!(events, kinds.len(), "one event each");
        let admin = app.session("admin").await;
        let audit = ok(app
            .get_as(
                &admin,
                &format!("/api/v1/audit?object_id={id}&action=report.supervision&per_page=100"),
            )
            .await)
        .await;
        assert_eq!(
            audit["total"].as_u64().unwrap() as usize,
            kinds.len(),
            "one audit entry each"
        );
        // a person's notice of a level already issued is refused
        let supervisor = app.session("supervisor").await;
        let p = problem(
            act(
                &app,
                &supervisor,
                &format!("/api/v1/reports/{id}/supervision"),
                json!({"note": "请立即处置"}),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "report.notice_exists");
    }

    pub async fn a_paused_report_is_not_supervised_and_people_issue_notices(db: &TestDb) {
        let app = spawn_demo(db).await;
        let dispatcher = app.session("dispatcher").await;
        let officer = app.session("officer").await;
        let leader = app.session("squadleader").await;
        let id = new_report(&app, "夜间施工噪声扰民").await;
        let base = format!("/api/v1/reports/{id}");
        ok(act(
            &app,
            &dispatcher,
            &format!("{base}/actions"),
            json!({"action": "dispatch"}),
        )
        .await)
        .await;
        ok(act(
            &app,
            &officer,
            &format!("{base}/actions"),
            json!({"action": "accept"}),
        )
        .await)
        .await;
        // the county supervisor issues a county notice; an officer may not
        let p = problem(
            act(
                &app,
                &officer,
                &format!("{base}/supervision"),
                json!({"note": "请加快"}),
            )
            .await,
            403,
        )
        .await;
        assert_eq!(p["code"], "report.supervisor_role");
        let supervisor = app.session("supervisor").await;
        let r = ok(act(
            &app,
            &supervisor,
            &format!("{base}/supervision"),
            json!({"note": "群众反映强烈，请两日内办结", "working_days": 2}),
        )
        .await)
        .await;
        assert_eq!(r["supervision"][0]["kind"], "notice_county");
        // paused: the sweep leaves it alone, however late
        ok(act(
            &app,
            &officer,
            &format!("{base}/requests"),
            json!({"kind": "pause", "reason": "等待鉴定"}),
        )
        .await)
        .await;
        let r = ok(app.get_as(&officer, &base).await).await;
        let pid = r["requests"][0]["id"].as_str().unwrap();
        ok(act(
            &app,
            &leader,
            &format!("{base}/requests/{pid}/decision"),
            json!({"approve": true}),
        )
        .await)
        .await;
        let deadline = at(&r["deadline_at"]);
        let s = instance(db).await;
        let swept = server::supervisor::sweep(&s, deadline + Duration::days(5))
            .await
            .map_err(|e| e.0)
            .unwrap();
        assert!(
            !swept.issued.iter().any(|(r, _)| *r == id),
            "paused: not supervised"
        );
    }

    pub async fn an_admin_enters_next_years_holidays_and_deadlines_follow(db: &TestDb) {
        let app = spawn_demo(db).await;
        let county_admin = app.session("countyadmin").await;
        let town_admin = app.session("admin").await;
        let plan = json!({"year": 2027, "holidays": ["2027-01-01", "2027-01-04"], "workdays": ["2027-01-09"], "source": "测试通知"});
        let p = problem(
            app.send_as(
                &town_admin,
                Method::PUT,
                "/api/v1/calendar/2027",
                Some(plan.clone()),
            )
            .await,
            403,
        )
        .await;
        assert_eq!(p["code"], "calendar.county_only");
        // a make-up working day on a weekday is refused, nothing stored
        let bad = json!({"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-01-05"]});
        let p = problem(
            app.send_as(
                &county_admin,
                Method::PUT,
                "/api/v1/calendar/2027",
                Some(bad),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "calendar.workday_not_weekend");
        let cal = ok(app.get_as(&county_admin, "/api/v1/calendar").await).await;
        assert!(
            !cal["years"]
                .as_array()
                .unwrap()
                .iter()
                .any(|y| y["year"] == 2027)
        );
        let cal = ok(app
            .send_as(
                &county_admin,
                Method::PUT,
                "/api/v1/calendar/2027",
                Some(plan),
            )
            .await)
        .await;
        let y = cal["years"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["year"] == 2027)
            .unwrap();
        assert_eq!(y["holidays"].as_array().unwrap().len(), 2);
        // a fresh instance (a restart) reads it from the database
        let s = instance(db).await;
        let c = s.calendar.get();
        let d = |m, day| chrono::NaiveDate::from_ymd_opt(2027, m, day).unwrap();
        assert!(!c.is_working_day(d(1, 4)), "Monday 4 Jan 2027 is off");
        assert!(c.is_working_day(d(1, 9)), "Saturday 9 Jan 2027 is worked");
        let admin_audit = ok(app
            .get_as(&county_admin, "/api/v1/audit?action=calendar.put")
            .await)
        .await;
        assert_eq!(admin_audit["total"], 1);
    }

    /// The sweep reads only the reports whose time has come (migration
    /// 0022): a new report not before its warning time, then not again
    /// before its deadline; a calendar change makes every waiting one due.
    pub async fn a_sweep_reads_only_the_reports_whose_time_has_come(db: &TestDb) {
        let key = store::audit::load_or_create_key(db.dir.path(), None).unwrap();
        demo::seed(&db.store, &key).await.unwrap();
        let mut settings = test_settings(db);
        settings.supervision_interval_secs = 0;
        let app = spawn_with(settings, db.store.clone()).await;
        let s = instance(db).await;
        let sweep = |when| server::supervisor::sweep(&s, when);
        new_report(&app, "门店占道经营").await;
        new_report(&app, "施工噪声扰民").await;
        let first = sweep(Utc::now()).await.map_err(|e| e.0).unwrap();
        assert_eq!(first.looked, 0, "a new report carries its warning time");
        let id = new_report(&app, "路边违规设置广告牌").await;
        let dispatcher = app.session("dispatcher").await;
        let r = ok(app
            .get_as(&dispatcher, &format!("/api/v1/reports/{id}"))
            .await)
        .await;
        let deadline = at(&r["deadline_at"]);
        // by then each of the three is due for its warning
        let warned = sweep(deadline - Duration::seconds(1))
            .await
            .map_err(|e| e.0)
            .unwrap();
        assert_eq!(warned.looked, 3, "{warned:?}");
        assert_eq!(warned.issued.len(), 3, "{warned:?}");
        assert!(warned.issued.contains(&(id.clone(), "warning".to_string())));
        let again = sweep(deadline - Duration::seconds(1))
            .await
            .map_err(|e| e.0)
            .unwrap();
        assert_eq!(again.looked, 0, "then nothing until their deadline");
        let county_admin = app.session("countyadmin").await;
        let plan =
            json!({"year": 2027, "holidays": ["2027-01-01"], "workdays": [], "source": "测试通知"});
        ok(app
            .send_as(
                &county_admin,
                Method::PUT,
                "/api/v1/calendar/2027",
                Some(plan),
            )
            .await)
        .await;
        let after = sweep(Utc::now()).await.map_err(|e| e.0).unwrap();
        assert_eq!(
            after.looked, 3,
            "a calendar change makes the waiting reports due"
        );
        assert!(after.issued.is_empty(), "nothing new is due now");
    }
}

store::both_databases!(crate::cases =>
    extensions_and_pauses_need_a_leaders_approval_and_move_the_deadline,
    the_scheduler_warns_flags_and_escalates_once_with_three_instances,
    a_paused_report_is_not_supervised_and_people_issue_notices,
    an_admin_enters_next_years_holidays_and_deadlines_follow,
    a_sweep_reads_only_the_reports_whose_time_has_come,
);

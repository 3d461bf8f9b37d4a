//! 24-hour duty through the API, on SQLite and PostgreSQL: who is on duty
//! either side of midnight and at the 08:00 handover, the roster's rules
//! (overlaps, every bad entry named, nothing stored), removal, handover
//! notes, and who may change the roster.

mod common;

mod cases {
    use super::common::*;
    use reqwest::Method;
    use serde_json::{Value, json};
    use store::testing::TestDb;

    const A: &str = "411423100";
    const B: &str = "411423101";

    async fn json_of(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    }

    /// Staff ids of a post in township A.
    async fn staff(app: &TestApp, s: &Session, post: &str) -> Vec<String> {
        let v = json_of(
            app.get_as(s, &format!("/api/v1/staff?township={A}&post={post}"))
                .await,
        )
        .await;
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    }

    fn entry(staff_id: &str, date: &str, shift: &str, role: &str) -> Value {
        json!({"staff_id": staff_id, "date": date, "shift": shift, "role": role})
    }

    async fn add(app: &TestApp, s: &Session, entries: Vec<Value>) -> reqwest::Response {
        app.send_as(
            s,
            Method::POST,
            "/api/v1/duty/roster",
            Some(json!({"township": A, "entries": entries})),
        )
        .await
    }

    async fn roster(app: &TestApp, s: &Session, from: &str, to: &str) -> Vec<Value> {
        json_of(
            app.get_as(
                s,
                &format!("/api/v1/duty/roster?township={A}&from={from}&to={to}"),
            )
            .await,
        )
        .await["items"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// Staff ids on duty in A at an instant (RFC 3339, UTC), and the answer.
    async fn on_duty(app: &TestApp, s: &Session, at: &str) -> (Vec<String>, Value) {
        let v = json_of(
            app.get_as(s, &format!("/api/v1/duty/now?township={A}&at={at}"))
                .await,
        )
        .await;
        let mut ids: Vec<String> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["staff_id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        (ids, v)
    }

    fn sorted(mut v: Vec<String>) -> Vec<String> {
        v.sort();
        v
    }

    pub async fn who_is_on_duty_across_midnight_and_at_the_handover(db: &TestDb) {
        let app = spawn_demo(db).await;
        let s = app.session("dispatcher").await;
        let brigade_leader = staff(&app, &s, "brigade_leader").await.remove(0);
        let squad_leader = staff(&app, &s, "squad_leader").await.remove(0);
        let officers = staff(&app, &s, "officer").await;
        let (o1, o2) = (officers[0].clone(), officers[1].clone());

        // The demo has somebody on duty now, with a leader.
        let v = json_of(
            app.get_as(&s, &format!("/api/v1/duty/now?township={A}"))
                .await,
        )
        .await;
        let items = v["items"].as_array().unwrap();
        assert!(items.len() >= 3, "the demo's duty now: {v}");
        assert_eq!(items[0]["role"], "leader", "leaders first: {v}");
        assert_eq!(v["leader_missing"], false);
        assert!(v["shift"]["code"].is_string());
        // what dispatch needs: the squad's code and the specialty
        let officer = items.iter().find(|p| p["role"] == "officer").unwrap();
        assert!(officer["unit"].as_str().is_some_and(|u| u.starts_with(A)));
        assert!(officer["specialty"].as_str().is_some_and(|f| !f.is_empty()));

        // 1 March 2031: the night shift (20:00–08:00) and the next day shift.
        let r = add(
            &app,
            &s,
            vec![
                entry(&brigade_leader, "2031-03-01", "night", "leader"),
                entry(&o1, "2031-03-01", "night", "officer"),
                entry(&squad_leader, "2031-03-02", "day", "leader"),
                entry(&o2, "2031-03-02", "day", "dispatcher"),
            ],
        )
        .await;
        assert_eq!(r.status(), 201);
        let created = json_of(r).await;
        assert_eq!(created["items"].as_array().unwrap().len(), 4);
        let night = created["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["staff_id"] == o1.as_str())
            .unwrap();
        // 20:00 to 08:00 China time is 12:00 to 00:00 UTC
        assert_eq!(night["starts_at"], "2031-03-01T12:00:00.000000Z");
        assert_eq!(night["ends_at"], "2031-03-02T00:00:00.000000Z");

        let night_crew = sorted(vec![brigade_leader.clone(), o1.clone()]);
        let day_crew = sorted(vec![squad_leader.clone(), o2.clone()]);
        // 19:59 on 1 March: nobody rostered then, and the leader is missed
        let (ids, v) = on_duty(&app, &s, "2031-03-01T11:59:00Z").await;
        assert!(ids.is_empty());
        assert_eq!(v["leader_missing"], true);
        assert_eq!(v["shift"]["code"], "day");
        // 20:00, 23:59 and 00:01 (2 March, China time): the night shift of 1 March
        for at in [
            "2031-03-01T12:00:00Z",
            "2031-03-01T15:59:00Z",
            "2031-03-01T16:01:00Z",
            "2031-03-01T23:59:59Z",
        ] {
            let (ids, v) = on_duty(&app, &s, at).await;
            assert_eq!(ids, night_crew, "at {at}");
            assert_eq!(v["shift"]["code"], "night", "at {at}");
            assert_eq!(v["shift"]["date"], "2031-03-01", "at {at}");
            assert_eq!(v["leader_missing"], false);
        }
        // 08:00 on 2 March: the day shift has taken over
        let (ids, v) = on_duty(&app, &s, "2031-03-02T00:00:00Z").await;
        assert_eq!(ids, day_crew);
        assert_eq!(v["shift"]["code"], "day");
        assert_eq!(v["shift"]["date"], "2031-03-02");
        assert_eq!(v["items"][0]["staff_id"], squad_leader.as_str());

        // What dispatch reads: the store's answer, in routing's terms.
        let mut conn = db.store.acquire().await.unwrap();
        let town = store::org::jurisdiction_by_code(&mut conn, A)
            .await
            .unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2031-03-01T16:01:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let rows = store::duty::on_duty_at(&mut conn, &town.id, at)
            .await
            .unwrap();
        let officer = rows.iter().find(|r| r.staff_id == o1).unwrap();
        let routed = officer.for_routing();
        assert_eq!(Some(routed.squad.as_str()), officer.unit_code.as_deref());
        assert!(routed.squad.starts_with(&format!("{A}-ZD")), "{routed:?}");
        assert_eq!(
            routed.specialty.map(|f| f.zh()),
            officer.specialty.as_deref(),
            "the specialty is a field dispatch understands"
        );
        drop(conn);

        // A bad instant is named.
        let p = problem(
            app.get_as(&s, &format!("/api/v1/duty/now?township={A}&at=tonight"))
                .await,
            422,
        )
        .await;
        assert_eq!(p["field"], "at");
    }

    pub async fn an_overlapping_shift_is_refused_with_the_field_named_and_nothing_stored(
        db: &TestDb,
    ) {
        let app = spawn_demo(db).await;
        let s = app.session("squadleader").await;
        let leader = staff(&app, &s, "brigade_leader").await.remove(0);
        let squad_leader = staff(&app, &s, "squad_leader").await.remove(0);
        let officers = staff(&app, &s, "officer").await;
        let grid_worker = staff(&app, &s, "grid_worker").await.remove(0);
        let d = "2031-04-01";
        let r = add(
            &app,
            &s,
            vec![
                entry(&leader, d, "day", "leader"),
                entry(&officers[0], d, "day", "officer"),
            ],
        )
        .await;
        assert_eq!(r.status(), 201);
        let before = roster(&app, &s, d, d).await;
        assert_eq!(before.len(), 2);

        // The same officer again on the same shift: refused, and the good
        // entries of the batch are not stored either.
        let r = add(
            &app,
            &s,
            vec![
                entry(&squad_leader, d, "night", "leader"),
                entry(&officers[1], d, "night", "officer"),
                entry(&officers[0], d, "day", "dispatcher"),
            ],
        )
        .await;
        let p = problem(r, 422).await;
        assert_eq!(p["code"], "duty.overlap");
        assert_eq!(p["field"], "entries[2].shift");
        assert!(
            p["message_en"]
                .as_str()
                .unwrap()
                .contains("entries[2].shift"),
            "{p}"
        );
        let after = roster(&app, &s, d, d).await;
        assert_eq!(after, before, "nothing of the refused batch was stored");

        // Within one batch too.
        let p = problem(
            add(
                &app,
                &s,
                vec![
                    entry(&leader, "2031-04-02", "night", "leader"),
                    entry(&officers[1], "2031-04-02", "night", "officer"),
                    entry(&officers[1], "2031-04-02", "night", "dispatcher"),
                ],
            )
            .await,
            422,
        )
        .await;
        assert_eq!(
            (p["code"].as_str(), p["field"].as_str()),
            (Some("duty.overlap"), Some("entries[2].shift"))
        );

        // Every bad entry is named with its field.
        let r = add(
            &app,
            &s,
            vec![
                entry(&leader, "2031-04-03", "day", "leader"),
                entry("no-such-person", "2031-04-03", "day", "officer"),
                entry(&officers[2], "2031-04-31", "day", "officer"),
                entry(&grid_worker, "2031-04-03", "day", "officer"),
                entry(&officers[3], "2031-04-03", "evening", "officer"),
                entry(&officers[4], "2031-04-03", "day", "chief"),
                json!({"staff_id": officers[0], "unit": "no-such-unit", "date": "2031-04-03",
                    "shift": "day", "role": "officer"}),
            ],
        )
        .await;
        let p = problem(r, 422).await;
        assert_eq!(p["code"], "duty.unknown_staff");
        assert_eq!(p["field"], "entries[1].staff_id");
        let en = p["message_en"].as_str().unwrap();
        let zh = p["message_zh"].as_str().unwrap();
        for path in [
            "entries[1].staff_id",
            "entries[2].date",
            "entries[3].role",
            "entries[4].shift",
            "entries[5].role",
            "entries[6].unit",
        ] {
            assert!(en.contains(path) && zh.contains(path), "{path} in {en}");
        }
        assert!(
            !en.contains("entries[0]"),
            "the good entry is not named: {en}"
        );
        assert!(
            roster(&app, &s, "2031-04-03", "2031-04-03")
                .await
                .is_empty()
        );

        // A shift that needs a leader gets one.
        let p = problem(
            add(
                &app,
                &s,
                vec![entry(&officers[2], "2031-04-05", "day", "officer")],
            )
            .await,
            422,
        )
        .await;
        assert_eq!(
            (p["code"].as_str(), p["field"].as_str()),
            (Some("duty.leader_missing"), Some("entries[0].role"))
        );

        // Removal: an officer may go; the only leader stays until replaced.
        let officer_entry = before.iter().find(|e| e["role"] == "officer").unwrap();
        let leader_entry = before.iter().find(|e| e["role"] == "leader").unwrap();
        let del = |id: &Value| format!("/api/v1/duty/roster/{}", id.as_str().unwrap());
        let r = app
            .send_as(&s, Method::DELETE, &del(&officer_entry["id"]), None)
            .await;
        assert_eq!(r.status(), 204);
        let p = problem(
            app.send_as(&s, Method::DELETE, &del(&leader_entry["id"]), None)
                .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "duty.last_leader");
        assert_eq!(roster(&app, &s, d, d).await.len(), 1);
        let p = problem(
            app.send_as(&s, Method::DELETE, &del(&officer_entry["id"]), None)
                .await,
            404,
        )
        .await;
        assert_eq!(p["code"], "not_found");

        // A shift that has ended is history: yesterday's day shift of the demo.
        let yesterday = (chrono::Utc::now() + chrono::TimeDelta::hours(8)
            - chrono::TimeDelta::days(1))
        .date_naive()
        .to_string();
        let past = roster(&app, &s, &yesterday, &yesterday).await;
        let ended = past
            .iter()
            .find(|e| e["shift"] == "day")
            .expect("the demo rostered yesterday");
        let p = problem(
            app.send_as(&s, Method::DELETE, &del(&ended["id"]), None)
                .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "duty.past_shift");
        let p = problem(
            add(&app, &s, vec![entry(&leader, &yesterday, "day", "leader")]).await,
            422,
        )
        .await;
        assert_eq!(p["code"], "duty.past_shift");
        assert_eq!(p["field"], "entries[0].date");

        // Every change is in the audit record.
        let admin = app.session("admin").await;
        for action in ["duty.roster_add", "duty.roster_delete"] {
            let v = json_of(
                app.get_as(&admin, &format!("/api/v1/audit?action={action}"))
                    .await,
            )
            .await;
            assert!(v["total"].as_u64().unwrap() >= 1, "{action}: {v}");
        }
    }

    pub async fn a_handover_note_goes_to_the_next_shift(db: &TestDb) {
        let app = spawn_demo(db).await;
        let s = app.session("dispatcher").await;
        let r = app
            .send_as(
                &s,
                Method::POST,
                "/api/v1/duty/handovers",
                Some(
                    json!({"township": A, "date": "2031-03-01", "shift": "night",
                    "note": "北关村占道经营已劝离；张庄噪声投诉待复查", "open_items": 2}),
                ),
            )
            .await;
        assert_eq!(r.status(), 201);
        let h = json_of(r).await;
        assert_eq!(h["from"]["date"], "2031-03-01");
        assert_eq!(h["from"]["code"], "night");
        assert_eq!(h["to"]["date"], "2031-03-02");
        assert_eq!(h["to"]["code"], "day");
        assert_eq!(h["to"]["starts_at"], "2031-03-02T00:00:00.000000Z");
        assert_eq!(h["open_items"], 2);
        assert_eq!(h["author"], "dispatcher");

        // Without date and shift: the shift running now hands over.
        let now = json_of(
            app.get_as(&s, &format!("/api/v1/duty/now?township={A}"))
                .await,
        )
        .await;
        let r = app
            .send_as(
                &s,
                Method::POST,
                "/api/v1/duty/handovers",
                Some(json!({"township": A, "note": "无遗留事项"})),
            )
            .await;
        let h2 = json_of(r).await;
        assert_eq!(h2["from"]["code"], now["shift"]["code"]);
        assert_eq!(h2["from"]["date"], now["shift"]["date"]);
        assert_eq!(h2["open_items"], 0);

        // Read back, newest first.
        let v = json_of(
            app.get_as(&s, &format!("/api/v1/duty/handovers?township={A}"))
                .await,
        )
        .await;
        assert_eq!(v["total"], 2);
        assert_eq!(v["items"][0]["id"], h2["id"]);
        assert_eq!(v["items"][1]["id"], h["id"]);
        assert_eq!(
            v["items"][1]["note"],
            "北关村占道经营已劝离；张庄噪声投诉待复查"
        );
        // another township's notes are not A's
        let admin_b = app.session("admin2").await;
        let v = json_of(
            app.get_as(&admin_b, &format!("/api/v1/duty/handovers?township={B}"))
                .await,
        )
        .await;
        assert_eq!(v["total"], 0);

        // Refusals name the field; duty is rostered per township, not per village.
        let villages = json_of(
            app.get(&format!("/api/v1/jurisdictions?parent={A}&per_page=1"))
                .await,
        )
        .await;
        let village = villages["items"][0]["code"].as_str().unwrap().to_string();
        for (body, field) in [
            (json!({"township": A, "note": "  "}), "note"),
            (
                json!({"township": A, "date": "2031-03-01", "note": "x"}),
                "shift",
            ),
            (
                json!({"township": A, "date": "2031-03-01", "shift": "evening", "note": "x"}),
                "shift",
            ),
            (json!({"township": village, "note": "x"}), "township"),
        ] {
            let p = problem(
                app.send_as(&s, Method::POST, "/api/v1/duty/handovers", Some(body))
                    .await,
                422,
            )
            .await;
            assert_eq!(p["field"], field, "{p}");
        }
        let audit = json_of(
            app.get_as(
                &app.session("admin").await,
                "/api/v1/audit?action=duty.handover",
            )
            .await,
        )
        .await;
        assert_eq!(audit["total"], 2);
    }

    /// Each handover reads the shift plan, then writes: many at once must
    /// queue for the write lock, not fail (on SQLite a deferred transaction
    /// that has read gets SQLITE_BUSY at its first write when another
    /// connection committed meanwhile; that was a 500).
    pub async fn concurrent_handovers_all_land(db: &TestDb) {
        let app = spawn_demo(db).await;
        let s = app.session("dispatcher").await;
        let posts = (0..24).map(|i| {
            app.send_as(
                &s,
                Method::POST,
                "/api/v1/duty/handovers",
                Some(json!({"township": A, "date": "2031-04-01", "shift": "day",
                    "note": format!("并发交接 {i}")})),
            )
        });
        let statuses: Vec<u16> = futures_util::future::join_all(posts)
            .await
            .into_iter()
            .map(|r| r.status().as_u16())
            .collect();
        assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
        let v = json_of(
            app.get_as(
                &s,
                &format!("/api/v1/duty/handovers?township={A}&per_page=100"),
            )
            .await,
        )
        .await;
        assert_eq!(v["total"], 24);
    }

    pub async fn a_grid_worker_may_read_but_not_change_the_roster(db: &TestDb) {
        let app = spawn_demo(db).await;
        let gw = app.session("gridworker").await;
        let leader = staff(&app, &gw, "brigade_leader").await.remove(0);
        let p = problem(
            add(
                &app,
                &gw,
                vec![entry(&leader, "2031-05-01", "day", "leader")],
            )
            .await,
            403,
        )
        .await;
        assert_eq!(p["code"], "access.forbidden");
        let p = problem(
            app.send_as(
                &gw,
                Method::POST,
                "/api/v1/duty/handovers",
                Some(json!({"township": A, "note": "x"})),
            )
            .await,
            403,
        )
        .await;
        assert_eq!(p["code"], "access.forbidden");
        let today = roster(&app, &gw, "2031-01-01", "2031-01-01").await;
        assert!(today.is_empty());
        let any = json_of(
            app.get_as(&gw, &format!("/api/v1/duty/roster?township={A}"))
                .await,
        )
        .await;
        let first = any["items"][0]["id"].as_str().unwrap().to_string();
        let p = problem(
            app.send_as(
                &gw,
                Method::DELETE,
                &format!("/api/v1/duty/roster/{first}"),
                None,
            )
            .await,
            403,
        )
        .await;
        assert_eq!(p["code"], "access.forbidden");
        // reading is open to every role of the township
        let v = json_of(
            app.get_as(&gw, &format!("/api/v1/duty/now?township={A}"))
                .await,
        )
        .await;
        assert!(!v["items"].as_array().unwrap().is_empty());

        // A dispatcher of A cannot roster township B.
        let s = app.session("dispatcher").await;
        let r = app
            .send_as(
                &s,
                Method::POST,
                "/api/v1/duty/roster",
                Some(json!({"township": B, "entries": [entry(&leader, "2031-05-01", "day", "leader")]})),
            )
            .await;
        let p = problem(r, 403).await;
        assert_eq!(p["code"], "access.out_of_jurisdiction");
        let p = problem(
            app.get_as(&s, &format!("/api/v1/duty/now?township={B}"))
                .await,
            403,
        )
        .await;
        assert_eq!(p["code"], "access.out_of_jurisdiction");
    }
}

store::both_databases!(crate::cases =>
    who_is_on_duty_across_midnight_and_at_the_handover,
    an_overlapping_shift_is_refused_with_the_field_named_and_nothing_stored,
    a_handover_note_goes_to_the_next_shift,
    concurrent_handovers_all_land,
    a_grid_worker_may_read_but_not_change_the_roster,
);

//! Transfer of suspected crimes (行刑衔接, APL Art. 27, Decree 310) through
//! the API, on SQLite and PostgreSQL: a transfer followed from the team's
//! report to the police's receipt, opening and the hand-over of items; a
//! declined transfer after which the administrative case resumes and goes
//! on to a penalty step; partners who see only what was transferred to
//! their agency; late steps refused naming the article.
//!
//! The rules take "now" from the clock. Where a limit must have run out,
//! the test moves the times on the stored transfer back (`earlier`), as if
//! the steps had been taken that much earlier; every step itself goes
//! through the API.

mod common;

mod cases {
    use super::common::case_kit::{new_user as user, ok, staff_of, today};
    use super::common::*;
    use chrono::{Days, NaiveDate, TimeDelta};
    use domain::case::ResidentId;
    use domain::case::transfer::Transfer;
    use reqwest::Method;
    use serde_json::{Value, json};
    use store::testing::TestDb;

    const A: &str = "411423100";
    const COUNTY: &str = "411423";
    const POLICE: &str = "411423-GA";
    const PROCURATORATE: &str = "411423-JC";
    const COURT: &str = "411423-FY";

    fn item(code: &str) -> Value {
        json!({
            "code": code, "name": "对非法储存烟花爆竹行为的处罚", "kind": "行政处罚", "field": "城市管理",
            "legal_basis": [{"law": "《测试条例》", "level": "地方性法规", "article": "第十条",
                "text": "处十万元以下罚款。", "effective": "2015-01-01", "max_fine_yuan": 100000}],
            "discretion": [
                {"circumstance": "情节较轻", "fine_min_yuan": 200, "fine_max_yuan": 2000, "suggested": "罚款"}
            ],
            "lead_department": "宁陵县城市管理局"
        })
    }

    /// Everyone the tests need: township A's officers and brigade leader
    /// (the head who decides), and the county's partner liaisons.
    struct World {
        app: TestApp,
        officer: Session,
        head: Session,
        police: Session,
        procuratorate: Session,
        court: Session,
        /// A liaison whose agency was never recorded.
        nobody: Session,
        /// Staff ids of two credentialed officers of township A.
        team: [String; 2],
    }

    async fn world(db: &TestDb) -> World {
        let app = spawn_demo(db).await;
        let county = app.session("countyadmin").await;
        ok(app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/power-items",
                Some(json!({"item": item("T-FIRE"), "reason": "新增"})),
            )
            .await)
        .await;
        ok(app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/devolutions",
                Some(
                    json!({"township": A, "item_code": "T-FIRE", "decision_no": "宁政〔2026〕3号",
                    "decision_date": "2026-01-05", "from_department": "宁陵县城市管理局"}),
                ),
            )
            .await)
        .await;
        let admin = app.session("admin").await;
        let (_, head) = user(&app, &admin, "head_a", "brigade_leader", A).await;
        let mut liaisons = Vec::new();
        for (name, agency) in [
            ("gaj_liaison", Some(POLICE)),
            ("jcy_liaison", Some(PROCURATORATE)),
            ("fy_liaison", Some(COURT)),
            ("no_agency", None),
        ] {
            let (id, s) = user(&app, &county, name, "agency_liaison", COUNTY).await;
            if let Some(a) = agency {
                let v = ok(app
                    .send_as(
                        &county,
                        Method::PUT,
                        &format!("/api/v1/partner-liaisons/{id}"),
                        Some(json!({"agency": a})),
                    )
                    .await)
                .await;
                assert_eq!(v["agency"]["code"], a);
            }
            liaisons.push(s);
        }
        // a township's admin cannot make its people speak for the county's police
        let (own, _) = user(&app, &admin, "town_liaison", "agency_liaison", A).await;
        let p = problem(
            app.send_as(
                &admin,
                Method::PUT,
                &format!("/api/v1/partner-liaisons/{own}"),
                Some(json!({"agency": POLICE})),
            )
            .await,
            403,
        )
        .await;
        assert_eq!(p["code"], "access.out_of_jurisdiction");
        let mut l = liaisons.into_iter();
        World {
            officer: app.session("officer").await,
            team: [
                staff_of(db, "officer").await,
                staff_of(db, "officer2").await,
            ],
            police: l.next().unwrap(),
            procuratorate: l.next().unwrap(),
            court: l.next().unwrap(),
            nobody: l.next().unwrap(),
            head,
            app,
        }
    }

    fn id_number(birth: &str) -> String {
        let first = format!("411423{birth}021");
        format!("{first}{}", ResidentId::check_char(&first).unwrap())
    }

    /// A case in township A with its party, investigated by the team.
    async fn open(w: &World) -> String {
        let act = (today() - Days::new(10)).to_string();
        let case = ok(w
            .app
            .send_as(
                &w.officer,
                Method::POST,
                "/api/v1/cases",
                Some(json!({"township": A, "item_code": "T-FIRE", "title": "某商户非法储存烟花爆竹案", "act_date": act})),
            )
            .await)
        .await;
        let id = case["id"].as_str().unwrap().to_string();
        ok(w.app
            .send_as(
                &w.officer,
                Method::PUT,
                &format!("/api/v1/cases/{id}/party"),
                Some(
                    json!({"kind": "person", "name": "张三丰", "id_number": id_number("19900307"),
                    "phone": "13812345678", "address": "河南省商丘市宁陵县城关回族镇建设路12号"}),
                ),
            )
            .await)
        .await;
        case_step(
            w,
            &id,
            json!({"action": "investigate", "kind": "现场检查", "officers": w.team,
                "credentials_shown": true, "note": "仓库内存放烟花爆竹120箱"}),
        )
        .await;
        id
    }

    async fn case_step(w: &World, id: &str, body: Value) -> Value {
        ok(w.app
            .send_as(
                &w.officer,
                Method::POST,
                &format!("/api/v1/cases/{id}/actions"),
                Some(body),
            )
            .await)
        .await
    }

    /// The prior notice of a 1,000 yuan fine: a penalty step (Art. 11).
    fn notice() -> Value {
        json!({"action": "serve_notice", "notice": {
            "penalty": {"fine": 100_000},
            "discretion": {"tier": 0},
            "facts": "当事人在仓库内储存烟花爆竹",
            "reasons": "违反《测试条例》第五条",
            "basis": ["《测试条例》第十条"],
            "statement_rights": true,
            "hearing_right": false,
            "statement_days": 3
        }})
    }

    fn full_package() -> Value {
        json!({"transfer_letter": true, "investigation_report": true, "item_list": true,
            "appraisals_made": true, "appraisal_reports": true, "other": ["现场照片"]})
    }

    async fn post(w: &World, s: &Session, path: &str, body: Value) -> reqwest::Response {
        w.app.send_as(s, Method::POST, path, Some(body)).await
    }

    async fn report(w: &World, id: &str) -> Value {
        let r = post(
            w,
            &w.officer,
            &format!("/api/v1/cases/{id}/transfer"),
            json!({"officers": w.team, "summary": "储存烟花爆竹数量达到刑事立案追诉标准"}),
        )
        .await;
        assert_eq!(r.status(), 201);
        r.json().await.unwrap()
    }

    /// Report, approval by the head, and sending to the police: the
    /// transfer's id.
    async fn sent(w: &World, id: &str) -> String {
        report(w, id).await;
        ok(post(
            w,
            &w.head,
            &format!("/api/v1/cases/{id}/transfer/decision"),
            json!({"approved": true, "document": "宁城执审〔2026〕1号"}),
        )
        .await)
        .await;
        let v = ok(post(
            w,
            &w.officer,
            &format!("/api/v1/cases/{id}/transfer/send"),
            json!({"police": POLICE, "package": full_package(), "document": "宁城执移〔2026〕1号"}),
        )
        .await)
        .await;
        v["transfer"]["id"].as_str().unwrap().to_string()
    }

    async fn received(w: &World, tid: &str) -> Value {
        ok(post(
            w,
            &w.police,
            &format!("/api/v1/partner/transfers/{tid}/receipt"),
            json!({"document": "宁公受案回执〔2026〕7号"}),
        )
        .await)
        .await
    }

    async fn answered(w: &World, tid: &str, opened: bool, notified_on: NaiveDate) -> Value {
        ok(post(
            w,
            &w.police,
            &format!("/api/v1/partner/transfers/{tid}/answer"),
            json!({"opened": opened, "notified_on": notified_on,
                "reasons": if opened { "" } else { "未达到刑事立案追诉标准" },
                "document": if opened { "宁公立字〔2026〕12号" } else { "宁公不立字〔2026〕3号" }}),
        )
        .await)
        .await
    }

    async fn transfer_of(w: &World, id: &str) -> Value {
        ok(w.app
            .get_as(&w.officer, &format!("/api/v1/cases/{id}/transfer"))
            .await)
        .await
    }

    /// Move the stored transfer's times back, as if its steps had been
    /// taken that much earlier.
    async fn earlier(db: &TestDb, case_id: &str, f: impl FnOnce(&mut Transfer)) {
        let mut conn = db.store.acquire().await.unwrap();
        let t = store::transfers::of_case(&mut conn, case_id)
            .await
            .unwrap()
            .unwrap();
        let mut record = t.record.clone();
        f(&mut record);
        store::transfers::save_record(&mut conn, &t.id, t.version, &record)
            .await
            .unwrap();
    }

    fn articles(p: &Value, zh: &str, en: &str) {
        assert!(
            p["message_zh"].as_str().unwrap().contains(zh),
            "{zh}: {}",
            p["message_zh"]
        );
        assert!(
            p["message_en"].as_str().unwrap().contains(en),
            "{en}: {}",
            p["message_en"]
        );
    }

    /// (a) Decree 310 Art. 5, 6, 8 and 12: the team reports, the head
    /// approves, the case goes to the police with a complete package, the
    /// police sign the receipt and open a criminal case, the items are
    /// handed over and the case is closed — each step with its actor, time
    /// and document, audited.
    pub async fn decree310_art5_6_8_12_a_transfer_to_the_police_end_to_end_with_receipts(
        db: &TestDb,
    ) {
        let w = world(db).await;
        let id = open(&w).await;
        let v = transfer_of(&w, &id).await;
        assert!(v["transfer"].is_null());
        assert_eq!(v["penalty_allowed"], true);

        let v = report(&w, &id).await;
        assert_eq!(v["transfer"]["record"]["status"], "reported");
        assert_eq!(v["penalty_allowed"], false, "Decree 310 Art. 11");
        assert_eq!(v["transfer"]["deadline"]["step"], "decide");
        assert_eq!(
            v["transfer"]["deadline"]["by"],
            (today() + Days::new(3)).to_string(),
            "Art. 5: the head decides within 3 days"
        );
        // one transfer per case
        let p = problem(
            post(
                &w,
                &w.officer,
                &format!("/api/v1/cases/{id}/transfer"),
                json!({"officers": w.team, "summary": "再次报告"}),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "case.transfer_exists");

        // Art. 5: the head decides, not an officer
        let decision = json!({"approved": true, "document": "宁城执审〔2026〕1号"});
        let p = problem(
            post(
                &w,
                &w.officer,
                &format!("/api/v1/cases/{id}/transfer/decision"),
                decision.clone(),
            )
            .await,
            403,
        )
        .await;
        assert_eq!(p["code"], "case.decree310_art5_head_only");
        articles(&p, "第五条", "Art. 5");
        let v = ok(post(
            &w,
            &w.head,
            &format!("/api/v1/cases/{id}/transfer/decision"),
            decision,
        )
        .await)
        .await;
        assert_eq!(v["transfer"]["record"]["status"], "approved");
        assert_eq!(v["transfer"]["deadline"]["step"], "send");

        // not yet sent: the police know nothing of it
        let inbox = ok(w.app.get_as(&w.police, "/api/v1/partner/transfers").await).await;
        assert_eq!(inbox["total"], 0);

        // Art. 6: the package must be complete
        let mut package = full_package();
        package["appraisal_reports"] = json!(false);
        let send = |package: Value| json!({"police": POLICE, "package": package, "document": "宁城执移〔2026〕1号"});
        let p = problem(
            post(
                &w,
                &w.officer,
                &format!("/api/v1/cases/{id}/transfer/send"),
                send(package),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.decree310_art6_package");
        assert_eq!(p["field"], "package");
        articles(&p, "鉴定结论", "appraisal");
        let v = ok(post(
            &w,
            &w.officer,
            &format!("/api/v1/cases/{id}/transfer/send"),
            send(full_package()),
        )
        .await)
        .await;
        assert_eq!(v["transfer"]["record"]["status"], "sent");
        assert_eq!(v["transfer"]["record"]["police"], "宁陵县公安局");
        let tid = v["transfer"]["id"].as_str().unwrap().to_string();
        // the case itself leaves the agency (APL Art. 57 (4))
        let c = case_step(&w, &id, json!({"action": "transfer"})).await;
        assert_eq!(c["record"]["status"], "transferred");

        // the police's inbox, and the receipt (Art. 8)
        let inbox = ok(w.app.get_as(&w.police, "/api/v1/partner/transfers").await).await;
        assert_eq!(inbox["total"], 1);
        assert_eq!(inbox["items"][0]["id"], tid.as_str());
        assert_eq!(inbox["items"][0]["part"], "police");
        let p = problem(
            post(
                &w,
                &w.police,
                &format!("/api/v1/partner/transfers/{tid}/receipt"),
                json!({}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["field"], "document", "a receipt has its number");
        let v = received(&w, &tid).await;
        assert_eq!(v["record"]["status"], "received");
        assert_eq!(v["deadline"]["step"], "police_decision");
        assert_eq!(v["deadline"]["article"], "Decree 310 Art. 8");
        assert_eq!(v["police_overdue"], false);

        // opened; seized items handed over within 3 days (Art. 12)
        let v = answered(&w, &tid, true, today()).await;
        assert_eq!(v["record"]["status"], "opened");
        assert_eq!(v["deadline"]["step"], "hand_over_items");
        assert_eq!(v["deadline"]["by"], (today() + Days::new(3)).to_string());
        let v = ok(post(
            &w,
            &w.officer,
            &format!("/api/v1/cases/{id}/transfer/handover"),
            json!({"items": ["烟花爆竹 120 箱", "现场检查笔录"], "document": "宁公收物〔2026〕5号"}),
        )
        .await)
        .await;
        assert_eq!(v["transfer"]["record"]["status"], "items_handed_over");
        // still no penalty: the criminal case goes on (Art. 11)
        assert_eq!(v["penalty_allowed"], false);
        // and the case closes as transferred
        let c = case_step(
            &w,
            &id,
            json!({"action": "close", "reason": "已移送公安机关立案侦查"}),
        )
        .await;
        assert_eq!(c["record"]["status"], "closed");

        // every step: who, when, on which document
        let steps = v["transfer"]["steps"].as_array().unwrap();
        let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "report",
                "decide",
                "send",
                "receive",
                "police_decision",
                "hand_over_items"
            ]
        );
        let docs: Vec<&str> = steps[1..]
            .iter()
            .map(|s| s["document"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(
            docs,
            [
                "宁城执审〔2026〕1号",
                "宁城执移〔2026〕1号",
                "宁公受案回执〔2026〕7号",
                "宁公立字〔2026〕12号",
                "宁公收物〔2026〕5号"
            ]
        );
        assert_eq!(steps[0]["actor"], w.team[0].as_str());
        assert_eq!(steps[3]["agency"], POLICE);
        assert_eq!(steps[3]["actor_name"], "gaj_liaison");
        assert!(steps[2]["agency"].is_null());
        assert!(
            steps
                .iter()
                .all(|s| s["at"].as_str().is_some_and(|a| !a.is_empty()))
        );

        // audited: the report and the six steps
        let admin = w.app.session("admin").await;
        let audit = w
            .app
            .get_as(&admin, "/api/v1/audit?per_page=500")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(audit.matches("\"case.transfer\"").count(), 6, "{audit}");
    }

    /// (b) Decree 310 Art. 8, 10 and 11: while the transfer is pending a
    /// penalty step is refused; the police decline (with reasons), the
    /// decline stands, the administrative case resumes and goes on to the
    /// prior notice of a fine.
    pub async fn decree310_art10_11_a_declined_case_resumes_and_proceeds_to_a_penalty(db: &TestDb) {
        let w = world(db).await;
        let id = open(&w).await;
        report(&w, &id).await;
        // Art. 11: no penalty in place of the transfer
        let p = problem(
            post(
                &w,
                &w.officer,
                &format!("/api/v1/cases/{id}/actions"),
                notice(),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(
            p["code"],
            "case.decree310_art11_penalty_instead_of_transfer"
        );
        assert_eq!(p["field"], "transfer");
        articles(&p, "第十一条", "Art. 11");

        ok(post(
            &w,
            &w.head,
            &format!("/api/v1/cases/{id}/transfer/decision"),
            json!({"approved": true}),
        )
        .await)
        .await;
        let tid = {
            let v = ok(post(
                &w,
                &w.officer,
                &format!("/api/v1/cases/{id}/transfer/send"),
                json!({"police": POLICE, "package": full_package(), "document": "宁城执移〔2026〕2号"}),
            )
            .await)
            .await;
            v["transfer"]["id"].as_str().unwrap().to_string()
        };
        case_step(&w, &id, json!({"action": "transfer"})).await;
        received(&w, &tid).await;
        // Art. 8: a decline gives its reasons
        let p = problem(
            post(
                &w,
                &w.police,
                &format!("/api/v1/partner/transfers/{tid}/answer"),
                json!({"opened": false, "document": "宁公不立字〔2026〕3号"}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.decree310_art8_reasons");
        articles(&p, "第八条", "Art. 8");
        let v = answered(&w, &tid, false, today()).await;
        assert_eq!(v["record"]["status"], "declined");
        assert_eq!(v["deadline"]["step"], "request_reconsideration");

        // still pending until the agency resumes (Art. 10, 11)
        let p = problem(
            post(
                &w,
                &w.officer,
                &format!("/api/v1/cases/{id}/actions"),
                json!({"action": "resume_after_transfer"}),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "case.decree310_art10_resume");
        let v = ok(post(
            &w,
            &w.officer,
            &format!("/api/v1/cases/{id}/transfer/resume"),
            json!({"document": "宁城执恢〔2026〕1号"}),
        )
        .await)
        .await;
        assert_eq!(v["transfer"]["record"]["status"], "resumed");
        assert_eq!(v["penalty_allowed"], true);
        // a resumed transfer takes no further step
        let p = problem(
            post(
                &w,
                &w.officer,
                &format!("/api/v1/cases/{id}/transfer/resume"),
                json!({}),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "case.transfer_transition");

        let c = case_step(&w, &id, json!({"action": "resume_after_transfer"})).await;
        assert_eq!(c["record"]["status"], "investigating");
        let c = case_step(&w, &id, notice()).await;
        assert_eq!(c["record"]["status"], "notice_served");
    }

    /// (c) Decree 310 Art. 9, 14 and what partners see: only the police the
    /// case was sent to, and the procuratorate once asked to supervise; a
    /// partner of another agency gets 404 on every partner route, as if
    /// the transfer did not exist.
    /// Decree 310 Art. 6: the police receive the documents of the package —
    /// here the transfer letter — and no other paper of the case; another
    /// agency sees none of them.
    pub async fn decree310_art6_the_police_see_only_the_documents_transferred(db: &TestDb) {
        let w = world(db).await;
        let id = open(&w).await;
        let mut made = Vec::new();
        for (kind, fixture) in [
            (
                "crime_transfer_letter",
                include_str!("../../documents/tests/fixtures/crime_transfer_letter.json"),
            ),
            (
                "prior_notice",
                include_str!("../../documents/tests/fixtures/prior_notice.json"),
            ),
        ] {
            let fields: Value = serde_json::from_str(fixture).unwrap();
            let doc = ok(post(
                &w,
                &w.officer,
                &format!("/api/v1/cases/{id}/documents"),
                json!({"kind": kind, "fields": fields}),
            )
            .await)
            .await;
            made.push(doc["id"].as_str().unwrap().to_string());
        }
        report(&w, &id).await;
        ok(post(
            &w,
            &w.head,
            &format!("/api/v1/cases/{id}/transfer/decision"),
            json!({"approved": true, "document": "宁城执审〔2026〕1号"}),
        )
        .await)
        .await;
        let v = ok(post(
            &w,
            &w.officer,
            &format!("/api/v1/cases/{id}/transfer/send"),
            json!({"police": POLICE, "document": "宁城执移〔2026〕1号", "package": full_package()}),
        )
        .await)
        .await;
        let tid = v["transfer"]["id"].as_str().unwrap().to_string();
        let docs = format!("/api/v1/partner/transfers/{tid}/documents");
        let list = ok(w.app.get_as(&w.police, &docs).await).await;
        let kinds: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, vec!["crime_transfer_letter"]);
        let pdf = w
            .app
            .get_as(&w.police, &format!("{docs}/{}", made[0]))
            .await;
        assert_eq!(pdf.status(), 200);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
        // the prior notice stays with the agency
        problem(
            w.app
                .get_as(&w.police, &format!("{docs}/{}", made[1]))
                .await,
            404,
        )
        .await;
        // the court was sent nothing
        problem(w.app.get_as(&w.court, &docs).await, 404).await;
    }

    pub async fn decree310_art9_14_a_partner_of_another_agency_gets_404(db: &TestDb) {
        let w = world(db).await;
        let id = open(&w).await;
        let tid = sent(&w, &id).await;
        let url = format!("/api/v1/partner/transfers/{tid}");
        let get = async |s: &Session| w.app.get_as(s, &url).await;
        assert_eq!(ok(get(&w.police).await).await["record"]["status"], "sent");
        for s in [&w.court, &w.procuratorate, &w.nobody] {
            let p = problem(get(s).await, 404).await;
            assert_eq!(p["code"], "not_found");
            let p = problem(
                post(
                    &w,
                    s,
                    &format!("/api/v1/partner/transfers/{tid}/receipt"),
                    json!({"document": "伪造回执"}),
                )
                .await,
                404,
            )
            .await;
            assert_eq!(p["code"], "not_found");
            let inbox = ok(w.app.get_as(s, "/api/v1/partner/transfers").await).await;
            assert_eq!(inbox["total"], 0);
            assert_eq!(inbox["items"], json!([]));
        }
        // an unknown id reads the same
        problem(
            w.app
                .get_as(&w.police, "/api/v1/partner/transfers/no-such-transfer")
                .await,
            404,
        )
        .await;
        // partners reach cases only through their inbox; officers have no inbox
        problem(
            w.app
                .get_as(&w.police, &format!("/api/v1/cases/{id}"))
                .await,
            403,
        )
        .await;
        let p = problem(
            w.app.get_as(&w.officer, "/api/v1/partner/transfers").await,
            403,
        )
        .await;
        assert_eq!(p["code"], "access.forbidden");

        // declined, reconsideration within 3 days, upheld (Art. 9)
        received(&w, &tid).await;
        answered(&w, &tid, false, today()).await;
        let v = ok(post(
            &w,
            &w.officer,
            &format!("/api/v1/cases/{id}/transfer/reconsideration"),
            json!({"document": "宁城执复〔2026〕1号"}),
        )
        .await)
        .await;
        assert_eq!(
            v["transfer"]["record"]["status"],
            "reconsideration_requested"
        );
        assert_eq!(v["transfer"]["deadline"]["step"], "reconsideration_answer");
        let v = answered(&w, &tid, false, today()).await;
        assert_eq!(v["record"]["status"], "declined");
        assert_eq!(v["record"]["reconsideration_answer"]["opened"], false);
        assert_eq!(v["deadline"]["step"], "request_supervision");
        // the procuratorate is asked (Art. 9, 14) and now sees the transfer
        ok(post(
            &w,
            &w.officer,
            &format!("/api/v1/cases/{id}/transfer/supervision"),
            json!({"procuratorate": PROCURATORATE, "document": "宁城执监〔2026〕1号"}),
        )
        .await)
        .await;
        let inbox = ok(w
            .app
            .get_as(&w.procuratorate, "/api/v1/partner/transfers")
            .await)
        .await;
        assert_eq!(inbox["total"], 1);
        assert_eq!(inbox["items"][0]["part"], "procuratorate");
        assert_eq!(
            ok(get(&w.procuratorate).await).await["record"]["status"],
            "supervision_requested"
        );
        problem(get(&w.court).await, 404).await;
        // the administrative case may not resume while it supervises
        let p = problem(
            post(
                &w,
                &w.officer,
                &format!("/api/v1/cases/{id}/transfer/resume"),
                json!({}),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "case.transfer_transition");
        // the police may not conclude the procuratorate's supervision
        let conclude = json!({"opened": false, "document": "宁检监〔2026〕2号"});
        let p = problem(
            post(
                &w,
                &w.police,
                &format!("/api/v1/partner/transfers/{tid}/supervision"),
                conclude.clone(),
            )
            .await,
            403,
        )
        .await;
        assert_eq!(p["code"], "case.decree310_partner_step");
        let v = ok(post(
            &w,
            &w.procuratorate,
            &format!("/api/v1/partner/transfers/{tid}/supervision"),
            conclude,
        )
        .await)
        .await;
        assert_eq!(v["record"]["status"], "declined");
        let last = v["steps"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["agency"], PROCURATORATE);
        assert_eq!(last["document"], "宁检监〔2026〕2号");
        // the decline stands: the case resumes (Art. 10)
        let v = ok(post(
            &w,
            &w.officer,
            &format!("/api/v1/cases/{id}/transfer/resume"),
            json!({}),
        )
        .await)
        .await;
        assert_eq!(v["penalty_allowed"], true);
    }

    /// (d) Time limits: the head's decision after 3 days and the sending
    /// after 24 hours only with the reason for the delay (Art. 5);
    /// reconsideration more than 3 days after the decline is refused
    /// (Art. 9); items handed over after 3 days only with a reason
    /// (Art. 12); police that have not answered in 3 days are shown as
    /// overdue (Art. 8). Each refusal names its article.
    pub async fn decree310_art5_8_9_12_late_steps_are_refused_naming_the_article(db: &TestDb) {
        let w = world(db).await;
        let id = open(&w).await;
        report(&w, &id).await;
        earlier(db, &id, |t| t.reported_at -= TimeDelta::days(5)).await;
        let url = format!("/api/v1/cases/{id}/transfer/decision");
        let p = problem(
            post(&w, &w.head, &url, json!({"approved": true})).await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.decree310_late_reason");
        assert_eq!(p["field"], "late_reason");
        articles(&p, "第五条", "Art. 5");
        ok(post(
            &w,
            &w.head,
            &url,
            json!({"approved": true, "late_reason": "负责人外出培训"}),
        )
        .await)
        .await;

        earlier(db, &id, |t| {
            if let Some(d) = t.decision.as_mut() {
                d.decided_at -= TimeDelta::hours(30);
            }
        })
        .await;
        let url = format!("/api/v1/cases/{id}/transfer/send");
        let body =
            json!({"police": POLICE, "package": full_package(), "document": "宁城执移〔2026〕9号"});
        let p = problem(post(&w, &w.officer, &url, body.clone()).await, 422).await;
        assert_eq!(p["code"], "case.decree310_late_reason");
        articles(&p, "第五条", "Art. 5");
        let mut late = body;
        late["late_reason"] = json!("公安机关值班室无人签收");
        let v = ok(post(&w, &w.officer, &url, late).await).await;
        let tid = v["transfer"]["id"].as_str().unwrap().to_string();

        // Art. 8: the police's 3 days run out
        received(&w, &tid).await;
        earlier(db, &id, |t| {
            t.received_at = t.received_at.map(|r| r - TimeDelta::days(5))
        })
        .await;
        assert_eq!(
            transfer_of(&w, &id).await["transfer"]["police_overdue"],
            true
        );

        // Art. 9: reconsideration only within 3 days of the decline notice
        answered(&w, &tid, false, today() - Days::new(5)).await;
        let p = problem(
            post(
                &w,
                &w.officer,
                &format!("/api/v1/cases/{id}/transfer/reconsideration"),
                json!({"document": "宁城执复〔2026〕9号"}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.decree310_art9_reconsideration_late");
        articles(&p, "第九条", "Art. 9");

        // Art. 12: items within 3 days of the opening
        let id2 = open(&w).await;
        let tid2 = sent(&w, &id2).await;
        received(&w, &tid2).await;
        answered(&w, &tid2, true, today() - Days::new(5)).await;
        let url = format!("/api/v1/cases/{id2}/transfer/handover");
        let body = json!({"items": ["烟花爆竹 120 箱"], "document": "宁公收物〔2026〕9号"});
        let p = problem(post(&w, &w.officer, &url, body.clone()).await, 422).await;
        assert_eq!(p["code"], "case.decree310_late_reason");
        articles(&p, "第十二条", "Art. 12");
        let before = transfer_of(&w, &id2).await["transfer"]["version"].clone();
        let mut late = body;
        late["late_reason"] = json!("涉案物品需专业车辆运输");
        let v = ok(post(&w, &w.officer, &url, late).await).await;
        assert_eq!(v["transfer"]["record"]["status"], "items_handed_over");
        // a step applies only to the version it was decided on
        let p = problem(
            w.app
                .client
                .post(w.app.url(&format!("/api/v1/cases/{id2}/transfer/resume")))
                .bearer_auth(&w.officer.token)
                .header("If-Match", format!("\"{before}\""))
                .json(&json!({}))
                .send()
                .await
                .unwrap(),
            409,
        )
        .await;
        assert_eq!(p["code"], "conflict.stale");
    }
}

store::both_databases!(crate::cases =>
    decree310_art5_6_8_12_a_transfer_to_the_police_end_to_end_with_receipts,
    decree310_art10_11_a_declined_case_resumes_and_proceeds_to_a_penalty,
    decree310_art9_14_a_partner_of_another_agency_gets_404,
    decree310_art6_the_police_see_only_the_documents_transferred,
    decree310_art5_8_9_12_late_steps_are_refused_naming_the_article,
);

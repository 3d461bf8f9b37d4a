//! One ordinary case with a hearing through the API, from filing to the
//! archive, on SQLite and PostgreSQL: every step of the procedure and each
//! of the eleven enforcement papers made at the step it belongs to, the
//! penalty decision's text holding every element of APL Art. 59, and the
//! case file (卷宗, Art. 47) that verifies — and fails, naming the file,
//! once one evidence file inside it is altered.
//!
//! The papers are made from the case (the server fills in the agency, the
//! number, the date and the case's cause) and from the fields of each
//! step, given as the documents crate's fixtures with the party, facts and
//! decision of this case. The transfer letter (涉嫌犯罪案件移送书) is made
//! too, although this case is not transferred: the documents route makes
//! any of the eleven kinds for a case in the caller's jurisdiction.
//!
//! Where the law makes the party wait (the hearing is notified at least 7
//! working days ahead), the days pass by moving every date on the case's
//! record back (`days_pass`); every step itself goes through the API.

mod common;

mod cases {
    use std::io::{Cursor, Read, Write};

    use super::common::case_kit::pdf_text;
    use super::common::*;
    use chrono::{Datelike, Days, NaiveDate};
    use domain::case::{Record, ResidentId};
    use reqwest::Method;
    use reqwest::multipart::{Form, Part};
    use serde_json::{Value, json};
    use server::routes::case_documents::archive;
    use store::testing::TestDb;

    const A: &str = "411423100";
    const PARTY: &str = "张三丰";
    const HOME: &str = "河南省商丘市宁陵县城关回族镇建设路12号";
    const FACTS: &str = "当事人在建设路占用人行道搭建彩钢棚经营，占用人行道约18平方米，影响通行";
    const BASIS: &str = "《测试条例》第十条";
    const CORRECTION: &str = "立即停止占道经营，恢复人行道通行";
    const PERFORMANCE: &str = "自收到本决定书之日起十五日内到指定银行缴纳罚款";
    const AGENCY: &str = "宁陵县城关回族镇人民政府";

    fn today() -> NaiveDate {
        domain::time::china_date(chrono::Utc::now())
    }

    async fn ok(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    }

    fn item(code: &str) -> Value {
        json!({
            "code": code, "name": "对违反测试条例行为的处罚", "kind": "行政处罚", "field": "城市管理",
            "legal_basis": [{"law": "《测试条例》", "level": "地方性法规", "article": "第十条",
                "text": "处十万元以下罚款。", "effective": "2015-01-01", "max_fine_yuan": 100000}],
            "discretion": [
                {"circumstance": "情节较轻", "fine_min_yuan": 200, "fine_max_yuan": 2000, "suggested": "罚款"},
                {"circumstance": "情节严重", "fine_min_yuan": 5000, "fine_max_yuan": 20000, "suggested": "罚款"}
            ],
            "lead_department": "宁陵县城市管理局"
        })
    }

    async fn item_held_by_a(app: &TestApp, code: &str) {
        let county = app.session("countyadmin").await;
        ok(app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/power-items",
                Some(json!({"item": item(code), "reason": "新增"})),
            )
            .await)
        .await;
        ok(app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/devolutions",
                Some(
                    json!({"township": A, "item_code": code, "decision_no": "宁政〔2026〕3号",
                    "decision_date": "2026-01-05", "from_department": "宁陵县城市管理局"}),
                ),
            )
            .await)
        .await;
    }

    async fn user(db: &TestDb, username: &str) -> store::identity::User {
        let mut conn = db.store.acquire().await.unwrap();
        let (user, _) = store::identity::credentials_for_login(&mut conn, username)
            .await
            .unwrap()
            .expect("a demo account");
        user
    }

    fn id_number() -> String {
        let first = "41142319900307021";
        format!("{first}{}", ResidentId::check_char(first).unwrap())
    }

    async fn apply(app: &TestApp, s: &Session, id: &str, body: Value) -> Value {
        let name = body["action"].clone();
        let r = app
            .send_as(
                s,
                Method::POST,
                &format!("/api/v1/cases/{id}/actions"),
                Some(body),
            )
            .await;
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{name}: {status}: {v}");
        v
    }

    /// `days` pass: every date on the case's record moves back.
    async fn days_pass(db: &TestDb, id: &str, days: u64) {
        fn shift(v: &mut Value, days: u64) {
            match v {
                Value::String(s) if s.len() == 10 => {
                    if let Ok(d) = s.parse::<NaiveDate>() {
                        *s = (d - Days::new(days)).to_string();
                    }
                }
                Value::Array(a) => a.iter_mut().for_each(|x| shift(x, days)),
                Value::Object(o) => o.values_mut().for_each(|x| shift(x, days)),
                _ => {}
            }
        }
        let mut conn = db.store.acquire().await.unwrap();
        let scope = domain::access::Scope::system(domain::access::Permission::ViewCases);
        let case = store::cases::case_in(&mut conn, &scope, id).await.unwrap();
        let p = store::cases::procedure(&mut conn, &case).await.unwrap();
        let mut v = serde_json::to_value(&p.record).unwrap();
        shift(&mut v, days);
        let record: Record = serde_json::from_value(v).unwrap();
        store::cases::save_record(&mut conn, id, p.version, &record)
            .await
            .unwrap();
    }

    /// A fixture of the documents crate without what the server fills in,
    /// with this case's party.
    fn fields(kind: &str) -> Value {
        let text = match kind {
            "filing_approval" => {
                include_str!("../../documents/tests/fixtures/filing_approval.json")
            }
            "inspection_record" => {
                include_str!("../../documents/tests/fixtures/inspection_record.json")
            }
            "inquiry_record" => include_str!("../../documents/tests/fixtures/inquiry_record.json"),
            "evidence_preservation_notice" => {
                include_str!("../../documents/tests/fixtures/evidence_preservation_notice.json")
            }
            "prior_notice" => include_str!("../../documents/tests/fixtures/prior_notice.json"),
            "hearing_notice" => include_str!("../../documents/tests/fixtures/hearing_notice.json"),
            "hearing_record" => include_str!("../../documents/tests/fixtures/hearing_record.json"),
            "legal_review_opinion" => {
                include_str!("../../documents/tests/fixtures/legal_review_opinion.json")
            }
            "penalty_decision" => {
                include_str!("../../documents/tests/fixtures/penalty_decision.json")
            }
            "service_receipt" => {
                include_str!("../../documents/tests/fixtures/service_receipt.json")
            }
            "crime_transfer_letter" => {
                include_str!("../../documents/tests/fixtures/crime_transfer_letter.json")
            }
            other => panic!("no fixture for {other}"),
        };
        let mut v: Value = serde_json::from_str(text).unwrap();
        let m = v.as_object_mut().unwrap();
        for k in ["agency", "document_number", "date", "seal"] {
            m.remove(k);
        }
        // the case's cause and filing day come from the case
        if let Some(c) = m.get_mut("case").and_then(Value::as_object_mut) {
            c.remove("cause");
            c.remove("filed_date");
        }
        if let Some(p) = m.get_mut("party").and_then(Value::as_object_mut) {
            p.insert("name".into(), json!(PARTY));
            p.insert("address".into(), json!(HOME));
        }
        v
    }

    /// The decision letter's fields: the decision recorded on the case.
    fn decision_fields(yuan: i64) -> Value {
        let mut v = fields("penalty_decision");
        v["facts"] = json!(FACTS);
        v["evidence"] = json!(["现场检查（勘验）笔录1份", "现场照片2张", "询问笔录1份"]);
        v["legal_basis"] = json!(BASIS);
        v["violation"] = json!("《测试条例》第五条");
        v["correction"] = json!(CORRECTION);
        v["penalty"] = json!({"types": ["罚款"], "fine": true,
            "items": [format!("罚款人民币{yuan}元。")]});
        v["performance"] = json!({"days": 15, "method": "持本决定书到指定银行缴纳",
            "bank": "中国农业银行股份有限公司宁陵县支行",
            "account_name": "宁陵县财政局非税收入汇缴结算户", "account": "16560101040001234"});
        v["remedies"] = json!({"reconsideration": {"body": "宁陵县人民政府", "days": 60},
            "litigation": {"court": "宁陵县人民法院", "months": 6}});
        v
    }

    fn decide(yuan: i64) -> Value {
        json!({"action": "decide", "decision": {"kind": "penalise", "letter": {
            "number": "宁城关罚决字〔2026〕第1号",
            "party_name": PARTY,
            "party_address": HOME,
            "facts": FACTS,
            "evidence": ["现场检查（勘验）笔录", "现场照片", "询问笔录"],
            "penalty": {"fine": yuan * 100},
            "discretion": {"tier": 1},
            "basis": [BASIS],
            "correction": CORRECTION,
            "performance": PERFORMANCE,
            "remedies": {"reconsideration_body": "宁陵县人民政府", "reconsideration_days": 60,
                "court": "宁陵县人民法院", "litigation_months": 6},
            "agency": AGENCY,
            "date": today(),
            "sealed": true
        }}})
    }

    /// Make a document of the case; its number and id.
    async fn document(app: &TestApp, s: &Session, case: &str, kind: &str, f: Value) -> Value {
        let r = app
            .send_as(
                s,
                Method::POST,
                &format!("/api/v1/cases/{case}/documents"),
                Some(json!({"kind": kind, "fields": f})),
            )
            .await;
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert_eq!(status, 201, "{kind}: {v}");
        assert_eq!(v["kind"], kind);
        assert_eq!(v["seq"], 1, "{kind}: the first of its kind this year");
        v
    }

    async fn upload(app: &TestApp, s: &Session, case: &str, kind: &str, name: &str, b: Vec<u8>) {
        let form = Form::new()
            .text("kind", kind.to_string())
            .part("file", Part::bytes(b).file_name(name.to_string()));
        let r = app
            .client
            .post(app.url(&format!("/api/v1/cases/{case}/evidence")))
            .bearer_auth(&s.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{name}");
    }

    fn photo(seed: u32) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
        b.extend((0..4000u32).map(|i| ((i * 7 + seed) % 251) as u8));
        b
    }

    fn recording() -> Vec<u8> {
        let mut b = b"ID3\x04\x00\x00".to_vec();
        b.extend((0..3000u32).map(|i| (i * 13 % 241) as u8));
        b
    }

    fn squeeze(text: &str) -> String {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    /// The archive with one entry's last byte flipped (a well-formed ZIP).
    fn tampered(zip_bytes: &[u8], path: &str) -> Vec<u8> {
        let mut zin = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            if name == path {
                let last = data.len() - 1;
                data[last] ^= 0x01;
            }
            out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    /// APL Art. 42–67 and 47, 59: a case with a hearing from filing to
    /// the archive through the API, its eleven papers, the decision's
    /// Art. 59 elements in the PDF's text, and the case file verified.
    pub async fn apl_art47_59_a_full_case_with_a_hearing_yields_its_eleven_papers_and_a_verified_archive(
        db: &TestDb,
    ) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "P-FULL").await;
        let officer = app.session("officer").await;
        let admin = app.session("admin").await;
        let s1 = user(db, "officer").await.staff_id.unwrap();
        let s2 = user(db, "officer2").await.staff_id.unwrap();
        let presiding = user(db, "squadleader").await.staff_id.unwrap();
        let year = today().year();

        // 立案 (Art. 54) and the party
        let act = (today() - Days::new(10)).to_string();
        let case = ok(app
            .send_as(
                &officer,
                Method::POST,
                "/api/v1/cases",
                Some(json!({"township": A, "item_code": "P-FULL",
                    "title": "张三丰占用人行道经营案", "act_date": act})),
            )
            .await)
        .await;
        let id = case["id"].as_str().unwrap().to_string();
        ok(app
            .send_as(
                &officer,
                Method::PUT,
                &format!("/api/v1/cases/{id}/party"),
                Some(
                    json!({"kind": "person", "name": PARTY, "id_number": id_number(),
                    "phone": "13812345678", "address": HOME}),
                ),
            )
            .await)
        .await;
        let mut papers: Vec<Value> = Vec::new();
        let filing = document(
            &app,
            &officer,
            &id,
            "filing_approval",
            fields("filing_approval"),
        )
        .await;
        assert_eq!(
            filing["number"],
            format!("宁城关立字〔{year}〕第1号").as_str(),
            "numbered per agency, kind and year"
        );
        papers.push(filing);

        // investigation by two credentialed officers (Art. 42, 55), its
        // records and evidence; evidence preserved with approval (Art. 56)
        apply(
            &app,
            &officer,
            &id,
            json!({"action": "investigate", "kind": "现场检查", "officers": [s1, s2],
                "credentials_shown": true, "note": "现场拍照取证，制作检查笔录"}),
        )
        .await;
        papers.push(
            document(
                &app,
                &officer,
                &id,
                "inspection_record",
                fields("inspection_record"),
            )
            .await,
        );
        papers.push(
            document(
                &app,
                &officer,
                &id,
                "inquiry_record",
                fields("inquiry_record"),
            )
            .await,
        );
        upload(&app, &officer, &id, "photo", "现场照片1.jpg", photo(1)).await;
        upload(&app, &officer, &id, "photo", "现场照片2.jpg", photo(2)).await;
        upload(&app, &officer, &id, "audio", "询问录音.mp3", recording()).await;
        let v = apply(
            &app,
            &officer,
            &id,
            json!({"action": "preserve_evidence", "officers": [s1, s2],
                "approved_by": "镇长", "items": ["彩钢棚一处", "桌椅六套"]}),
        )
        .await;
        assert!(v["record"]["preservations"][0]["decide_by"].is_string());
        papers.push(
            document(
                &app,
                &officer,
                &id,
                "evidence_preservation_notice",
                fields("evidence_preservation_notice"),
            )
            .await,
        );
        apply(
            &app,
            &officer,
            &id,
            json!({"action": "decide_preserved", "index": 0, "outcome": "解除先行登记保存，返还当事人"}),
        )
        .await;

        // prior notice of 6,000 yuan with the hearing right (Art. 44, 63)
        let v = apply(
            &app,
            &officer,
            &id,
            json!({"action": "serve_notice", "notice": {
                "penalty": {"fine": 600_000}, "discretion": {"tier": 1},
                "facts": FACTS, "reasons": "违反《测试条例》第五条", "basis": [BASIS],
                "statement_rights": true, "hearing_right": true, "statement_days": 3}}),
        )
        .await;
        assert_eq!(v["status"], "notice_served");
        papers.push(document(&app, &officer, &id, "prior_notice", fields("prior_notice")).await);

        // the hearing: asked for within 5 days, notified 7 working days
        // ahead, presided by someone who did not investigate (Art. 64)
        apply(&app, &officer, &id, json!({"action": "request_hearing"})).await;
        let hearing_on = domain::calendar::Calendar::builtin().add_working_days(today(), 7);
        apply(
            &app,
            &officer,
            &id,
            json!({"action": "schedule_hearing", "schedule": {
                "notified_on": today(), "hearing_on": hearing_on, "place": "镇政府三楼会议室",
                "presiding": presiding, "public": true}}),
        )
        .await;
        papers.push(
            document(
                &app,
                &officer,
                &id,
                "hearing_notice",
                fields("hearing_notice"),
            )
            .await,
        );
        days_pass(db, &id, 30).await;
        let v = apply(
            &app,
            &officer,
            &id,
            json!({"action": "conclude_hearing",
                "outcome": {"outcome": "held", "agents": 1, "minutes": "signed"}}),
        )
        .await;
        assert_eq!(v["status"], "hearing_concluded");
        papers.push(
            document(
                &app,
                &officer,
                &id,
                "hearing_record",
                fields("hearing_record"),
            )
            .await,
        );

        // legal review by a qualified reviewer (Art. 58)
        let reviewer_user = user(db, "reviewer").await;
        let r = ok(app
            .send_as(
                &admin,
                Method::PUT,
                &format!("/api/v1/legal-reviewers/{}", reviewer_user.id),
                Some(json!({"qualification": "A20224114230012", "reviewing_since": "2022-03-01"})),
            )
            .await)
        .await;
        let reviewer_id = r["id"].as_str().unwrap().to_string();
        apply(
            &app,
            &officer,
            &id,
            json!({"action": "submit_legal_review", "reviewer": reviewer_id}),
        )
        .await;
        let reviewer = app.session("reviewer").await;
        let v = apply(
            &app,
            &reviewer,
            &id,
            json!({"action": "record_legal_review", "passed": true,
                "opinion": "事实清楚，证据确凿，适用依据正确，程序合法，裁量适当"}),
        )
        .await;
        assert_eq!(v["record"]["legal_review"]["opinion"]["passed"], true);
        papers.push(
            document(
                &app,
                &officer,
                &id,
                "legal_review_opinion",
                fields("legal_review_opinion"),
            )
            .await,
        );

        // the decision (Art. 57, 59) and its letter
        let v = apply(&app, &officer, &id, decide(6_000)).await;
        assert_eq!(v["status"], "decided");
        let letter = &v["record"]["decision"]["decision"]["letter"];
        assert_eq!(letter["facts"], FACTS);
        assert_eq!(letter["basis"][0], BASIS);
        let decision = document(
            &app,
            &officer,
            &id,
            "penalty_decision",
            decision_fields(6_000),
        )
        .await;
        let number = decision["number"].as_str().unwrap().to_string();
        assert_eq!(number, format!("宁城关罚决字〔{year}〕第1号"));
        papers.push(decision.clone());

        // service on the spot (Art. 61) and its receipt
        let v = apply(
            &app,
            &officer,
            &id,
            json!({"action": "serve", "method": {"method": "on_the_spot"}}),
        )
        .await;
        assert_eq!(v["status"], "served");
        papers.push(
            document(
                &app,
                &officer,
                &id,
                "service_receipt",
                fields("service_receipt"),
            )
            .await,
        );
        // the transfer letter: made from the case though it is not transferred
        papers.push(
            document(
                &app,
                &officer,
                &id,
                "crime_transfer_letter",
                fields("crime_transfer_letter"),
            )
            .await,
        );

        // paid, performed, closed and archived (Art. 66–67, 47)
        apply(
            &app,
            &officer,
            &id,
            json!({"action": "record_payment", "payment": {"paid_on": today(), "amount": 600_000}}),
        )
        .await;
        apply(
            &app,
            &officer,
            &id,
            json!({"action": "record_performance", "note": "罚款已缴清"}),
        )
        .await;
        apply(
            &app,
            &officer,
            &id,
            json!({"action": "close", "reason": "执行完毕"}),
        )
        .await;
        let v = apply(
            &app,
            &officer,
            &id,
            json!({"action": "archive", "number": "2026-长期-0001", "full_record": true}),
        )
        .await;
        assert_eq!(v["status"], "archived");

        // the eleven papers, each kind once, in the order of the procedure
        let kinds: Vec<&str> = papers.iter().map(|d| d["kind"].as_str().unwrap()).collect();
        // (the on-the-spot decision belongs to the summary procedure)
        let all: Vec<&str> = documents::Kind::ALL
            .iter()
            .filter(|k| **k != documents::Kind::SummaryDecision)
            .map(|k| k.code())
            .collect();
        assert_eq!(kinds, all, "every one of the eleven kinds");
        let list = ok(app
            .get_as(&officer, &format!("/api/v1/cases/{id}/documents"))
            .await)
        .await;
        assert_eq!(list["items"].as_array().unwrap().len(), 11);
        let mut titles = Vec::new();
        for d in &papers {
            let r = app
                .get_as(
                    &officer,
                    &format!("/api/v1/cases/{id}/documents/{}", d["id"].as_str().unwrap()),
                )
                .await;
            assert_eq!(r.status(), 200);
            let pdf = r.bytes().await.unwrap().to_vec();
            assert!(pdf.starts_with(b"%PDF-"));
            let text = pdf_text(&pdf);
            let kind = documents::Kind::from_code(d["kind"].as_str().unwrap()).unwrap();
            let title = squeeze(kind.title());
            assert!(text.contains(&title), "{title} not in its PDF:\n{text}");
            titles.push(title);
            if d["id"] == decision["id"] {
                let has = |wanted: &str, what: &str| {
                    assert!(
                        text.contains(&squeeze(wanted)),
                        "{what}: {wanted:?} not in the decision:\n{text}"
                    )
                };
                has(&number, "the number");
                has(&format!("当事人：{PARTY}"), "the party (Art. 59(1))");
                has(FACTS, "the facts (Art. 59(2))");
                has("上述事实有下列证据证明", "the evidence (Art. 59(2))");
                has("处罚种类：罚款", "the type of penalty (Art. 59(3))");
                has(&format!("依据{BASIS}"), "the legal basis (Art. 59(3))");
                has("罚款人民币6000元", "the penalty (Art. 59(3))");
                has(CORRECTION, "the order to correct (Art. 28)");
                has(
                    "当事人应当自收到本决定书之日起十五日内，持本决定书到指定银行缴纳",
                    "how and by when to perform (Art. 59(4))",
                );
                has(
                    "中国农业银行股份有限公司宁陵县支行",
                    "where to pay (Art. 67)",
                );
                has(
                    "自收到本决定书之日起六十日内向宁陵县人民政府申请行政复议",
                    "reconsideration and its time (Art. 59(5))",
                );
                has(
                    "自收到本决定书之日起六个月内直接向宁陵县人民法院提起行政诉讼",
                    "litigation and its time (Art. 59(5))",
                );
                has(AGENCY, "the agency (Art. 59(6))");
                let d = today();
                has(
                    &format!("{}年{}月{}日", d.year(), d.month(), d.day()),
                    "the date (Art. 59(6))",
                );
            }
        }
        assert_eq!(titles.len(), 11);

        // the case file: every paper and evidence file, with a signed manifest
        let r = app
            .get_as(&officer, &format!("/api/v1/cases/{id}/archive"))
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/zip");
        let zip_bytes = r.bytes().await.unwrap().to_vec();
        let key = store::audit::load_or_create_key(db.dir.path(), None).unwrap();
        // `yiwang archive verify` runs this same function on the file
        let v = archive::verify(Cursor::new(&zip_bytes), Some(&key));
        assert!(v.is_ok(), "{:?}", v.problems);
        assert_eq!(
            (v.listed, v.intact),
            (14, 14),
            "11 papers and 3 evidence files"
        );
        assert!(v.hmac_checked);
        assert_eq!(v.case_id.as_deref(), Some(id.as_str()));
        let mut zin = zip::ZipArchive::new(Cursor::new(&zip_bytes)).unwrap();
        let mut text = String::new();
        zin.by_name(archive::MANIFEST)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        let manifest: Value = serde_json::from_str(&text).unwrap();
        let files = manifest["files"].as_array().unwrap();
        assert_eq!(
            files
                .iter()
                .filter(|f| f["path"].as_str().unwrap().starts_with("documents/"))
                .count(),
            11
        );
        let photo_path = files
            .iter()
            .find(|f| f["name"] == "现场照片2.jpg")
            .expect("the photo is listed")["path"]
            .as_str()
            .unwrap()
            .to_string();

        // one evidence file altered inside the archive: it fails, naming it
        let bad = tampered(&zip_bytes, &photo_path);
        let v = archive::verify(Cursor::new(&bad), Some(&key));
        assert!(!v.is_ok());
        assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
        assert_eq!(v.problems[0].path, photo_path);
        assert!(v.problems[0].to_string().contains("SHA-256"));
        assert_eq!(v.intact, 13);

        // every step, paper and export audited
        let audit = ok(app
            .get_as(
                &admin,
                &format!("/api/v1/audit?object_id={id}&per_page=200"),
            )
            .await)
        .await;
        let actions: Vec<&str> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        // investigate, preserve, decide_preserved, notice, request,
        // schedule, hearing, submit, opinion, decide, serve, payment,
        // performance, close, archive
        assert_eq!(
            actions.iter().filter(|a| **a == "case.step").count(),
            15,
            "{actions:?}"
        );
        let documents = ok(app
            .get_as(&admin, "/api/v1/audit?action=case.document&per_page=100")
            .await)
        .await;
        assert_eq!(documents["total"], 11);
    }
}

store::both_databases!(crate::cases =>
    apl_art47_59_a_full_case_with_a_hearing_yields_its_eleven_papers_and_a_verified_archive,
);

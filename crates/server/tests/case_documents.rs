//! The documents and evidence of a case through the API, on SQLite and
//! PostgreSQL: a numbered penalty decision that states every element of
//! APL Art. 59, evidence typed by content with its chain of custody, and
//! the archive (卷宗, Art. 47) that verifies — and fails, naming the file,
//! once an evidence file inside it is altered.

mod common;

mod cases {
    use std::io::{Cursor, Read, Write};

    use super::common::case_kit::pdf_text;
    use super::common::*;
    use chrono::Datelike;
    use reqwest::Method;
    use reqwest::multipart::{Form, Part};
    use serde_json::{Value, json};
    use server::routes::case_documents::archive;
    use store::testing::TestDb;

    const A: &str = "411423100";

    fn item(code: &str) -> Value {
        json!({
            "code": code, "name": "对违反测试条例行为的处罚", "kind": "行政处罚", "field": "城市管理",
            "legal_basis": [{"law": "《测试条例》", "level": "地方性法规", "article": "第十条",
               "text": "处五千元以下罚款。", "effective": "2015-01-01", "max_fine_yuan": 5000}],
            "discretion": [{"circumstance": "一般", "fine_min_yuan": 100, "fine_max_yuan": 1000, "suggested": "罚款"}],
            "lead_department": "宁陵县城市管理局"
        })
    }

    /// The county creates an item and devolves it to township A only.
    async fn item_held_by_a(app: &TestApp, code: &str) {
        let county = app.session("countyadmin").await;
        let r = app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/power-items",
                Some(json!({"item": item(code), "reason": "新增"})),
            )
            .await;
        assert_eq!(r.status(), 201);
        let r = app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/devolutions",
                Some(
                    json!({"township": A, "item_code": code, "decision_no": "宁政〔2026〕3号",
                    "decision_date": "2026-01-05", "from_department": "宁陵县城市管理局"}),
                ),
            )
            .await;
        assert_eq!(r.status(), 201);
    }

    /// A case filed by township A's officer.
    async fn case_of_a(app: &TestApp, officer: &Session) -> String {
        item_held_by_a(app, "DOC-1").await;
        let r = app
            .send_as(
                officer,
                Method::POST,
                "/api/v1/cases",
                Some(json!({"township": A, "item_code": "DOC-1",
                    "title": "擅自在街道两侧堆放物料、搭建设施影响市容案", "act_date": "2026-10-01"})),
            )
            .await;
        assert_eq!(r.status(), 201);
        r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The decision letter's fields, from the documents crate's fixture,
    /// without what the server fills in (agency, number, date, seal, case).
    fn decision_fields() -> Value {
        let mut v: Value = serde_json::from_str(include_str!(
            "../../documents/tests/fixtures/penalty_decision.json"
        ))
        .unwrap();
        let m = v.as_object_mut().unwrap();
        for k in ["agency", "document_number", "date", "seal", "case"] {
            m.remove(k);
        }
        v
    }

    fn squeeze(text: &str) -> String {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn cn_date(d: chrono::NaiveDate) -> String {
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    }

    async fn upload(
        app: &TestApp,
        s: &Session,
        case: &str,
        kind: Option<&str>,
        name: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
        if let Some(k) = kind {
            form = form.text("kind", k.to_string());
        }
        app.client
            .post(app.url(&format!("/api/v1/cases/{case}/evidence")))
            .bearer_auth(&s.token)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    fn photo() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
        b.extend((0..5000u32).map(|i| (i * 7 % 251) as u8));
        b
    }

    fn recording() -> Vec<u8> {
        let mut b = b"ID3\x04\x00\x00".to_vec();
        b.extend((0..3000u32).map(|i| (i * 13 % 241) as u8));
        b
    }

    fn sha256(b: &[u8]) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(b))
    }

    /// The archive with one entry's bytes changed (a well-formed ZIP).
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

    pub async fn a_penalty_decision_is_numbered_rendered_and_downloaded(db: &TestDb) {
        let app = spawn_demo(db).await;
        let officer = app.session("officer").await;
        let case = case_of_a(&app, &officer).await;
        let today = domain::time::china_date(chrono::Utc::now());
        let year = today.year();

        // two at once: distinct numbers, 1 and 2
        let documents = format!("/api/v1/cases/{case}/documents");
        let make = || {
            app.send_as(
                &officer,
                Method::POST,
                &documents,
                Some(json!({"kind": "penalty_decision", "fields": decision_fields()})),
            )
        };
        let (r1, r2) = tokio::join!(make(), make());
        assert_eq!(r1.status(), 201);
        assert_eq!(r2.status(), 201);
        let (d1, d2): (Value, Value) = (r1.json().await.unwrap(), r2.json().await.unwrap());
        let mut numbers = [
            d1["number"].as_str().unwrap().to_string(),
            d2["number"].as_str().unwrap().to_string(),
        ];
        numbers.sort();
        assert_eq!(
            numbers,
            [
                format!("宁城关罚决字〔{year}〕第1号"),
                format!("宁城关罚决字〔{year}〕第2号")
            ]
        );
        let first = if d1["seq"] == 1 { &d1 } else { &d2 };

        let list: Value = app
            .get_as(&officer, &format!("/api/v1/cases/{case}/documents"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 2);

        let r = app
            .get_as(
                &officer,
                &format!(
                    "/api/v1/cases/{case}/documents/{}",
                    first["id"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let cd = r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(cd.starts_with("attachment;"), "{cd}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let pdf = r.bytes().await.unwrap().to_vec();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(sha256(&pdf), first["sha256"].as_str().unwrap());
        assert_eq!(pdf.len() as u64, first["size"].as_u64().unwrap());

        let text = pdf_text(&pdf);
        let has = |wanted: &str, what: &str| {
            assert!(
                text.contains(&squeeze(wanted)),
                "{what}: {wanted:?} not in the decision:\n{text}"
            )
        };
        has(&format!("宁城关罚决字〔{year}〕第1号"), "the number");
        has("宁陵县城关回族镇人民政府", "the agency (Art. 59(6))");
        has(&cn_date(today), "the date (Art. 59(6))");
        has("当事人：王建国", "the party (Art. 59(1))");
        has(
            "擅自在街道两侧堆放物料、搭建设施影响市容案",
            "the case's cause",
        );
        has("经查，2026年3月2日9时10分", "the facts (Art. 59(2))");
        has("上述事实有下列证据证明", "the evidence (Art. 59(2))");
        has("处罚种类：罚款", "the type of penalty (Art. 59(3))");
        has(
            "依据《城市市容和环境卫生管理条例》第三十六条第（二）项",
            "the basis (Art. 59(3))",
        );
        has("责令当事人立即停止", "the order to correct (Art. 28)");
        has(
            "自收到本决定书之日起十五日内",
            "how and by when to perform (Art. 59(4))",
        );
        has(
            "六十日内向宁陵县人民政府申请行政复议",
            "reconsideration (Art. 59(5))",
        );
        has(
            "六个月内直接向宁陵县人民法院提起行政诉讼",
            "litigation (Art. 59(5))",
        );

        // a field the template needs is named
        let mut fields = decision_fields();
        fields.as_object_mut().unwrap().remove("facts");
        let p = problem(
            app.send_as(
                &officer,
                Method::POST,
                &format!("/api/v1/cases/{case}/documents"),
                Some(json!({"kind": "penalty_decision", "fields": fields})),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "document.missing_field");
        assert_eq!(p["field"], "fields.facts");
        let p = problem(
            app.send_as(
                &officer,
                Method::POST,
                &format!("/api/v1/cases/{case}/documents"),
                Some(json!({"kind": "no_such_letter", "fields": {}})),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "document.kind");
        // a refused document took no number: the next one is 3
        let r = make().await;
        assert_eq!(r.status(), 201);
        assert_eq!(r.json::<Value>().await.unwrap()["seq"], 3);

        // audited
        let admin = app.session("admin").await;
        let audit: Value = app
            .get_as(&admin, "/api/v1/audit?action=case.document")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(audit["total"], 3);

        // township B sees none of it
        let b = app.session("officer3").await;
        problem(
            app.get_as(&b, &format!("/api/v1/cases/{case}/documents"))
                .await,
            403,
        )
        .await;
        problem(
            app.get_as(
                &b,
                &format!(
                    "/api/v1/cases/{case}/documents/{}",
                    first["id"].as_str().unwrap()
                ),
            )
            .await,
            403,
        )
        .await;
    }

    pub async fn evidence_is_typed_by_content_and_keeps_its_chain_of_custody(db: &TestDb) {
        let app = spawn_demo(db).await;
        let officer = app.session("officer").await;
        let case = case_of_a(&app, &officer).await;

        let r = upload(
            &app,
            &officer,
            &case,
            Some("photo"),
            "现场照片1.jpg",
            photo(),
        )
        .await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        let p = &v["items"][0];
        assert_eq!(p["kind"], "photo");
        assert_eq!(p["mime"], "image/jpeg");
        assert_eq!(p["sha256"], sha256(&photo()));
        assert_eq!(p["size"], photo().len());
        assert_eq!(p["custody"][0]["action"], "upload");
        // no kind: found from the content
        let r = upload(&app, &officer, &case, None, "询问录音.mp3", recording()).await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["items"][0]["kind"], "audio");
        assert_eq!(v["items"][0]["mime"], "audio/mpeg");

        // refused: a page dressed as a photo, a PDF as a photo; nothing stored
        let p = problem(
            upload(
                &app,
                &officer,
                &case,
                Some("photo"),
                "x.jpg",
                b"<html><script>alert(1)</script>".to_vec(),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "evidence.type");
        let p = problem(
            upload(
                &app,
                &officer,
                &case,
                Some("photo"),
                "x.pdf",
                b"%PDF-1.7\n".to_vec(),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "evidence.kind");
        let list: Value = app
            .get_as(&officer, &format!("/api/v1/cases/{case}/evidence"))
            .await
            .json()
            .await
            .unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);

        // the download: the bytes as uploaded, as an attachment, and a view in the chain
        let id = items[0]["id"].as_str().unwrap();
        let r = app
            .get_as(&officer, &format!("/api/v1/cases/{case}/evidence/{id}"))
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        let cd = r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            cd.starts_with("attachment;") && cd.contains("UTF-8''"),
            "{cd}"
        );
        assert_eq!(r.bytes().await.unwrap().to_vec(), photo());
        let list: Value = app
            .get_as(&officer, &format!("/api/v1/cases/{case}/evidence"))
            .await
            .json()
            .await
            .unwrap();
        let actions: Vec<&str> = list["items"][0]["custody"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["upload", "view"]);

        // township B may neither upload to nor read A's case
        let b = app.session("officer3").await;
        problem(upload(&app, &b, &case, None, "p.jpg", photo()).await, 403).await;
        problem(
            app.get_as(&b, &format!("/api/v1/cases/{case}/evidence/{id}"))
                .await,
            403,
        )
        .await;

        // an upload declared larger than the limit is refused before it is read
        let answer = app
            .post_declaring(
                &format!("/api/v1/cases/{case}/evidence"),
                &format!(
                    "Authorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary=xyz\r\n",
                    officer.token
                ),
                server::routes::case_documents::EVIDENCE_UPLOAD_LIMIT + 1,
            )
            .await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("evidence.too_large"), "{answer}");
    }

    pub async fn the_archive_verifies_and_an_altered_evidence_file_fails_it(db: &TestDb) {
        let app = spawn_demo(db).await;
        let officer = app.session("officer").await;
        let case = case_of_a(&app, &officer).await;
        let r = app
            .send_as(
                &officer,
                Method::POST,
                &format!("/api/v1/cases/{case}/documents"),
                Some(json!({"kind": "penalty_decision", "fields": decision_fields()})),
            )
            .await;
        assert_eq!(r.status(), 201);
        assert_eq!(
            upload(
                &app,
                &officer,
                &case,
                Some("photo"),
                "现场照片.jpg",
                photo()
            )
            .await
            .status(),
            201
        );
        assert_eq!(
            upload(
                &app,
                &officer,
                &case,
                Some("audio"),
                "录音.mp3",
                recording()
            )
            .await
            .status(),
            201
        );

        let r = app
            .get_as(&officer, &format!("/api/v1/cases/{case}/archive"))
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/zip");
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        let zip_bytes = r.bytes().await.unwrap().to_vec();
        let key = store::audit::load_or_create_key(db.dir.path(), None).unwrap();

        let v = archive::verify(Cursor::new(&zip_bytes), Some(&key));
        assert!(v.is_ok(), "{:?}", v.problems);
        assert_eq!((v.listed, v.intact), (3, 3));
        assert!(v.hmac_checked);
        assert_eq!(v.case_id.as_deref(), Some(case.as_str()));

        // the manifest lists each file with its digest and size
        let mut zin = zip::ZipArchive::new(Cursor::new(&zip_bytes)).unwrap();
        let mut text = String::new();
        zin.by_name(archive::MANIFEST)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        let manifest: Value = serde_json::from_str(&text).unwrap();
        let files = manifest["files"].as_array().unwrap();
        let photo_entry = files
            .iter()
            .find(|f| f["name"] == "现场照片.jpg")
            .expect("the photo is listed");
        assert_eq!(photo_entry["sha256"], sha256(&photo()));
        assert_eq!(photo_entry["size"], photo().len());
        assert!(manifest["generated_at"].is_string());
        assert!(
            files
                .iter()
                .any(|f| f["path"].as_str().unwrap().starts_with("documents/"))
        );
        let photo_path = photo_entry["path"].as_str().unwrap().to_string();

        // one evidence file altered inside the archive: named
        let bad = tampered(&zip_bytes, &photo_path);
        let v = archive::verify(Cursor::new(&bad), Some(&key));
        assert!(!v.is_ok());
        assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
        assert_eq!(v.problems[0].path, photo_path);
        assert!(v.problems[0].to_string().contains("SHA-256"));
        // and with a wrong key, the manifest's HMAC fails
        let v = archive::verify(Cursor::new(&zip_bytes), Some(b"another key"));
        assert_eq!(v.problems.len(), 1);
        assert_eq!(v.problems[0].path, archive::MANIFEST);

        // the export is in every evidence file's chain of custody, and audited
        let list: Value = app
            .get_as(&officer, &format!("/api/v1/cases/{case}/evidence"))
            .await
            .json()
            .await
            .unwrap();
        for item in list["items"].as_array().unwrap() {
            let last = item["custody"].as_array().unwrap().last().unwrap().clone();
            assert_eq!(last["action"], "export");
        }
        let admin = app.session("admin").await;
        let audit: Value = app
            .get_as(&admin, "/api/v1/audit?action=case.archive_export")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(audit["total"], 1);
        // township B cannot take it
        let b = app.session("officer3").await;
        problem(
            app.get_as(&b, &format!("/api/v1/cases/{case}/archive"))
                .await,
            403,
        )
        .await;
    }
}

store::both_databases!(crate::cases =>
    a_penalty_decision_is_numbered_rendered_and_downloaded,
    evidence_is_typed_by_content_and_keeps_its_chain_of_custody,
    the_archive_verifies_and_an_altered_evidence_file_fails_it,
);

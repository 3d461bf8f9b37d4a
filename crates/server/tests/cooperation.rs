//! Working with other bodies on a case through the API, on SQLite and
//! PostgreSQL: a request for assistance (APL Art. 26) answered by the
//! county department asked, and a joint investigation (联合调查) in which
//! each member department reports and the township concludes. A body sees
//! only what is addressed to it.

mod common;

mod cases {
    use super::common::case_kit::*;
    use super::common::*;
    use reqwest::Method;
    use serde_json::{Value, json};
    use store::testing::TestDb;

    const MARKET: &str = "411423-SJ";
    const ECOLOGY: &str = "411423-HB";
    const TRANSPORT: &str = "411423-JT";

    struct World {
        app: TestApp,
        officer: Session,
        market: Session,
        ecology: Session,
        transport: Session,
        case_id: String,
    }

    async fn world(db: &TestDb) -> World {
        let app = spawn_demo(db).await;
        held_by_a(&app, item("T-FOOD", "对无证生产加工食品行为的处罚")).await;
        let officer = app.session("officer").await;
        let case_id = open_case(&app, &officer, "T-FOOD", "某作坊无证加工食品案").await;
        World {
            market: liaison(&app, "sj_liaison", MARKET).await,
            ecology: liaison(&app, "hb_liaison", ECOLOGY).await,
            transport: liaison(&app, "jt_liaison", TRANSPORT).await,
            officer,
            case_id,
            app,
        }
    }

    async fn post(w: &World, s: &Session, path: &str, body: Value) -> reqwest::Response {
        w.app.send_as(s, Method::POST, path, Some(body)).await
    }

    pub async fn apl_art26_assistance_names_the_body_and_a_refusal_gives_its_reason(db: &TestDb) {
        let w = world(db).await;
        let path = format!("/api/v1/cases/{}/assistance", w.case_id);
        // the matter must be named (Art. 26)
        let p = problem(
            post(
                &w,
                &w.officer,
                &path,
                json!({"to_agency": MARKET, "matter": " "}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.art26_assistance");
        // the body must be a county department or agency
        let p = problem(
            post(
                &w,
                &w.officer,
                &path,
                json!({"to_agency": "411423-XX", "matter": "检验"}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.unknown_body");
        assert_eq!(p["field"], "to_agency");
        let r = post(
            &w,
            &w.officer,
            &path,
            json!({"to_agency": MARKET, "matter": "协助抽检食品样品"}),
        )
        .await;
        assert_eq!(r.status(), 201);
        let asked: Value = r.json().await.unwrap();
        assert_eq!(asked["status"], "open");
        assert_eq!(asked["record"]["to_agency"], MARKET);
        let rid = asked["id"].as_str().unwrap().to_string();

        // only the body asked sees it
        let theirs = ok(w.app.get_as(&w.market, "/api/v1/partner/assistance").await).await;
        assert_eq!(theirs["total"], 1);
        assert_eq!(theirs["items"][0]["case_title"], "某作坊无证加工食品案");
        let others = ok(w.app.get_as(&w.ecology, "/api/v1/partner/assistance").await).await;
        assert_eq!(others["total"], 0);
        let answer = format!("/api/v1/partner/assistance/{rid}/answer");
        problem(
            post(&w, &w.ecology, &answer, json!({"granted": true})).await,
            404,
        )
        .await;
        // a refusal without its reason is refused (Art. 26)
        let p = problem(
            post(&w, &w.market, &answer, json!({"granted": false})).await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.art26_refusal_reason");
        assert_eq!(p["field"], "note");
        let v = ok(post(
            &w,
            &w.market,
            &answer,
            json!({"granted": true, "note": "安排检验人员三日内抽检"}),
        )
        .await)
        .await;
        assert_eq!(v["status"], "granted");
        let p = problem(
            post(
                &w,
                &w.market,
                &answer,
                json!({"granted": false, "note": "改变主意"}),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "case.art26_answered");
        // the township sees the answer on its case
        let list = ok(w.app.get_as(&w.officer, &path).await).await;
        assert_eq!(list["items"][0]["record"]["answer"]["granted"], true);
        assert_eq!(
            list["items"][0]["record"]["answer"]["note"],
            "安排检验人员三日内抽检"
        );
        // another township's officer is refused
        let other = w.app.session("officer3").await;
        let p = problem(w.app.get_as(&other, &path).await, 403).await;
        assert_eq!(p["code"], "access.out_of_jurisdiction");
    }

    pub async fn joint_investigation_concludes_only_after_every_member_reported(db: &TestDb) {
        let w = world(db).await;
        let path = format!("/api/v1/cases/{}/joint-investigations", w.case_id);
        let p = problem(
            post(
                &w,
                &w.officer,
                &path,
                json!({"subject": "无证加工", "agencies": []}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.joint_members");
        let p = problem(
            post(
                &w,
                &w.officer,
                &path,
                json!({"subject": "无证加工", "agencies": [MARKET, "411423-XX"]}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.unknown_body");
        assert_eq!(p["field"], "agencies");
        let r = post(
            &w,
            &w.officer,
            &path,
            json!({"subject": "无证加工食品并直排污水", "agencies": [MARKET, ECOLOGY]}),
        )
        .await;
        assert_eq!(r.status(), 201);
        let j: Value = r.json().await.unwrap();
        let jid = j["id"].as_str().unwrap().to_string();
        let conclude = format!("{path}/{jid}/conclusion");
        let p = problem(
            post(&w, &w.officer, &conclude, json!({"conclusion": "各自处理"})).await,
            409,
        )
        .await;
        assert_eq!(p["code"], "case.joint_findings_missing");
        let msg = p["message_zh"].as_str().unwrap();
        assert!(msg.contains(MARKET) && msg.contains(ECOLOGY), "{msg}");

        // a department that is not a member sees nothing
        let none = ok(w
            .app
            .get_as(&w.transport, "/api/v1/partner/joint-investigations")
            .await)
        .await;
        assert_eq!(none["total"], 0);
        let findings = format!("/api/v1/partner/joint-investigations/{jid}/findings");
        problem(
            post(&w, &w.transport, &findings, json!({"text": "看过了"})).await,
            404,
        )
        .await;
        let mine = ok(w
            .app
            .get_as(&w.market, "/api/v1/partner/joint-investigations")
            .await)
        .await;
        assert_eq!(mine["total"], 1);
        ok(post(
            &w,
            &w.market,
            &findings,
            json!({"text": "无食品生产许可证"}),
        )
        .await)
        .await;
        let p = problem(
            post(&w, &w.officer, &conclude, json!({"conclusion": "各自处理"})).await,
            409,
        )
        .await;
        let msg = p["message_zh"].as_str().unwrap();
        assert!(msg.contains(ECOLOGY) && !msg.contains(MARKET), "{msg}");
        let v = ok(post(
            &w,
            &w.ecology,
            &findings,
            json!({"text": "生产废水未经处理直排"}),
        )
        .await)
        .await;
        let version = v["version"].as_i64().unwrap();
        // a conclusion on an older version than the one read is stale
        let stale = w
            .app
            .client
            .post(w.app.url(&conclude))
            .bearer_auth(&w.officer.token)
            .header("If-Match", (version - 1).to_string())
            .json(&json!({"conclusion": "各自处理"}))
            .send()
            .await
            .unwrap();
        assert_eq!(problem(stale, 409).await["code"], "conflict.stale");
        let done = ok(post(
            &w,
            &w.officer,
            &conclude,
            json!({"conclusion": "市场监管局、生态环境分局依各自职权立案处理"}),
        )
        .await)
        .await;
        assert_eq!(done["status"], "concluded");
        assert_eq!(done["record"]["findings"].as_array().unwrap().len(), 2);
        let p = problem(
            post(&w, &w.market, &findings, json!({"text": "补充"})).await,
            409,
        )
        .await;
        assert_eq!(p["code"], "case.joint_concluded");
        let list = ok(w.app.get_as(&w.officer, &path).await).await;
        assert_eq!(list["items"][0]["missing"], json!([]));
        assert_eq!(list["items"][0]["joint"]["status"], "concluded");
    }
}

store::both_databases!(crate::cases =>
    apl_art26_assistance_names_the_body_and_a_refusal_gives_its_reason,
    joint_investigation_concludes_only_after_every_member_reported,
);

//! The authorization matrix: for every API route (enumerated from the
//! OpenAPI document, so a new route without a decision here fails) and
//! every role, a user holding that role in township A is allowed on A's
//! objects exactly when the role carries the route's permission, and is
//! refused (403, problem+json) on township B's objects. Runs on SQLite and
//! PostgreSQL.

mod common;

use domain::access::{Permission, Role};

/// What each route requires.
#[derive(Clone, Copy, Debug)]
enum Access {
    Public,
    Authenticated,
    Needs(Permission),
    /// Held at county level only: refused to every township role.
    County(Permission),
    /// A partner agency's: what its own agency was sent decides, not the
    /// jurisdiction (`partner_may_see`). A liaison whose agency was sent
    /// nothing gets an empty inbox and 404 on any transfer; every other
    /// role is refused (tests/transfers.rs for the agencies themselves).
    Partner(Permission),
}

/// Every documented route and its decision.
const ROUTES: &[(&str, &str, Access)] = &[
    ("get", "/healthz", Access::Public),
    ("get", "/readyz", Access::Public),
    ("get", "/api/v1/version", Access::Public),
    ("get", "/api/v1/jurisdictions", Access::Public),
    (
        "post",
        "/api/v1/jurisdictions",
        Access::Needs(Permission::ManageOrganisation),
    ),
    (
        "post",
        "/api/v1/org-units",
        Access::Needs(Permission::ManageOrganisation),
    ),
    ("get", "/api/v1/overview", Access::Public),
    ("post", "/api/v1/login", Access::Public),
    ("post", "/api/v1/logout", Access::Authenticated),
    ("get", "/api/v1/me", Access::Authenticated),
    ("post", "/api/v1/me/password", Access::Authenticated),
    (
        "get",
        "/api/v1/users",
        Access::Needs(Permission::ManageUsers),
    ),
    (
        "post",
        "/api/v1/users",
        Access::Needs(Permission::ManageUsers),
    ),
    (
        "get",
        "/api/v1/users/{id}",
        Access::Needs(Permission::ManageUsers),
    ),
    (
        "post",
        "/api/v1/users/{id}/roles",
        Access::Needs(Permission::ManageUsers),
    ),
    (
        "delete",
        "/api/v1/users/{id}/roles/{role_id}",
        Access::Needs(Permission::ManageUsers),
    ),
    (
        "post",
        "/api/v1/users/{id}/password",
        Access::Needs(Permission::ManageUsers),
    ),
    (
        "get",
        "/api/v1/integration-tokens",
        Access::Needs(Permission::ManageIntegrations),
    ),
    (
        "post",
        "/api/v1/integration-tokens",
        Access::Needs(Permission::ManageIntegrations),
    ),
    (
        "delete",
        "/api/v1/integration-tokens/{id}",
        Access::Needs(Permission::ManageIntegrations),
    ),
    (
        "get",
        "/api/v1/org-units",
        Access::Needs(Permission::ViewOrganisation),
    ),
    (
        "get",
        "/api/v1/staff",
        Access::Needs(Permission::ViewOrganisation),
    ),
    (
        "post",
        "/api/v1/staff",
        Access::Needs(Permission::ManageOrganisation),
    ),
    (
        "get",
        "/api/v1/staff/{id}",
        Access::Needs(Permission::ViewPersonalData),
    ),
    (
        "post",
        "/api/v1/staff/{id}/credentials",
        Access::Needs(Permission::ManageOrganisation),
    ),
    ("get", "/api/v1/audit", Access::Needs(Permission::ViewAudit)),
    ("get", "/api/v1/power-items", Access::Public),
    (
        "post",
        "/api/v1/power-items",
        Access::County(Permission::ManagePowerList),
    ),
    ("get", "/api/v1/power-items/export", Access::Public),
    (
        "post",
        "/api/v1/power-items/import",
        Access::County(Permission::ManagePowerList),
    ),
    ("get", "/api/v1/power-items/{code}", Access::Public),
    (
        "put",
        "/api/v1/power-items/{code}",
        Access::County(Permission::ManagePowerList),
    ),
    (
        "get",
        "/api/v1/power-items/{code}/flowchart.svg",
        Access::Public,
    ),
    ("get", "/api/v1/power-items/{code}/versions", Access::Public),
    ("get", "/api/v1/power-items/{code}/diff", Access::Public),
    ("get", "/api/v1/power-items/{code}/basis", Access::Public),
    (
        "get",
        "/api/v1/townships/{township}/power-items/{code}",
        Access::Public,
    ),
    ("get", "/api/v1/devolutions/compare", Access::Public),
    (
        "post",
        "/api/v1/devolutions",
        Access::County(Permission::ManagePowerList),
    ),
    (
        "post",
        "/api/v1/duty-requests",
        Access::Needs(Permission::SubmitDutyRequest),
    ),
    (
        "get",
        "/api/v1/duty-requests",
        Access::Needs(Permission::ViewOrganisation),
    ),
    ("get", "/api/v1/cases", Access::Needs(Permission::ViewCases)),
    ("post", "/api/v1/cases", Access::Needs(Permission::FileCase)),
    (
        "get",
        "/api/v1/cases/{id}",
        Access::Needs(Permission::ViewCases),
    ),
    (
        "put",
        "/api/v1/cases/{id}/party",
        Access::Needs(Permission::FileCase),
    ),
    // the legal review opinion alone is open to the reviewer with
    // ViewCases (tests/case_procedure.rs); every other step needs FileCase
    (
        "post",
        "/api/v1/cases/{id}/actions",
        Access::Needs(Permission::FileCase),
    ),
    // the summary procedure and the discretion benchmark (tests/case_summary.rs)
    (
        "post",
        "/api/v1/cases/summary",
        Access::Needs(Permission::FileCase),
    ),
    (
        "post",
        "/api/v1/cases/{id}/summary/filing",
        Access::Needs(Permission::FileCase),
    ),
    (
        "post",
        "/api/v1/cases/{id}/discretion",
        Access::Needs(Permission::FileCase),
    ),
    (
        "put",
        "/api/v1/legal-reviewers/{id}",
        Access::Needs(Permission::ManageUsers),
    ),
    // transfer of suspected crimes (tests/transfers.rs)
    (
        "get",
        "/api/v1/cases/{id}/transfer",
        Access::Needs(Permission::ViewCases),
    ),
    (
        "post",
        "/api/v1/cases/{id}/transfer",
        Access::Needs(Permission::FileCase),
    ),
    (
        "post",
        "/api/v1/cases/{id}/transfer/decision",
        Access::Needs(Permission::FileCase),
    ),
    (
        "post",
        "/api/v1/cases/{id}/transfer/send",
        Access::Needs(Permission::FileCase),
    ),
    (
        "post",
        "/api/v1/cases/{id}/transfer/reconsideration",
        Access::Needs(Permission::FileCase),
    ),
    (
        "post",
        "/api/v1/cases/{id}/transfer/supervision",
        Access::Needs(Permission::FileCase),
    ),
    (
        "post",
        "/api/v1/cases/{id}/transfer/handover",
        Access::Needs(Permission::FileCase),
    ),
    (
        "post",
        "/api/v1/cases/{id}/transfer/resume",
        Access::Needs(Permission::FileCase),
    ),
    (
        "get",
        "/api/v1/partner/transfers",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    (
        "get",
        "/api/v1/partner/transfers/{id}",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    (
        "post",
        "/api/v1/partner/transfers/{id}/receipt",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    (
        "post",
        "/api/v1/partner/transfers/{id}/forward",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    (
        "post",
        "/api/v1/partner/transfers/{id}/answer",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    (
        "post",
        "/api/v1/partner/transfers/{id}/supervision",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    (
        "get",
        "/api/v1/partner/transfers/{id}/documents",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    (
        "get",
        "/api/v1/partner/transfers/{id}/documents/{doc_id}",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    // assistance (APL Art. 26) and joint investigations (tests/cooperation.rs)
    (
        "get",
        "/api/v1/cases/{id}/assistance",
        Access::Needs(Permission::ViewCases),
    ),
    (
        "post",
        "/api/v1/cases/{id}/assistance",
        Access::Needs(Permission::FileCase),
    ),
    (
        "get",
        "/api/v1/partner/assistance",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    (
        "post",
        "/api/v1/partner/assistance/{id}/answer",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    (
        "get",
        "/api/v1/cases/{id}/joint-investigations",
        Access::Needs(Permission::ViewCases),
    ),
    (
        "post",
        "/api/v1/cases/{id}/joint-investigations",
        Access::Needs(Permission::FileCase),
    ),
    (
        "post",
        "/api/v1/cases/{id}/joint-investigations/{joint_id}/conclusion",
        Access::Needs(Permission::FileCase),
    ),
    (
        "get",
        "/api/v1/partner/joint-investigations",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    (
        "post",
        "/api/v1/partner/joint-investigations/{id}/findings",
        Access::Partner(Permission::ReceiveTransfers),
    ),
    // the county's agencies are named by the county
    (
        "put",
        "/api/v1/partner-liaisons/{id}",
        Access::County(Permission::ManageUsers),
    ),
    ("get", "/api/v1/locate", Access::Authenticated),
    (
        "get",
        "/api/v1/grids",
        Access::Needs(Permission::ViewOrganisation),
    ),
    ("get", "/api/v1/areas", Access::Public),
    (
        "post",
        "/api/v1/grids/import",
        Access::Needs(Permission::ManageOrganisation),
    ),
    (
        "post",
        "/api/v1/grids/{code}/assignments",
        Access::Needs(Permission::ManageOrganisation),
    ),
    (
        "get",
        "/api/v1/grids/{code}/assignments",
        Access::Needs(Permission::ViewOrganisation),
    ),
    (
        "get",
        "/api/v1/reports",
        Access::Needs(Permission::ViewReports),
    ),
    (
        "post",
        "/api/v1/reports",
        Access::Needs(Permission::SubmitReport),
    ),
    (
        "get",
        "/api/v1/reports/stream",
        Access::Needs(Permission::ViewReports),
    ),
    (
        "get",
        "/api/v1/reports/{id}",
        Access::Needs(Permission::ViewReports),
    ),
    (
        "post",
        "/api/v1/reports/{id}/actions",
        Access::Needs(Permission::HandleReports),
    ),
    (
        "post",
        "/api/v1/reports/import",
        Access::Needs(Permission::SubmitReport),
    ),
    (
        "post",
        "/api/v1/reports/{id}/requests",
        Access::Needs(Permission::HandleReports),
    ),
    (
        "post",
        "/api/v1/reports/{id}/requests/{request_id}/decision",
        Access::Needs(Permission::HandleReports),
    ),
    (
        "post",
        "/api/v1/reports/{id}/resume",
        Access::Needs(Permission::HandleReports),
    ),
    (
        "post",
        "/api/v1/reports/{id}/supervision",
        Access::Needs(Permission::HandleReports),
    ),
    ("get", "/api/v1/calendar", Access::Authenticated),
    ("post", "/api/v1/public/complaints", Access::Public),
    ("get", "/api/v1/public/complaints/{code}", Access::Public),
    (
        "put",
        "/api/v1/calendar/{year}",
        Access::County(Permission::ManageOrganisation),
    ),
    (
        "get",
        "/api/v1/cameras",
        Access::Needs(Permission::ViewReports),
    ),
    (
        "post",
        "/api/v1/cameras",
        Access::Needs(Permission::ManageCameras),
    ),
    (
        "get",
        "/api/v1/cameras/{code}",
        Access::Needs(Permission::ViewReports),
    ),
    (
        "post",
        "/api/v1/cameras/{code}/review",
        Access::Needs(Permission::ManageCameras),
    ),
    // authenticated by its HMAC signature, not by a role (see the matrix loop)
    ("post", "/api/v1/webhooks/camera", Access::Public),
    (
        "get",
        "/api/v1/duty/roster",
        Access::Needs(Permission::ViewOrganisation),
    ),
    (
        "post",
        "/api/v1/duty/roster",
        Access::Needs(Permission::ManageDuty),
    ),
    (
        "delete",
        "/api/v1/duty/roster/{id}",
        Access::Needs(Permission::ManageDuty),
    ),
    (
        "get",
        "/api/v1/duty/now",
        Access::Needs(Permission::ViewOrganisation),
    ),
    (
        "get",
        "/api/v1/duty/handovers",
        Access::Needs(Permission::ViewOrganisation),
    ),
    (
        "post",
        "/api/v1/duty/handovers",
        Access::Needs(Permission::ManageDuty),
    ),
    // a case's documents, evidence and archive (tests/case_documents.rs)
    (
        "get",
        "/api/v1/cases/{id}/documents",
        Access::Needs(Permission::ViewCases),
    ),
    (
        "post",
        "/api/v1/cases/{id}/documents",
        Access::Needs(Permission::FileCase),
    ),
    (
        "get",
        "/api/v1/cases/{id}/documents/{doc_id}",
        Access::Needs(Permission::ViewCases),
    ),
    (
        "get",
        "/api/v1/cases/{id}/evidence",
        Access::Needs(Permission::ViewCases),
    ),
    (
        "post",
        "/api/v1/cases/{id}/evidence",
        Access::Needs(Permission::FileCase),
    ),
    (
        "get",
        "/api/v1/cases/{id}/evidence/{evidence_id}",
        Access::Needs(Permission::ViewCases),
    ),
    (
        "post",
        "/api/v1/cases/{id}/evidence/{evidence_id}/review",
        Access::Needs(Permission::FileCase),
    ),
    (
        "get",
        "/api/v1/cases/{id}/archive",
        Access::Needs(Permission::ViewCases),
    ),
    // publication of decisions and its withdrawal (tests/disclosure.rs)
    (
        "post",
        "/api/v1/cases/{id}/publication",
        Access::Needs(Permission::PublishDecisions),
    ),
    (
        "post",
        "/api/v1/cases/{id}/publication/withdrawal",
        Access::Needs(Permission::PublishDecisions),
    ),
    ("get", "/api/v1/public/decisions", Access::Public),
    ("get", "/api/v1/public/decisions/{id}", Access::Public),
    // indicators and assessment (tests/assessment.rs)
    (
        "get",
        "/api/v1/indicators",
        Access::Needs(Permission::ViewReports),
    ),
    (
        "get",
        "/api/v1/stats/overview",
        Access::Needs(Permission::ViewReports),
    ),
    (
        "get",
        "/api/v1/assessment/rules",
        Access::Needs(Permission::ViewReports),
    ),
    (
        "put",
        "/api/v1/assessment/rules",
        Access::Needs(Permission::Assess),
    ),
    (
        "post",
        "/api/v1/assessment/runs",
        Access::Needs(Permission::Assess),
    ),
    (
        "get",
        "/api/v1/assessment/runs",
        Access::Needs(Permission::ViewReports),
    ),
    (
        "get",
        "/api/v1/assessment/runs/{id}",
        Access::Needs(Permission::ViewReports),
    ),
    (
        "post",
        "/api/v1/assessment/runs/{id}/appeals",
        Access::Needs(Permission::ViewReports),
    ),
    (
        "post",
        "/api/v1/assessment/appeals/{id}/resolve",
        Access::Needs(Permission::Assess),
    ),
];

#[test]
fn every_documented_route_has_a_decision() {
    let doc = serde_json::to_value(server::routes::openapi()).unwrap();
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    for (m, p) in &documented {
        assert!(
            ROUTES.iter().any(|(rm, rp, _)| rm == m && rp == p),
            "{m} {p} has no permission decision in the authorization matrix"
        );
    }
    for (m, p, _) in ROUTES {
        assert!(
            documented.iter().any(|(dm, dp)| dm == m && dp == p),
            "{m} {p} is not a documented route"
        );
    }
}

mod cases {
    use super::common::*;
    use super::{Access, ROUTES};
    use domain::access::Role;
    use reqwest::Method;
    use serde_json::{Value, json};
    use std::sync::atomic::{AtomicU32, Ordering};
    use store::testing::TestDb;

    const A: &str = "411423100";
    const B: &str = "411423101";

    static SEQ: AtomicU32 = AtomicU32::new(0);
    fn uniq(prefix: &str) -> String {
        format!("{prefix}{}", SEQ.fetch_add(1, Ordering::SeqCst))
    }

    struct Ctx {
        app: TestApp,
        admin_a: Session,
        admin_b: Session,
        officer_b_id: String,
        officer_b_role: String,
        staff_a: String,
        staff_b: String,
        token_b: String,
        /// A power-list item, and its JSON (for edits).
        item: String,
        item_body: Value,
        /// An item both townships hold.
        item_held_by_both: String,
        /// A penalty case in each township.
        case_a: String,
        case_b: String,
        /// A grid in each township.
        grid_a: String,
        grid_b: String,
        /// A point inside each township's first grid.
        point_a: (f64, f64),
        point_b: (f64, f64),
        /// A report in each township.
        report_a: String,
        report_b: String,
        /// A public complaint's tracking code.
        tracking: String,
        /// A document and an evidence file of each township's case.
        doc_a: String,
        doc_b: String,
        evidence_a: String,
        evidence_b: String,
        /// A published decision of A's case.
        publication: String,
    }

    async fn json_of(r: reqwest::Response) -> Value {
        r.json().await.unwrap()
    }

    impl Ctx {
        /// A fresh user with a role in a township, created by that township's admin.
        async fn user(&self, township: &str, role: Role) -> (String, String, String) {
            let admin = if township == A {
                &self.admin_a
            } else {
                &self.admin_b
            };
            let name = uniq("mx_user");
            let r = self
                .app
                .send_as(
                    admin,
                    Method::POST,
                    "/api/v1/users",
                    Some(json!({
                    "username": name, "display_name": name, "password": "pass12345",
                    "role": role.as_str(), "jurisdiction": township})),
                )
                .await;
            assert_eq!(r.status(), 201, "create {role:?} user");
            let v = json_of(r).await;
            (
                v["id"].as_str().unwrap().into(),
                v["roles"][0]["id"].as_str().unwrap().into(),
                name,
            )
        }

        async fn token(&self, township: &str) -> String {
            let admin = if township == A {
                &self.admin_a
            } else {
                &self.admin_b
            };
            let r = self
                .app
                .send_as(admin, Method::POST, "/api/v1/integration-tokens", Some(json!({
                    "name": uniq("t"), "kind": "hotline", "jurisdiction": township, "permissions": []})))
                .await;
            assert_eq!(r.status(), 201);
            json_of(r).await["id"].as_str().unwrap().into()
        }
    }

    /// The request for a route against township A's objects (`own`) or B's.
    async fn request(
        ctx: &Ctx,
        method: &str,
        path: &str,
        own: bool,
    ) -> (Method, String, Option<Value>) {
        let t = if own { A } else { B };
        match (method, path) {
            ("get", "/api/v1/power-items/export") => {
                (Method::GET, format!("{path}?format=json"), None)
            }
            ("get", "/api/v1/devolutions/compare") => {
                (Method::GET, format!("{path}?townships={A},{B}"), None)
            }
            ("get", "/api/v1/power-items/{code}")
            | ("get", "/api/v1/power-items/{code}/flowchart.svg")
            | ("get", "/api/v1/power-items/{code}/versions") => {
                (Method::GET, path.replace("{code}", &ctx.item), None)
            }
            ("get", "/api/v1/power-items/{code}/diff") => (
                Method::GET,
                format!("/api/v1/power-items/{}/diff?from=1&to=1", ctx.item),
                None,
            ),
            ("get", "/api/v1/power-items/{code}/basis") => (
                Method::GET,
                format!("/api/v1/power-items/{}/basis?act_date=2025-01-01", ctx.item),
                None,
            ),
            ("get", "/api/v1/townships/{township}/power-items/{code}") => (
                Method::GET,
                format!(
                    "/api/v1/townships/{t}/power-items/{}",
                    ctx.item_held_by_both
                ),
                None,
            ),
            ("post", "/api/v1/power-items") | ("put", "/api/v1/power-items/{code}") => {
                let mut item = ctx.item_body.clone();
                let code = if method == "post" {
                    uniq("MX-")
                } else {
                    ctx.item.clone()
                };
                item["code"] = json!(code);
                item["name"] = json!(uniq("矩阵测试事项"));
                (
                    if method == "post" {
                        Method::POST
                    } else {
                        Method::PUT
                    },
                    path.replace("{code}", &code),
                    Some(json!({"item": item, "reason": "测试"})),
                )
            }
            ("post", "/api/v1/power-items/import") => {
                (Method::POST, format!("{path}?dry_run=true"), None)
            }
            ("post", "/api/v1/devolutions") => (
                Method::POST,
                path.into(),
                Some(
                    json!({"township": t, "item_code": ctx.item, "decision_no": "测试〔2026〕1号", "decision_date": "2026-01-01", "from_department": "宁陵县城市管理局"}),
                ),
            ),
            ("post", "/api/v1/cases") => (
                Method::POST,
                path.into(),
                Some(json!({"township": t, "item_code": ctx.item_held_by_both,
                    "title": "矩阵测试案", "act_date": "2026-09-01"})),
            ),
            ("get", "/api/v1/cases/{id}") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (Method::GET, format!("/api/v1/cases/{id}"), None)
            }
            ("put", "/api/v1/cases/{id}/party") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (
                    Method::PUT,
                    format!("/api/v1/cases/{id}/party"),
                    Some(
                        json!({"kind": "person", "name": "矩阵当事人", "id_number": "11010519491231002X"}),
                    ),
                )
            }
            // refused by the rules for want of a second officer (or a party)
            ("post", "/api/v1/cases/{id}/actions") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (
                    Method::POST,
                    format!("/api/v1/cases/{id}/actions"),
                    Some(
                        json!({"action": "investigate", "kind": "矩阵检查", "officers": [ctx.staff_a], "credentials_shown": true}),
                    ),
                )
            }
            // refused by the rules for want of a second officer
            ("post", "/api/v1/cases/summary") => (
                Method::POST,
                path.into(),
                Some(json!({"township": t, "item_code": ctx.item_held_by_both,
                    "title": "矩阵当场处罚", "party": {"kind": "person", "name": "矩阵当事人",
                        "id_number": "11010519491231002X"},
                    "officers": [ctx.staff_a], "credentials_shown": true, "facts_certain": true,
                    "violation": "矩阵违法行为", "penalty": {"fine": 5000}, "basis": "矩阵依据",
                    "correction": "立即改正", "place": "矩阵地点", "remedies": "矩阵救济",
                    "signature": "signed"})),
            ),
            // refused by the rules: the case was not decided on the spot
            ("post", "/api/v1/cases/{id}/summary/filing") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (
                    Method::POST,
                    format!("/api/v1/cases/{id}/summary/filing"),
                    Some(json!({})),
                )
            }
            ("post", "/api/v1/cases/{id}/discretion") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (
                    Method::POST,
                    format!("/api/v1/cases/{id}/discretion"),
                    Some(json!({"tier": 0, "fine": 5000})),
                )
            }
            ("get", "/api/v1/cases/{id}/transfer") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (Method::GET, format!("/api/v1/cases/{id}/transfer"), None)
            }
            // refused by the rules: one officer, or no transfer reported
            ("post", p) if p.starts_with("/api/v1/cases/{id}/transfer") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                let body = match p.rsplit('/').next().unwrap_or("") {
                    "transfer" => json!({"officers": [ctx.staff_a], "summary": "矩阵测试"}),
                    "decision" => json!({"approved": true}),
                    "send" => json!({"police": "411423-GA", "document": "矩阵1号", "package": {
                        "transfer_letter": true, "investigation_report": true, "item_list": true,
                        "appraisals_made": false, "appraisal_reports": false}}),
                    "supervision" => json!({"procuratorate": "411423-JC", "document": "矩阵1号"}),
                    "handover" => json!({"items": ["矩阵物品"], "document": "矩阵1号"}),
                    _ => json!({"document": "矩阵1号"}),
                };
                (Method::POST, p.replace("{id}", id), Some(body))
            }
            // nothing was sent to a fresh liaison's agency
            ("get", "/api/v1/partner/transfers/{id}") => (
                Method::GET,
                "/api/v1/partner/transfers/no-such-transfer".into(),
                None,
            ),
            ("post", p) if p.starts_with("/api/v1/partner/transfers/{id}/") => (
                Method::POST,
                p.replace("{id}", "no-such-transfer"),
                Some(json!({"opened": false, "to": "矩阵机关", "document": "矩阵1号"})),
            ),
            ("get", p) if p.starts_with("/api/v1/partner/transfers/{id}/documents") => (
                Method::GET,
                p.replace("{id}", "no-such-transfer")
                    .replace("{doc_id}", "no-such-document"),
                None,
            ),
            ("post", p)
                if p.starts_with("/api/v1/partner/assistance/")
                    || p.starts_with("/api/v1/partner/joint-investigations/") =>
            {
                (
                    Method::POST,
                    p.replace("{id}", "no-such-record"),
                    Some(json!({"granted": true, "text": "矩阵调查情况"})),
                )
            }
            ("get", "/api/v1/cases/{id}/assistance")
            | ("get", "/api/v1/cases/{id}/joint-investigations") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (Method::GET, path.replace("{id}", id), None)
            }
            ("post", "/api/v1/cases/{id}/assistance") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (
                    Method::POST,
                    path.replace("{id}", id),
                    Some(json!({"to_agency": "411423-SJ", "matter": "矩阵协助事项"})),
                )
            }
            ("post", "/api/v1/cases/{id}/joint-investigations") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (
                    Method::POST,
                    path.replace("{id}", id),
                    Some(json!({"subject": "矩阵联合调查", "agencies": ["411423-SJ"]})),
                )
            }
            // no such joint investigation: 404 once the case is reached
            ("post", "/api/v1/cases/{id}/joint-investigations/{joint_id}/conclusion") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (
                    Method::POST,
                    path.replace("{id}", id)
                        .replace("{joint_id}", "no-such-joint"),
                    Some(json!({"conclusion": "矩阵结论"})),
                )
            }
            ("put", "/api/v1/partner-liaisons/{id}") => {
                let id = ctx.user(t, Role::AgencyLiaison).await.0;
                (
                    Method::PUT,
                    format!("/api/v1/partner-liaisons/{id}"),
                    Some(json!({"agency": "411423-GA"})),
                )
            }
            // A's demo legal reviewer, or a user of B
            ("put", "/api/v1/legal-reviewers/{id}") => {
                let id = if own {
                    json_of(
                        ctx.app
                            .get_as(&ctx.admin_a, "/api/v1/users?q=reviewer")
                            .await,
                    )
                    .await["items"][0]["id"]
                        .as_str()
                        .expect("the demo reviewer")
                        .to_string()
                } else {
                    ctx.officer_b_id.clone()
                };
                (
                    Method::PUT,
                    format!("/api/v1/legal-reviewers/{id}"),
                    Some(
                        json!({"qualification": "A20224114230012", "reviewing_since": "2022-03-01"}),
                    ),
                )
            }
            ("get", "/api/v1/locate") => (
                Method::GET,
                format!("{path}?lon={}&lat={}", ctx.point_a.0, ctx.point_a.1),
                None,
            ),
            ("get", "/api/v1/grids") => (Method::GET, format!("{path}?format=geojson"), None),
            ("post", "/api/v1/reports") => {
                let p = if own { ctx.point_a } else { ctx.point_b };
                (
                    Method::POST,
                    path.into(),
                    Some(
                        json!({"channel": "grid_worker", "description": "矩阵测试", "lon": p.0, "lat": p.1}),
                    ),
                )
            }
            ("get", "/api/v1/reports/{id}") => {
                let id = if own { &ctx.report_a } else { &ctx.report_b };
                (Method::GET, format!("/api/v1/reports/{id}"), None)
            }
            ("post", "/api/v1/public/complaints") => (
                Method::POST,
                path.into(),
                Some(
                    json!({"description": "矩阵测试：噪声", "lon": ctx.point_a.0, "lat": ctx.point_a.1}),
                ),
            ),
            ("get", "/api/v1/public/complaints/{code}") => (
                Method::GET,
                format!("/api/v1/public/complaints/{}", ctx.tracking),
                None,
            ),
            ("post", "/api/v1/reports/import") => (
                Method::POST,
                format!("{path}?dry_run=true"),
                Some(json!({"工单编号": "matrix"})),
            ),
            ("post", "/api/v1/reports/{id}/requests") => {
                let id = if own { &ctx.report_a } else { &ctx.report_b };
                (
                    Method::POST,
                    format!("/api/v1/reports/{id}/requests"),
                    Some(json!({"kind": "pause", "reason": "矩阵测试"})),
                )
            }
            ("post", "/api/v1/reports/{id}/requests/{request_id}/decision") => {
                let id = if own { &ctx.report_a } else { &ctx.report_b };
                (
                    Method::POST,
                    format!("/api/v1/reports/{id}/requests/no-such-request/decision"),
                    Some(json!({"approve": true})),
                )
            }
            ("post", "/api/v1/reports/{id}/resume") => {
                let id = if own { &ctx.report_a } else { &ctx.report_b };
                (
                    Method::POST,
                    format!("/api/v1/reports/{id}/resume"),
                    Some(json!({})),
                )
            }
            ("post", "/api/v1/reports/{id}/supervision") => {
                let id = if own { &ctx.report_a } else { &ctx.report_b };
                (
                    Method::POST,
                    format!("/api/v1/reports/{id}/supervision"),
                    Some(json!({"note": "矩阵测试"})),
                )
            }
            ("put", "/api/v1/calendar/{year}") => (
                Method::PUT,
                "/api/v1/calendar/2030".into(),
                Some(json!({"year": 2030, "holidays": ["2030-01-01"], "workdays": []})),
            ),
            ("post", "/api/v1/reports/{id}/actions") => {
                let id = if own { &ctx.report_a } else { &ctx.report_b };
                (
                    Method::POST,
                    format!("/api/v1/reports/{id}/actions"),
                    Some(json!({"action": "dispatch"})),
                )
            }
            ("post", "/api/v1/grids/import") => (
                Method::POST,
                format!("{path}?dry_run=true"),
                Some(
                    json!({"type": "FeatureCollection", "features": [{"type": "Feature",
                    "properties": {"code": uniq("MXG-"), "name": "矩阵网格", "parent": t},
                    "geometry": {"type": "Polygon", "coordinates": [[[115.30, 34.40], [115.301, 34.40], [115.301, 34.401], [115.30, 34.40]]]}}]}),
                ),
            ),
            ("post", "/api/v1/grids/{code}/assignments") => {
                let g = if own { &ctx.grid_a } else { &ctx.grid_b };
                (
                    Method::POST,
                    format!("/api/v1/grids/{g}/assignments"),
                    Some(json!({"kind": "officer", "staff_id": ctx.staff_a})),
                )
            }
            ("get", "/api/v1/grids/{code}/assignments") => {
                let g = if own { &ctx.grid_a } else { &ctx.grid_b };
                (Method::GET, format!("/api/v1/grids/{g}/assignments"), None)
            }
            ("post", "/api/v1/duty-requests") => (
                Method::POST,
                path.into(),
                Some(
                    json!({"township": t, "department": "宁陵县市场监督管理局", "task": "协助检查", "item_code": ctx.item}),
                ),
            ),
            // needs its township; the other lists answer without one
            ("get", "/api/v1/duty/now") => (Method::GET, format!("{path}?township={t}"), None),
            ("get", p)
                if !p.contains('{')
                    && !p.starts_with("/api/v1/org-units")
                    && !p.starts_with("/api/v1/staff") =>
            {
                (Method::GET, p.to_string(), None)
            }
            ("post", "/api/v1/login") => (
                Method::POST,
                path.into(),
                Some(json!({"username": "dispatcher", "password": "demo12345"})),
            ),
            ("post", "/api/v1/logout") => (Method::POST, path.into(), None),
            ("post", "/api/v1/me/password") => (
                Method::POST,
                path.into(),
                Some(json!({"current_password": "pass12345", "new_password": "pass12345"})),
            ),
            ("post", "/api/v1/users") => {
                let n = uniq("mx_new");
                (
                    Method::POST,
                    path.into(),
                    Some(
                        json!({"username": n, "display_name": n, "password": "pass12345", "role": "officer", "jurisdiction": t}),
                    ),
                )
            }
            ("get", "/api/v1/users/{id}") => {
                let id = if own {
                    ctx.user(A, Role::Officer).await.0
                } else {
                    ctx.officer_b_id.clone()
                };
                (Method::GET, format!("/api/v1/users/{id}"), None)
            }
            ("post", "/api/v1/users/{id}/roles") => {
                let id = if own {
                    ctx.user(A, Role::Officer).await.0
                } else {
                    ctx.officer_b_id.clone()
                };
                (
                    Method::POST,
                    format!("/api/v1/users/{id}/roles"),
                    Some(json!({"role": "grid_worker", "jurisdiction": t})),
                )
            }
            ("delete", "/api/v1/users/{id}/roles/{role_id}") => {
                let (id, role) = if own {
                    let (id, role, _) = ctx.user(A, Role::Officer).await;
                    (id, role)
                } else {
                    (ctx.officer_b_id.clone(), ctx.officer_b_role.clone())
                };
                (
                    Method::DELETE,
                    format!("/api/v1/users/{id}/roles/{role}"),
                    None,
                )
            }
            ("post", "/api/v1/users/{id}/password") => {
                let id = if own {
                    ctx.user(A, Role::Officer).await.0
                } else {
                    ctx.officer_b_id.clone()
                };
                (
                    Method::POST,
                    format!("/api/v1/users/{id}/password"),
                    Some(json!({"new_password": "pass12345"})),
                )
            }
            ("post", "/api/v1/integration-tokens") => (
                Method::POST,
                path.into(),
                Some(
                    json!({"name": uniq("t"), "kind": "camera", "jurisdiction": t, "permissions": []}),
                ),
            ),
            ("delete", "/api/v1/integration-tokens/{id}") => {
                let id = if own {
                    ctx.token(A).await
                } else {
                    ctx.token_b.clone()
                };
                (
                    Method::DELETE,
                    format!("/api/v1/integration-tokens/{id}"),
                    None,
                )
            }
            ("get", "/api/v1/org-units") | ("get", "/api/v1/staff") => {
                (Method::GET, format!("{path}?township={t}"), None)
            }
            ("post", "/api/v1/jurisdictions") => {
                let n = SEQ.fetch_add(1, Ordering::SeqCst);
                (
                    Method::POST,
                    path.into(),
                    Some(
                        json!({"code": format!("{t}{:03}", 500 + n % 400), "name": format!("测试村{n}"), "level": "village", "parent": t}),
                    ),
                )
            }
            ("post", "/api/v1/org-units") => (
                Method::POST,
                path.into(),
                Some(
                    json!({"code": uniq(&format!("{t}-T")), "name": "测试中队", "kind": "squad", "jurisdiction": t}),
                ),
            ),
            ("post", "/api/v1/staff") => (
                Method::POST,
                path.into(),
                Some(json!({"name": "测试人员", "post": "officer", "jurisdiction": t})),
            ),
            ("get", "/api/v1/staff/{id}") => {
                let id = if own { &ctx.staff_a } else { &ctx.staff_b };
                (Method::GET, format!("/api/v1/staff/{id}"), None)
            }
            ("post", "/api/v1/staff/{id}/credentials") => {
                let id = if own { &ctx.staff_a } else { &ctx.staff_b };
                (
                    Method::POST,
                    format!("/api/v1/staff/{id}/credentials"),
                    Some(
                        json!({"number": uniq("CRED"), "issuer": "宁陵县人民政府", "fields": ["综合行政执法"],
                        "valid_from": "2025-01-01", "valid_until": "2030-12-31"}),
                    ),
                )
            }
            ("post", "/api/v1/duty/roster") => {
                let leader = if own {
                    duty_leader_a(ctx).await
                } else {
                    ctx.staff_b.clone()
                };
                let staff = if own { &ctx.staff_a } else { &ctx.staff_b };
                (
                    Method::POST,
                    path.into(),
                    Some(json!({"township": t, "entries": duty_night(&leader, staff)})),
                )
            }
            ("delete", "/api/v1/duty/roster/{id}") => {
                let id = if own {
                    // a fresh entry of a future shift, rostered by A's dispatcher
                    let s = ctx.app.session("dispatcher").await;
                    let leader = duty_leader_a(ctx).await;
                    let r = ctx
                        .app
                        .send_as(&s, Method::POST, "/api/v1/duty/roster",
                            Some(json!({"township": A, "entries": duty_night(&leader, &ctx.staff_a)})))
                        .await;
                    assert_eq!(r.status(), 201, "roster for the delete recipe");
                    let v = json_of(r).await;
                    v["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|e| e["role"] == "officer")
                        .unwrap()["id"]
                        .as_str()
                        .unwrap()
                        .to_string()
                } else {
                    let v = json_of(
                        ctx.app
                            .get_as(
                                &ctx.admin_b,
                                &format!("/api/v1/duty/roster?township={B}&per_page=1"),
                            )
                            .await,
                    )
                    .await;
                    v["items"][0]["id"]
                        .as_str()
                        .expect("the demo rosters B")
                        .to_string()
                };
                (Method::DELETE, format!("/api/v1/duty/roster/{id}"), None)
            }
            ("post", "/api/v1/duty/handovers") => (
                Method::POST,
                path.into(),
                Some(json!({"township": t, "note": "矩阵测试：交接", "open_items": 1})),
            ),
            // the demo registers cameras <township>-SP01…03 in every township
            ("post", "/api/v1/cameras") => {
                let p = if own { ctx.point_a } else { ctx.point_b };
                (
                    Method::POST,
                    path.into(),
                    Some(
                        json!({"code": uniq("MXCAM-"), "name": "矩阵摄像头", "township": t,
                        "lon": p.0, "lat": p.1, "location": "矩阵测试路口"}),
                    ),
                )
            }
            ("get", "/api/v1/cameras/{code}") => {
                (Method::GET, format!("/api/v1/cameras/{t}-SP01"), None)
            }
            ("post", "/api/v1/cameras/{code}/review") => (
                Method::POST,
                format!("/api/v1/cameras/{t}-SP01/review"),
                Some(json!({"status": "reviewed", "note": "矩阵测试复核"})),
            ),
            ("post", "/api/v1/webhooks/camera") => (
                Method::POST,
                path.into(),
                Some(
                    json!({"camera": format!("{t}-SP01"), "event": "矩阵测试", "event_id": uniq("mx")}),
                ),
            ),
            ("get", "/api/v1/cases/{id}/documents")
            | ("get", "/api/v1/cases/{id}/evidence")
            | ("get", "/api/v1/cases/{id}/archive") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (Method::GET, path.replace("{id}", id), None)
            }
            ("post", "/api/v1/cases/{id}/documents") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (
                    Method::POST,
                    path.replace("{id}", id),
                    Some(json!({"kind": "penalty_decision", "fields": decision_fields()})),
                )
            }
            ("get", "/api/v1/cases/{id}/documents/{doc_id}") => {
                let (id, doc) = if own {
                    (&ctx.case_a, &ctx.doc_a)
                } else {
                    (&ctx.case_b, &ctx.doc_b)
                };
                (
                    Method::GET,
                    format!("/api/v1/cases/{id}/documents/{doc}"),
                    None,
                )
            }
            // sent as multipart by `send` (the body here only marks it)
            ("post", "/api/v1/cases/{id}/evidence") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (Method::POST, path.replace("{id}", id), None)
            }
            ("get", "/api/v1/cases/{id}/evidence/{evidence_id}") => {
                let (id, e) = if own {
                    (&ctx.case_a, &ctx.evidence_a)
                } else {
                    (&ctx.case_b, &ctx.evidence_b)
                };
                (
                    Method::GET,
                    format!("/api/v1/cases/{id}/evidence/{e}"),
                    None,
                )
            }
            // the evidence is a photo: refused by the rules (422 case.art41_*)
            ("post", "/api/v1/cases/{id}/evidence/{evidence_id}/review") => {
                let (id, e) = if own {
                    (&ctx.case_a, &ctx.evidence_a)
                } else {
                    (&ctx.case_b, &ctx.evidence_b)
                };
                (
                    Method::POST,
                    format!("/api/v1/cases/{id}/evidence/{e}/review"),
                    Some(
                        json!({"accurate": true, "complete": true, "party_informed_on": "2026-01-05"}),
                    ),
                )
            }
            // A's case is not decided: refused by the rules (409 disclosure.*)
            ("post", "/api/v1/cases/{id}/publication") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (Method::POST, path.replace("{id}", id), None)
            }
            // withdraws the publication of A's case (then: none in force)
            ("post", "/api/v1/cases/{id}/publication/withdrawal") => {
                let id = if own { &ctx.case_a } else { &ctx.case_b };
                (
                    Method::POST,
                    path.replace("{id}", id),
                    Some(
                        json!({"change": "revoked", "changed_on": "2026-01-05", "reasons": "矩阵测试：复议撤销"}),
                    ),
                )
            }
            ("get", "/api/v1/public/decisions/{id}") => {
                (Method::GET, path.replace("{id}", &ctx.publication), None)
            }
            ("put", "/api/v1/assessment/rules") => (
                Method::PUT,
                path.into(),
                Some(json!({"jurisdiction": t, "rules": {"base": 100, "rules": [
                    {"indicator": "overdue", "points": -2, "cap": 20}]}})),
            ),
            ("post", "/api/v1/assessment/runs") => (
                Method::POST,
                path.into(),
                Some(json!({"jurisdiction": t, "subject_kind": "squad",
                    "from": "2026-03-01", "to": "2026-03-31"})),
            ),
            ("get", "/api/v1/assessment/runs/{id}") => {
                let (run, _) = assessment_run(ctx, own).await;
                (Method::GET, path.replace("{id}", &run), None)
            }
            ("post", "/api/v1/assessment/runs/{id}/appeals") => {
                let (run, subject) = assessment_run(ctx, own).await;
                (
                    Method::POST,
                    path.replace("{id}", &run),
                    Some(json!({"subject": subject, "reason": "矩阵测试申诉"})),
                )
            }
            // a fresh appeal, filed by someone else of the township
            ("post", "/api/v1/assessment/appeals/{id}/resolve") => {
                let (run, subject) = assessment_run(ctx, own).await;
                let s = ctx
                    .app
                    .session(if own { "dispatcher" } else { "officer3" })
                    .await;
                let r = ctx
                    .app
                    .send_as(
                        &s,
                        Method::POST,
                        &format!("/api/v1/assessment/runs/{run}/appeals"),
                        Some(json!({"subject": subject, "reason": "矩阵测试申诉"})),
                    )
                    .await;
                assert_eq!(r.status(), 201, "an appeal for the resolve recipe");
                let id = json_of(r).await["id"].as_str().unwrap().to_string();
                (
                    Method::POST,
                    path.replace("{id}", &id),
                    Some(json!({"accepted": false, "reason": "矩阵测试决定"})),
                )
            }
            other => panic!("no request recipe for {other:?}"),
        }
    }

    /// A frozen assessment of the squads of A (`own`) or B, made by a
    /// brigade leader there (`Assess`), and its first result's subject.
    async fn assessment_run(ctx: &Ctx, own: bool) -> (String, String) {
        let t = if own { A } else { B };
        let (_, _, name) = ctx.user(t, Role::BrigadeLeader).await;
        let v = json_of(ctx.app.login(&name, "pass12345").await).await;
        let leader = Session {
            token: v["token"].as_str().unwrap().into(),
            csrf: v["csrf_token"].as_str().unwrap().into(),
        };
        let r = ctx
            .app
            .send_as(
                &leader,
                Method::POST,
                "/api/v1/assessment/runs",
                Some(json!({"jurisdiction": t, "subject_kind": "squad",
                    "from": "2026-03-01", "to": "2026-03-31"})),
            )
            .await;
        assert_eq!(r.status(), 201, "an assessment run of {t}");
        let v = json_of(r).await;
        let subject = v["results"][0]["subject"]
            .as_str()
            .expect("a squad")
            .to_string();
        (v["id"].as_str().unwrap().to_string(), subject)
    }

    /// The penalty decision's fields (the documents crate's fixture).
    fn decision_fields() -> Value {
        serde_json::from_str(include_str!(
            "../../documents/tests/fixtures/penalty_decision.json"
        ))
        .unwrap()
    }

    /// Sends a recipe: JSON, or for an evidence upload a multipart photo.
    async fn send(
        ctx: &Ctx,
        s: &Session,
        m: Method,
        url: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        if m == Method::POST && url.ends_with("/evidence") {
            let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
            let form = reqwest::multipart::Form::new().text("kind", "photo").part(
                "file",
                reqwest::multipart::Part::bytes(jpeg).file_name("矩阵照片.jpg"),
            );
            return ctx
                .app
                .client
                .post(ctx.app.url(url))
                .bearer_auth(&s.token)
                .multipart(form)
                .send()
                .await
                .expect("request");
        }
        ctx.app.send_as(s, m, url, body).await
    }

    /// Routes whose list answers cannot name a township: B's objects must simply be absent.
    fn list_leaks_b(path: &str, body: &str) -> bool {
        match path {
            "/api/v1/users" => body.contains("officer3") || body.contains("admin2"),
            "/api/v1/integration-tokens" | "/api/v1/audit" => body.contains(&format!("/{B}/")),
            "/api/v1/cases" => body.contains(&format!("\"township_code\":\"{B}\"")),
            "/api/v1/grids" | "/api/v1/reports" | "/api/v1/cameras" => {
                body.contains(&format!("\"township\":\"{B}\""))
            }
            "/api/v1/duty/roster" | "/api/v1/duty/handovers" => {
                body.contains(&format!("\"township\":\"{B}\""))
            }
            _ => false,
        }
    }

    /// Township A's brigade leader, who leads the matrix's duty shifts.
    async fn duty_leader_a(ctx: &Ctx) -> String {
        let v = json_of(
            ctx.app
                .get_as(
                    &ctx.admin_a,
                    &format!("/api/v1/staff?township={A}&post=brigade_leader&per_page=1"),
                )
                .await,
        )
        .await;
        v["items"][0]["id"].as_str().unwrap().to_string()
    }

    /// A leader and an officer on the night shift of a date no other call uses.
    fn duty_night(leader: &str, officer: &str) -> Value {
        let n = SEQ.fetch_add(1, Ordering::SeqCst);
        let date =
            chrono::NaiveDate::from_ymd_opt(2032, 1, 1).unwrap() + chrono::Days::new(n.into());
        json!([
            {"staff_id": leader, "date": date.to_string(), "shift": "night", "role": "leader"},
            {"staff_id": officer, "date": date.to_string(), "shift": "night", "role": "officer"},
        ])
    }

    async fn first_officer(app: &TestApp, s: &Session, t: &str) -> String {
        let v = json_of(
            app.get_as(
                s,
                &format!("/api/v1/staff?township={t}&post=officer&per_page=1"),
            )
            .await,
        )
        .await;
        v["items"][0]["id"].as_str().unwrap().to_string()
    }

    pub async fn matrix(db: &TestDb) {
        let app = spawn_demo(db).await;
        let admin_a = app.session("admin").await;
        let admin_b = app.session("admin2").await;
        let officer3 = json_of(app.get_as(&admin_b, "/api/v1/users?q=officer3").await).await;
        let mut ctx = Ctx {
            staff_a: first_officer(&app, &admin_a, A).await,
            staff_b: first_officer(&app, &admin_b, B).await,
            officer_b_id: officer3["items"][0]["id"].as_str().unwrap().into(),
            officer_b_role: officer3["items"][0]["roles"][0]["id"]
                .as_str()
                .unwrap()
                .into(),
            token_b: String::new(),
            item: String::new(),
            item_body: Value::Null,
            item_held_by_both: String::new(),
            case_a: String::new(),
            case_b: String::new(),
            grid_a: String::new(),
            grid_b: String::new(),
            point_a: (0.0, 0.0),
            point_b: (0.0, 0.0),
            report_a: String::new(),
            report_b: String::new(),
            tracking: String::new(),
            doc_a: String::new(),
            doc_b: String::new(),
            evidence_a: String::new(),
            evidence_b: String::new(),
            publication: String::new(),
            app,
            admin_a,
            admin_b,
        };
        ctx.token_b = ctx.token(B).await;
        let items = json_of(ctx.app.get("/api/v1/power-items?per_page=1").await).await;
        ctx.item = items["items"][0]["code"]
            .as_str()
            .expect("the demo list has items")
            .to_string();
        ctx.item_body = json_of(
            ctx.app
                .get(&format!("/api/v1/power-items/{}", ctx.item))
                .await,
        )
        .await["item"]
            .clone();
        let cmp = json_of(
            ctx.app
                .get(&format!("/api/v1/devolutions/compare?townships={A},{B}"))
                .await,
        )
        .await;
        ctx.item_held_by_both = cmp["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["held"][0] == true && r["held"][1] == true)
            .unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string();
        for (admin, t) in [(&ctx.admin_a, A), (&ctx.admin_b, B)] {
            let v = json_of(
                ctx.app
                    .get_as(admin, &format!("/api/v1/grids?format=geojson&township={t}"))
                    .await,
            )
            .await;
            let f = &v["features"][0];
            let code = f["properties"]["code"].as_str().unwrap().to_string();
            let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
            let n = (ring.len() - 1) as f64;
            let avg = |k: usize| {
                ring[..ring.len() - 1]
                    .iter()
                    .map(|p| p[k].as_f64().unwrap())
                    .sum::<f64>()
                    / n
            };
            if t == B {
                ctx.point_b = (avg(0), avg(1));
            }
            if t == A {
                ctx.point_a = (avg(0), avg(1));
                ctx.grid_a = code;
            } else {
                ctx.grid_b = code;
            }
        }
        for (user, t) in [("gridworker", A), ("officer3", B)] {
            let s = ctx.app.session(user).await;
            let p = if t == A { ctx.point_a } else { ctx.point_b };
            let r = ctx
                .app
                .send_as(&s, reqwest::Method::POST, "/api/v1/reports",
                    Some(json!({"channel": "grid_worker", "description": "矩阵测试：占道经营", "lon": p.0, "lat": p.1})))
                .await;
            assert_eq!(r.status(), 201, "{user} reports");
            let id = json_of(r).await["id"].as_str().unwrap().to_string();
            if t == A {
                ctx.report_a = id;
            } else {
                ctx.report_b = id;
            }
        }
        let r = ctx
            .app
            .client
            .post(ctx.app.url("/api/v1/public/complaints"))
            .json(&json!({"description": "矩阵测试：路灯不亮", "lon": ctx.point_a.0, "lat": ctx.point_a.1}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "a public complaint");
        ctx.tracking = json_of(r).await["tracking_code"]
            .as_str()
            .unwrap()
            .to_string();
        for (user, t) in [("officer", A), ("officer3", B)] {
            let s = ctx.app.session(user).await;
            let r = ctx
                .app
                .send_as(
                    &s,
                    reqwest::Method::POST,
                    "/api/v1/cases",
                    Some(json!({"township": t, "item_code": ctx.item_held_by_both,
                        "title": "矩阵测试案", "act_date": "2026-09-01"})),
                )
                .await;
            assert_eq!(r.status(), 201, "{user} files a case");
            let id = json_of(r).await["id"].as_str().unwrap().to_string();
            if t == A {
                ctx.case_a = id;
            } else {
                ctx.case_b = id;
            }
        }
        for (user, t) in [("officer", A), ("officer3", B)] {
            let s = ctx.app.session(user).await;
            let case = if t == A { &ctx.case_a } else { &ctx.case_b }.clone();
            let r = ctx
                .app
                .send_as(
                    &s,
                    Method::POST,
                    &format!("/api/v1/cases/{case}/documents"),
                    Some(json!({"kind": "penalty_decision", "fields": decision_fields()})),
                )
                .await;
            assert_eq!(r.status(), 201, "{user} makes a document");
            let doc = json_of(r).await["id"].as_str().unwrap().to_string();
            let r = send(
                &ctx,
                &s,
                Method::POST,
                &format!("/api/v1/cases/{case}/evidence"),
                None,
            )
            .await;
            assert_eq!(r.status(), 201, "{user} uploads evidence");
            let e = json_of(r).await["items"][0]["id"]
                .as_str()
                .unwrap()
                .to_string();
            if t == A {
                (ctx.doc_a, ctx.evidence_a) = (doc, e);
            } else {
                (ctx.doc_b, ctx.evidence_b) = (doc, e);
            }
        }
        // A publication of A's case, stored as publishing stores it (the
        // case is not decided: the publish route itself refuses it).
        {
            let mut conn = db.store.acquire().await.unwrap();
            let scope = domain::access::Scope::system(domain::access::Permission::ViewCases);
            let case = store::cases::case_in(&mut conn, &scope, &ctx.case_a)
                .await
                .unwrap();
            let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
            let decision = domain::case::disclosure::PublishedDecision {
                number: "宁城关罚决字〔2026〕第9001号".into(),
                party_name: "矩阵当事人".into(),
                party_id: "110105********002X".into(),
                party_address: "北京市朝阳区****".into(),
                representative: None,
                facts: "矩阵测试".into(),
                penalty: "警告".into(),
                basis: vec!["《测试条例》第十条".into()],
                agency: "宁陵县城关回族镇人民政府".into(),
                decided_on: day,
                published_on: day,
                late: false,
            };
            ctx.publication = store::disclosure::insert(
                &mut conn,
                store::disclosure::NewPublication {
                    case_id: &case.id,
                    township_id: &case.township_id,
                    publish_by: day,
                    decision: &decision,
                    published_by: "matrix",
                },
            )
            .await
            .unwrap()
            .id;
        }
        // B's audit log must hold something for the absence check to mean anything.
        assert_eq!(
            ctx.app
                .get_as(&ctx.admin_b, &format!("/api/v1/staff/{}", ctx.staff_b))
                .await
                .status(),
            200
        );

        let mut checked = 0;
        for role in Role::ALL {
            // One user per role in township A.
            let (_, _, name) = ctx.user(A, role).await;
            let session = {
                let r = ctx.app.login(&name, "pass12345").await;
                assert_eq!(r.status(), 200);
                let v = json_of(r).await;
                Session {
                    token: v["token"].as_str().unwrap().into(),
                    csrf: v["csrf_token"].as_str().unwrap().into(),
                }
            };
            for (method, path, access) in ROUTES {
                // Routes that end or change the caller's own session get a throwaway login.
                let throwaway = matches!(*path, "/api/v1/logout" | "/api/v1/me/password");
                let s = if throwaway {
                    let (_, _, n) = ctx.user(A, role).await;
                    let v = json_of(ctx.app.login(&n, "pass12345").await).await;
                    Session {
                        token: v["token"].as_str().unwrap().into(),
                        csrf: String::new(),
                    }
                } else {
                    Session {
                        token: session.token.clone(),
                        csrf: session.csrf.clone(),
                    }
                };
                let allowed = match access {
                    Access::Public | Access::Authenticated => true,
                    Access::Needs(p) => role.permissions().contains(p),
                    Access::County(_) => false,
                    Access::Partner(p) => role.permissions().contains(p),
                };
                let (m, url, body) = request(&ctx, method, path, true).await;
                let r = send(&ctx, &s, m.clone(), &url, body).await;
                let status = r.status().as_u16();
                // The camera webhook answers to its signature, not to a role:
                // a session's unsigned call is refused as unsigned.
                if *path == "/api/v1/webhooks/camera" {
                    let p = problem(r, 401).await;
                    assert_eq!(p["code"], "webhook.signature", "{role:?} {m} {url}");
                    checked += 1;
                    continue;
                }
                if let Access::Partner(_) = access {
                    if !allowed {
                        let p = problem(r, 403).await;
                        assert_eq!(p["code"], "access.forbidden", "{role:?} {m} {url}");
                    } else if path.contains('{') {
                        let p = problem(r, 404).await;
                        assert_eq!(p["code"], "not_found", "{role:?} {m} {url}");
                    } else {
                        assert_eq!(status, 200, "{role:?} {m} {url}");
                        let v: Value = r.json().await.unwrap();
                        assert_eq!(v["total"], 0, "{role:?} {m} {url}: {v}");
                    }
                    checked += 1;
                    continue;
                }
                // The closed loop decides which role takes which step: a
                // permitted caller may still meet a `report.*` refusal.
                let step_refused = (path.starts_with("/api/v1/reports/{id}/")
                    || *path == "/api/v1/cases/{id}/actions"
                    || *path == "/api/v1/cases/summary"
                    || path.starts_with("/api/v1/cases/{id}/summary")
                    || *path == "/api/v1/cases/{id}/discretion"
                    || *path == "/api/v1/cases/{id}/evidence/{evidence_id}/review"
                    || path.starts_with("/api/v1/cases/{id}/transfer")
                    || path.starts_with("/api/v1/cases/{id}/publication")
                    || path.starts_with("/api/v1/cases/{id}/joint-investigations/"))
                    && *method == "post"
                    && !(200..300).contains(&status);
                if allowed && step_refused {
                    let p = problem(r, status).await;
                    let code = p["code"].as_str().unwrap_or("");
                    // the decision route is called with no such request
                    let missing = (path.ends_with("/decision") || path.ends_with("/conclusion"))
                        && code == "not_found";
                    assert!(
                        code.starts_with("report.")
                            || code.starts_with("case.")
                            || code.starts_with("disclosure.")
                            || missing,
                        "{role:?} {m} {url}: {p}"
                    );
                } else if allowed {
                    assert!(
                        (200..300).contains(&status),
                        "{role:?} {m} {url}: expected success, got {status}"
                    );
                    // an event stream never ends: its status is the answer
                    let text = if path.ends_with("/stream") {
                        String::new()
                    } else {
                        r.text().await.unwrap()
                    };
                    assert!(
                        !list_leaks_b(path, &text),
                        "{role:?} {m} {url}: township B's objects leaked"
                    );
                } else {
                    let p = problem(r, 403).await;
                    let expected = match access {
                        Access::County(p)
                            if role.permissions().contains(p) && path.contains("/calendar") =>
                        {
                            "calendar.county_only"
                        }
                        Access::County(p)
                            if role.permissions().contains(p)
                                && path.starts_with("/api/v1/partner-liaisons") =>
                        {
                            "access.out_of_jurisdiction"
                        }
                        Access::County(p) if role.permissions().contains(p) => {
                            "powerlist.county_only"
                        }
                        _ => "access.forbidden",
                    };
                    assert_eq!(p["code"], expected, "{role:?} {m} {url}");
                }
                checked += 1;
                // a hotline batch names the rows outside the caller's
                // jurisdiction instead (tests/hotline.rs)
                let scoped = matches!(access, Access::Needs(_))
                    && *path != "/api/v1/reports/import"
                    && (path.contains('{')
                        || *method != "get"
                        || path.starts_with("/api/v1/org-units")
                        || path.starts_with("/api/v1/staff"));
                if scoped {
                    let (m, url, body) = request(&ctx, method, path, false).await;
                    let r = send(&ctx, &s, m.clone(), &url, body).await;
                    let p = problem(r, 403).await;
                    let code = p["code"].as_str().unwrap();
                    assert!(
                        code == "access.out_of_jurisdiction" || code == "access.forbidden",
                        "{role:?} {m} {url}: {code}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > Role::ALL.len() * ROUTES.len(), "{checked} checks");
    }
}

store::both_databases!(crate::cases => matrix);

#[test]
fn every_role_is_exercised() {
    // The matrix creates one user per role; this keeps the list honest.
    assert_eq!(Role::ALL.len(), 10);
}

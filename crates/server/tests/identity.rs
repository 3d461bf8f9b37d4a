//! Login, sessions, tokens, throttling, passwords and the audit of personal
//! data reads: every case on SQLite and PostgreSQL.

mod common;

mod cases {
    use super::common::*;
    use reqwest::Method;
    use serde_json::json;
    use store::testing::TestDb;

    pub async fn login_returns_a_token_and_a_hardened_cookie(db: &TestDb) {
        let app = spawn_demo(db).await;
        let r = app.login("officer", "demo12345").await;
        assert_eq!(r.status(), 200);
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.starts_with("yiwang_session=yws_"), "{cookie}");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["user"]["username"], "officer");
        assert_eq!(body["user"]["roles"][0]["role"], "officer");
        assert_eq!(body["user"]["roles"][0]["jurisdiction_code"], "411423100");
        let s = app.session("officer").await;
        let me: serde_json::Value = app.get_as(&s, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["username"], "officer");
    }

    pub async fn bad_credentials_are_refused_and_change_nothing(db: &TestDb) {
        let app = spawn_demo(db).await;
        let body = problem(app.login("officer", "wrong-password1").await, 401).await;
        assert_eq!(body["code"], "auth.bad_credentials");
        let body = problem(app.login("nobody", "demo12345").await, 401).await;
        assert_eq!(
            body["code"], "auth.bad_credentials",
            "unknown user looks the same"
        );
        let body = problem(app.login("", "x").await, 422).await;
        assert_eq!(body["field"], "username");
        let r = app
            .client
            .post(app.url("/api/v1/login"))
            .header("content-type", "application/json")
            .body(r#"{"username": "officer", "password": 5}"#)
            .send()
            .await
            .unwrap();
        let body = problem(r, 422).await;
        assert_eq!(body["field"], "password");
        let r = app
            .client
            .post(app.url("/api/v1/login"))
            .header("content-type", "application/json")
            .body("{\"username\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(problem(r, 400).await["code"], "body.syntax");
        let r = app
            .client
            .post(app.url("/api/v1/login"))
            .body("username=x")
            .send()
            .await
            .unwrap();
        assert_eq!(problem(r, 400).await["code"], "body.content_type");
        // still works afterwards
        app.session("officer").await;
    }

    pub async fn oversize_bodies_are_refused(db: &TestDb) {
        let app = spawn_demo(db).await;
        // declared larger than the 16 MiB limit: refused before it is read
        let answer = app
            .post_declaring(
                "/api/v1/login",
                "Content-Type: application/json\r\n",
                17 * 1024 * 1024,
            )
            .await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("body.too_large"), "{answer}");
        assert!(answer.contains("application/problem+json"), "{answer}");
        // still works afterwards
        app.session("officer").await;
    }

    pub async fn malformed_and_unknown_tokens_are_refused(db: &TestDb) {
        let app = spawn_demo(db).await;
        let body = problem(app.get("/api/v1/me").await, 401).await;
        assert_eq!(body["code"], "auth.required");
        let r = app
            .client
            .get(app.url("/api/v1/me"))
            .header("Authorization", "Basic abc")
            .send()
            .await
            .unwrap();
        assert_eq!(problem(r, 401).await["code"], "auth.malformed_token");
        let r = app
            .client
            .get(app.url("/api/v1/me"))
            .bearer_auth("yws_short")
            .send()
            .await
            .unwrap();
        assert_eq!(problem(r, 401).await["code"], "auth.malformed_token");
        let r = app
            .client
            .get(app.url("/api/v1/me"))
            .bearer_auth(format!("yws_{}", "a".repeat(64)))
            .send()
            .await
            .unwrap();
        assert_eq!(problem(r, 401).await["code"], "auth.invalid_token");
    }

    pub async fn logout_revokes_the_token(db: &TestDb) {
        let app = spawn_demo(db).await;
        let s = app.session("officer").await;
        let r = app.send_as(&s, Method::POST, "/api/v1/logout", None).await;
        assert_eq!(r.status(), 204);
        let body = problem(app.get_as(&s, "/api/v1/me").await, 401).await;
        assert_eq!(body["code"], "auth.revoked");
    }

    pub async fn expired_sessions_are_refused(db: &TestDb) {
        let app = spawn_demo(db).await;
        let s = app.session("officer").await;
        assert_eq!(app.get_as(&s, "/api/v1/me").await.status(), 200);
        let digest = store::identity::token_digest(&s.token);
        let mut c = db.store.acquire().await.unwrap();
        sqlx::query(
            "UPDATE sessions SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE token_hash = $1",
        )
        .bind(&digest)
        .execute(&mut *c)
        .await
        .unwrap();
        // changed behind the server's back (as another instance would):
        // seen once the session resolved a moment ago has aged out of the
        // cache (`session_cache_ms`, one second by default)
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let body = problem(app.get_as(&s, "/api/v1/me").await, 401).await;
        assert_eq!(body["code"], "auth.expired");
    }

    /// Sessions are kept in memory for a while (`session_cache_ms`, here a
    /// minute), yet a session past its expiry is refused at once, and a
    /// role withdrawn through this instance no longer counts at once.
    pub async fn cached_sessions_still_expire_and_lose_withdrawn_roles_at_once(db: &TestDb) {
        let key = store::audit::load_or_create_key(db.dir.path(), None).unwrap();
        demo::seed(&db.store, &key).await.unwrap();
        let mut settings = test_settings(db);
        settings.session_cache_ms = 60_000;
        let app = spawn_with(settings, db.store.clone()).await;

        let s = app.session("squadleader").await;
        let soon = chrono::Utc::now() + chrono::Duration::seconds(2);
        let mut c = db.store.acquire().await.unwrap();
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2")
            .bind(domain::time::to_storage(soon))
            .bind(store::identity::token_digest(&s.token))
            .execute(&mut *c)
            .await
            .unwrap();
        assert_eq!(
            app.get_as(&s, "/api/v1/me").await.status(),
            200,
            "resolved and kept"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
        let body = problem(app.get_as(&s, "/api/v1/me").await, 401).await;
        assert_eq!(
            body["code"], "auth.expired",
            "the kept session expires on time"
        );

        let officer = app.session("officer").await;
        assert_eq!(app.get_as(&officer, "/api/v1/reports").await.status(), 200);
        let me: serde_json::Value = app
            .get_as(&officer, "/api/v1/me")
            .await
            .json()
            .await
            .unwrap();
        let admin = app.session("countyadmin").await;
        for role in me["roles"].as_array().unwrap() {
            let path = format!(
                "/api/v1/users/{}/roles/{}",
                me["id"].as_str().unwrap(),
                role["id"].as_str().unwrap()
            );
            let r = app.send_as(&admin, Method::DELETE, &path, None).await;
            assert_eq!(r.status(), 204, "{path}");
        }
        let body = problem(app.get_as(&officer, "/api/v1/reports").await, 403).await;
        assert_eq!(body["code"], "access.forbidden", "{body}");
    }

    pub async fn repeated_failures_are_throttled_per_account(db: &TestDb) {
        let app = spawn_demo(db).await;
        for _ in 0..5 {
            problem(app.login("officer2", "wrong-pass1").await, 401).await;
        }
        // even the right password is refused while throttled
        let r = app.login("officer2", "demo12345").await;
        assert_eq!(r.headers()["retry-after"], "900");
        assert_eq!(problem(r, 429).await["code"], "auth.throttled");
        // another account from the same address is not yet affected
        assert_eq!(app.login("officer", "demo12345").await.status(), 200);
    }

    pub async fn repeated_failures_are_throttled_per_address(db: &TestDb) {
        let app = spawn_demo(db).await;
        for i in 0..20 {
            problem(app.login(&format!("ghost{i}"), "wrong-pass1").await, 401).await;
        }
        let r = app.login("officer", "demo12345").await;
        assert_eq!(problem(r, 429).await["code"], "auth.throttled");
    }

    pub async fn cookie_sessions_need_the_csrf_token(db: &TestDb) {
        let app = spawn_demo(db).await;
        let s = app.session("officer").await;
        let cookie = format!("yiwang_session={}", s.token);
        // reading with the cookie works
        let r = app
            .client
            .get(app.url("/api/v1/me"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // an unsafe request without the token is refused and changes nothing
        let r = app
            .client
            .post(app.url("/api/v1/logout"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(problem(r, 403).await["code"], "auth.csrf");
        assert_eq!(
            app.get_as(&s, "/api/v1/me").await.status(),
            200,
            "still logged in"
        );
        let r = app
            .client
            .post(app.url("/api/v1/logout"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &s.csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }

    pub async fn password_change_and_reset(db: &TestDb) {
        let app = spawn_demo(db).await;
        let s1 = app.session("officer").await;
        let s2 = app.session("officer").await;
        let r = app
            .send_as(
                &s1,
                Method::POST,
                "/api/v1/me/password",
                Some(json!({"current_password": "nope1234", "new_password": "newpass123"})),
            )
            .await;
        assert_eq!(problem(r, 422).await["field"], "current_password");
        let r = app
            .send_as(
                &s1,
                Method::POST,
                "/api/v1/me/password",
                Some(json!({"current_password": "demo12345", "new_password": "short"})),
            )
            .await;
        assert_eq!(problem(r, 422).await["field"], "new_password");
        let r = app
            .send_as(
                &s1,
                Method::POST,
                "/api/v1/me/password",
                Some(json!({"current_password": "demo12345", "new_password": "newpass123"})),
            )
            .await;
        assert_eq!(r.status(), 204);
        assert_eq!(
            app.get_as(&s1, "/api/v1/me").await.status(),
            200,
            "this session stays"
        );
        assert_eq!(
            app.get_as(&s2, "/api/v1/me").await.status(),
            401,
            "other sessions end"
        );
        problem(app.login("officer", "demo12345").await, 401).await;
        assert_eq!(app.login("officer", "newpass123").await.status(), 200);
        // the admin resets it
        let admin = app.session("admin").await;
        let users: serde_json::Value = app
            .get_as(&admin, "/api/v1/users?q=officer2")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(users["total"], 1);
        let id = users["items"][0]["id"].as_str().unwrap().to_string();
        let r = app
            .send_as(
                &admin,
                Method::POST,
                &format!("/api/v1/users/{id}/password"),
                Some(json!({"new_password": "reset1234"})),
            )
            .await;
        assert_eq!(r.status(), 204);
        assert_eq!(app.login("officer2", "reset1234").await.status(), 200);
    }

    pub async fn admins_create_users_in_their_jurisdiction_only(db: &TestDb) {
        let app = spawn_demo(db).await;
        let admin = app.session("admin").await;
        let new = json!({"username": "li.ming", "display_name": "李明", "password": "pass12345", "role": "officer", "jurisdiction": "411423100"});
        let r = app
            .send_as(&admin, Method::POST, "/api/v1/users", Some(new.clone()))
            .await;
        assert_eq!(r.status(), 201);
        let r = app
            .send_as(&admin, Method::POST, "/api/v1/users", Some(new))
            .await;
        assert_eq!(problem(r, 409).await["field"], "username");
        let elsewhere = json!({"username": "wang.fang", "display_name": "王芳", "password": "pass12345", "role": "officer", "jurisdiction": "411423101"});
        let r = app
            .send_as(&admin, Method::POST, "/api/v1/users", Some(elsewhere))
            .await;
        assert_eq!(problem(r, 403).await["code"], "access.out_of_jurisdiction");
        let bad = json!({"username": "x y", "display_name": "X", "password": "pass12345", "role": "officer", "jurisdiction": "411423100"});
        let r = app
            .send_as(&admin, Method::POST, "/api/v1/users", Some(bad))
            .await;
        assert_eq!(problem(r, 422).await["field"], "username");
        let bad = json!({"username": "zhao", "display_name": "赵", "password": "pass12345", "role": "emperor", "jurisdiction": "411423100"});
        let r = app
            .send_as(&admin, Method::POST, "/api/v1/users", Some(bad))
            .await;
        assert_eq!(problem(r, 422).await["field"], "role");
        assert_eq!(app.login("li.ming", "pass12345").await.status(), 200);
        assert_eq!(
            app.login("wang.fang", "pass12345").await.status(),
            401,
            "the refused user was not created"
        );
    }

    pub async fn integration_tokens_work_until_revoked(db: &TestDb) {
        let app = spawn_demo(db).await;
        let admin = app.session("admin").await;
        let r = app
            .send_as(&admin, Method::POST, "/api/v1/integration-tokens",
                Some(json!({"name": "雪亮工程平台", "kind": "camera", "jurisdiction": "411423100", "permissions": ["view_organisation"]})))
            .await;
        assert_eq!(r.status(), 201);
        let created: serde_json::Value = r.json().await.unwrap();
        let token = created["token"].as_str().unwrap().to_string();
        assert!(token.starts_with("ywi_"));
        let as_token = |path: &str| app.client.get(app.url(path)).bearer_auth(&token).send();
        assert_eq!(as_token("/api/v1/org-units").await.unwrap().status(), 200);
        assert_eq!(
            as_token("/api/v1/org-units?township=411423101")
                .await
                .unwrap()
                .status(),
            403
        );
        assert_eq!(
            as_token("/api/v1/users").await.unwrap().status(),
            403,
            "only its own permissions"
        );
        // the list never shows the token itself
        let list = app
            .get_as(&admin, "/api/v1/integration-tokens")
            .await
            .text()
            .await
            .unwrap();
        assert!(!list.contains(&token));
        let id = created["id"].as_str().unwrap();
        let r = app
            .send_as(
                &admin,
                Method::DELETE,
                &format!("/api/v1/integration-tokens/{id}"),
                None,
            )
            .await;
        assert_eq!(r.status(), 204);
        let r = as_token("/api/v1/org-units").await.unwrap();
        assert_eq!(problem(r, 401).await["code"], "auth.revoked");
        // a token cannot carry more than its creator holds
        let officer = app.session("officer").await;
        let r = app
            .send_as(&officer, Method::POST, "/api/v1/integration-tokens",
                Some(json!({"name": "x", "kind": "camera", "jurisdiction": "411423100", "permissions": []})))
            .await;
        assert_eq!(r.status(), 403);
    }

    pub async fn reading_personal_data_is_audited(db: &TestDb) {
        let app = spawn_demo(db).await;
        let admin = app.session("admin").await;
        let staff: serde_json::Value = app
            .get_as(&admin, "/api/v1/staff?post=officer&per_page=1")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            staff["items"][0].get("phone").is_none(),
            "lists carry no phone numbers"
        );
        let id = staff["items"][0]["id"].as_str().unwrap().to_string();
        let detail: serde_json::Value = app
            .get_as(&admin, &format!("/api/v1/staff/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(detail["phone"].as_str().unwrap().len(), 11);
        assert!(detail["credentials"][0]["number"].as_str().is_some());
        let log: serde_json::Value = app
            .get_as(
                &admin,
                &format!("/api/v1/audit?action=staff.read_personal&object_id={id}"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(log["total"], 1);
        assert_eq!(log["items"][0]["actor"], "admin");
        assert_eq!(log["items"][0]["role"], "system_admin");
        // an officer may not read personal data
        let officer = app.session("officer").await;
        assert_eq!(
            app.get_as(&officer, &format!("/api/v1/staff/{id}"))
                .await
                .status(),
            403
        );
    }

    pub async fn audit_cannot_be_changed_through_the_api(db: &TestDb) {
        let app = spawn_demo(db).await;
        let admin = app.session("admin").await;
        for m in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let r = app
                .send_as(&admin, m.clone(), "/api/v1/audit", Some(json!({})))
                .await;
            assert_eq!(r.status(), 405, "{m} /api/v1/audit");
        }
        let key = store::audit::load_or_create_key(db.dir.path(), None).unwrap();
        let mut c = db.store.acquire().await.unwrap();
        assert!(store::audit::verify(&mut c, &key).await.unwrap().is_ok());
    }
}

store::both_databases!(crate::cases =>
    login_returns_a_token_and_a_hardened_cookie,
    bad_credentials_are_refused_and_change_nothing,
    oversize_bodies_are_refused,
    malformed_and_unknown_tokens_are_refused,
    logout_revokes_the_token,
    expired_sessions_are_refused,
    cached_sessions_still_expire_and_lose_withdrawn_roles_at_once,
    repeated_failures_are_throttled_per_account,
    repeated_failures_are_throttled_per_address,
    cookie_sessions_need_the_csrf_token,
    password_change_and_reset,
    admins_create_users_in_their_jurisdiction_only,
    integration_tokens_work_until_revoked,
    reading_personal_data_is_audited,
    audit_cannot_be_changed_through_the_api,
);

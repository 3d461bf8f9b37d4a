//! The web administration pages over HTTP: login form, CSRF on every form,
//! permissions, and that a refused form changes nothing. Both databases.

mod common;

mod cases {
    use super::common::*;
    use store::testing::TestDb;

    /// A browser-like client: keeps cookies, does not follow redirects.
    struct Browser {
        app: TestApp,
        cookies: Vec<(String, String)>,
    }

    impl Browser {
        fn cookie_header(&self) -> String {
            self.cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        }

        fn remember(&mut self, r: &reqwest::Response) {
            for v in r.headers().get_all("set-cookie") {
                let first = v.to_str().unwrap().split(';').next().unwrap().to_string();
                let (k, val) = first.split_once('=').unwrap();
                self.cookies.retain(|(n, _)| n != k);
                if !val.is_empty() {
                    self.cookies.push((k.to_string(), val.to_string()));
                }
            }
        }

        async fn get(&mut self, path: &str) -> reqwest::Response {
            let r = self
                .app
                .client
                .get(self.app.url(path))
                .header("cookie", self.cookie_header())
                .send()
                .await
                .unwrap();
            self.remember(&r);
            r
        }

        async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
            let r = self
                .app
                .client
                .post(self.app.url(path))
                .header("cookie", self.cookie_header())
                .form(form)
                .send()
                .await
                .unwrap();
            self.remember(&r);
            r
        }

        fn field(html: &str, name: &str) -> String {
            let marker = format!("name=\"{name}\" value=\"");
            let start = html
                .find(&marker)
                .unwrap_or_else(|| panic!("no {name} field"))
                + marker.len();
            html[start..].split('"').next().unwrap().to_string()
        }

        async fn login(&mut self, user: &str, password: &str, next: &str) -> reqwest::Response {
            let html = self
                .get(&format!("/login?next={next}"))
                .await
                .text()
                .await
                .unwrap();
            let csrf = Self::field(&html, "csrf_token");
            self.post(
                "/login",
                &[
                    ("username", user),
                    ("password", password),
                    ("next", next),
                    ("csrf_token", &csrf),
                ],
            )
            .await
        }
    }

    async fn browser(db: &TestDb) -> Browser {
        Browser {
            app: spawn_demo(db).await,
            cookies: vec![],
        }
    }

    /// A second browser on an already seeded database.
    async fn browser_on(db: &TestDb) -> Browser {
        Browser {
            app: spawn_app(db).await,
            cookies: vec![],
        }
    }

    pub async fn pages_need_a_login(db: &TestDb) {
        let mut b = browser(db).await;
        for page in [
            "/org",
            "/account",
            "/admin/users",
            "/admin/tokens",
            "/admin/audit",
        ] {
            let r = b.get(page).await;
            assert_eq!(r.status(), 303, "{page}");
            assert!(
                r.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/login?next="),
                "{page}"
            );
        }
    }

    pub async fn login_form_sets_a_session_and_follows_next(db: &TestDb) {
        let mut b = browser(db).await;
        let r = b.login("admin", "wrong-pass1", "/admin/users").await;
        assert_eq!(r.status(), 303);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert!(to.contains("error="), "{to}");
        let html = b.get(&to).await.text().await.unwrap();
        assert!(html.contains("用户名或密码错误"));
        let r = b.login("admin", "demo12345", "/admin/users").await;
        assert_eq!(r.headers()["location"], "/admin/users");
        assert!(b.cookies.iter().any(|(k, _)| k == "yiwang_session"));
        let html = b.get("/admin/users").await.text().await.unwrap();
        assert!(html.contains("dispatcher") && html.contains("officer2"));
        assert!(
            !html.contains("officer3"),
            "another township's users are not listed"
        );
        // an off-site `next` is not followed
        let mut b2 = Browser {
            app: spawn_app(db).await,
            cookies: vec![],
        };
        let r = b2
            .login("admin", "demo12345", "https://evil.example/")
            .await;
        assert_eq!(r.headers()["location"], "/");
    }

    pub async fn login_form_without_its_token_is_refused(db: &TestDb) {
        let mut b = browser(db).await;
        let r = b
            .post(
                "/login",
                &[
                    ("username", "admin"),
                    ("password", "demo12345"),
                    ("csrf_token", "forged"),
                ],
            )
            .await;
        assert!(r.headers()["location"].to_str().unwrap().contains("error="));
        assert!(!b.cookies.iter().any(|(k, _)| k == "yiwang_session"));
    }

    pub async fn forms_without_the_csrf_token_change_nothing(db: &TestDb) {
        let mut b = browser(db).await;
        b.login("admin", "demo12345", "/").await;
        let form = [
            ("username", "csrf.victim"),
            ("display_name", "X"),
            ("password", "pass12345"),
            ("role", "officer"),
            ("jurisdiction", "411423100"),
        ];
        let r = b.post("/admin/users", &form).await;
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("auth.csrf"));
        let mut with_bad = form.to_vec();
        with_bad.push(("csrf_token", "0000"));
        assert_eq!(b.post("/admin/users", &with_bad).await.status(), 403);
        let html = b
            .get("/admin/users?q=csrf.victim")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("没有符合条件的用户"), "nothing was created");
        // with the page's token it works, and is audited
        let page = b.get("/admin/users").await.text().await.unwrap();
        let csrf = Browser::field(&page, "csrf_token");
        let mut good = form.to_vec();
        good.push(("csrf_token", &csrf));
        let r = b.post("/admin/users", &good).await;
        assert_eq!(r.status(), 303);
        let user_page = r.headers()["location"].to_str().unwrap().to_string();
        assert!(user_page.starts_with("/admin/users/"));
        let html = b.get(&user_page).await.text().await.unwrap();
        assert!(html.contains("csrf.victim") && html.contains("用户已创建"));
        let html = b
            .get("/admin/audit?action=user.create")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("user.create") && html.contains("admin"));
        // a token is shown once after creation
        let r = b
            .post(
                "/admin/tokens",
                &[
                    ("name", "热线"),
                    ("kind", "hotline"),
                    ("jurisdiction", "411423100"),
                    ("permission", ""),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"new-token\">ywi_"));
        let html = b.get("/admin/tokens").await.text().await.unwrap();
        assert!(html.contains("热线") && !html.contains("new-token"));
    }

    pub async fn the_organisation_is_edited_from_its_page(db: &TestDb) {
        let mut b = browser(db).await;
        b.login("admin", "demo12345", "/").await;
        let html = b.get("/org?township=411423100").await.text().await.unwrap();
        assert!(
            html.contains("id=\"new-staff\""),
            "the admin sees the forms"
        );
        let csrf = Browser::field(&html, "csrf_token");
        let form = [
            ("name", "赵新兵"),
            ("post", "officer"),
            ("jurisdiction", "411423100"),
            ("unit", "411423100-ZD1"),
            ("phone", "13912345678"),
            ("specialty", "城市管理"),
        ];
        assert_eq!(
            b.post("/org/staff", &form).await.status(),
            403,
            "no token, no change"
        );
        let mut with = form.to_vec();
        with.push(("csrf_token", &csrf));
        let r = b.post("/org/staff", &with).await;
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert!(to.contains("ok="), "{to}");
        let html = b.get(&to).await.text().await.unwrap();
        assert!(html.contains("赵新兵") && html.contains("人员已添加"));
        assert_eq!(html.matches("赵新兵").count(), 1, "added once");
        // a bad phone number is named, nothing added
        let mut bad = with.clone();
        bad[0] = ("name", "钱错号");
        bad[4] = ("phone", "12");
        let to = b.post("/org/staff", &bad).await.headers()["location"]
            .to_str()
            .unwrap()
            .to_string();
        let html = b.get(&to).await.text().await.unwrap();
        assert!(html.contains("手机号应为 11 位数字") && !html.contains("钱错号"));
        // a village under the township
        let r = b
            .post(
                "/org/jurisdictions",
                &[
                    ("code", "411423100901"),
                    ("name", "测试新村"),
                    ("level", "village"),
                    ("parent", "411423100"),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        let html = b
            .get(r.headers()["location"].to_str().unwrap())
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("测试新村"));
        // an officer sees no forms and cannot post
        let mut o = browser_on(db).await;
        o.login("officer", "demo12345", "/").await;
        let html = o.get("/org").await.text().await.unwrap();
        assert!(!html.contains("id=\"new-staff\""));
        let csrf = Browser::field(&html, "csrf_token");
        let mut f = form.to_vec();
        f[0] = ("name", "孙越权");
        f.push(("csrf_token", &csrf));
        let to = o.post("/org/staff", &f).await.headers()["location"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(to.contains("error="), "{to}");
    }

    pub async fn an_officer_cannot_administer(db: &TestDb) {
        let mut b = browser(db).await;
        b.login("officer", "demo12345", "/").await;
        let r = b.get("/admin/users").await;
        assert_eq!(r.status(), 403);
        let html = r.text().await.unwrap();
        assert!(html.contains("access.forbidden"), "a useful error page");
        assert_eq!(b.get("/account").await.status(), 200);
        assert_eq!(b.get("/org").await.status(), 200);
        // logout ends the session
        let page = b.get("/account").await.text().await.unwrap();
        let csrf = Browser::field(&page, "csrf_token");
        let r = b.post("/logout", &[("csrf_token", &csrf)]).await;
        assert_eq!(r.headers()["location"], "/login");
        assert_eq!(b.get("/account").await.status(), 303);
    }

    /// The one net's pages: a login first; each role sees the links to the
    /// pages of its own work; the command centre only for those who may
    /// see reports; the field report made for a phone.
    pub async fn one_net_pages_by_role(db: &TestDb) {
        let mut b = browser(db).await;
        for page in ["/command", "/tasks", "/m/report"] {
            let r = b.get(page).await;
            assert_eq!(r.status(), 303, "{page}");
            assert_eq!(
                r.headers()["location"].to_str().unwrap(),
                format!("/login?next={}", page.replace('/', "%2F"))
            );
        }
        b.login("gridworker", "demo12345", "/m/report").await;
        let r = b.get("/m/report").await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("name=\"viewport\""), "a phone page");
        assert!(
            html.contains("accept=\"image/*\" capture=\"environment\""),
            "the camera"
        );
        assert!(html.contains("/assets/m-report.js"));
        assert!(html.contains("占道"), "the township's items as categories");
        let home = b.get("/account").await.text().await.unwrap();
        assert!(
            home.contains("href=\"/m/report\""),
            "linked for a grid worker"
        );
        assert!(
            !home.contains("href=\"/tasks\""),
            "no tasks for a grid worker"
        );

        let mut o = browser_on(db).await;
        o.login("officer", "demo12345", "/tasks").await;
        let r = o.get("/tasks").await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("href=\"/tasks\" aria-current=\"page\""),
            "linked and current"
        );
        assert!(html.contains("href=\"/m/report\""));
        assert!(!html.contains("id=\"t-unlinked\""), "the officer is staff");
        assert!(html.contains("data-staff=\""));

        let mut d = browser_on(db).await;
        d.login("dispatcher", "demo12345", "/command").await;
        let r = d
            .get("/command?status=received&township=nowhere&q=%E5%8D%A0%E9%81%93")
            .await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("<option value=\"received\" selected>"),
            "the filter kept"
        );
        assert!(!html.contains("nowhere"), "an unknown township is dropped");
        assert!(html.contains("value=\"占道\""), "the search words kept");
        assert!(html.contains("data-can-dispatch=\"1\""));
        assert!(
            !html.contains("href=\"/tasks\""),
            "a dispatcher has no tasks link"
        );

        // an administrator sees no reports
        let mut a = browser_on(db).await;
        a.login("admin", "demo12345", "/").await;
        assert_eq!(a.get("/command").await.status(), 403);
    }
}

store::both_databases!(crate::cases =>
    pages_need_a_login,
    login_form_sets_a_session_and_follows_next,
    login_form_without_its_token_is_refused,
    forms_without_the_csrf_token_change_nothing,
    an_officer_cannot_administer,
    the_organisation_is_edited_from_its_page,
    one_net_pages_by_role,
);

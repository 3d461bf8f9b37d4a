//! Security checks over HTTP, on SQLite and PostgreSQL: the security
//! headers (CSP with `frame-ancestors 'none'`, nosniff, frame denial) on
//! every page of the web UI — the list of pages checked against the routes
//! declared in `src/web`, so a new page without a check fails — and on
//! samples of the API; uploads never served back as something a browser
//! would run; and no ID or mobile number in any public answer once
//! personal data is in the system (a public complaint, a published penalty
//! decision, a grid worker's report, an Open311 request).

mod common;

mod cases {
    use std::collections::HashMap;

    use super::common::case_kit::{self, A, ok};
    use super::common::*;
    use domain::case::ResidentId;
    use reqwest::Method;
    use reqwest::header::{HeaderMap, HeaderValue};
    use reqwest::multipart::{Form, Part};
    use serde_json::{Value, json};
    use server::auth::SESSION_COOKIE;
    use store::testing::TestDb;

    const B: &str = "411423101";
    const PHONE: &str = "13812345678";
    const HOME: &str = "河南省商丘市宁陵县城关回族镇建设路12号";
    /// The power-list item the seeded case is filed under.
    const ITEM: &str = "P-SEC";

    /// A valid 18-character resident ID number (GB 11643 check character).
    fn id_number() -> String {
        let first = "41142319900307021";
        format!("{first}{}", ResidentId::check_char(first).unwrap())
    }

    // -----------------------------------------------------------------------
    // Callers and answers.

    /// Who asks: anyone (no session), or a demo account by its web session
    /// cookie (pages) or bearer token (API).
    #[derive(Clone, Copy, Debug)]
    enum Who {
        Anyone,
        As(&'static str),
    }

    /// Demo sessions by username, logged in once each.
    #[derive(Default)]
    struct Sessions(HashMap<&'static str, Session>);

    impl Sessions {
        async fn of(&mut self, app: &TestApp, user: &'static str) -> &Session {
            if !self.0.contains_key(user) {
                let s = app.session(user).await;
                self.0.insert(user, s);
            }
            &self.0[user]
        }

        /// GET `path` as a browser would: the session in its cookie.
        async fn page(&mut self, app: &TestApp, who: Who, path: &str) -> reqwest::Response {
            let mut r = app.client.get(app.url(path)).header("accept", "text/html");
            if let Who::As(user) = who {
                let token = self.of(app, user).await.token.clone();
                r = r.header("cookie", format!("{SESSION_COOKIE}={token}"));
            }
            r.send().await.expect("request")
        }

        /// GET `path` as an API client would: the session as a bearer token.
        async fn api(&mut self, app: &TestApp, who: Who, path: &str) -> reqwest::Response {
            match who {
                Who::Anyone => app.get(path).await,
                Who::As(user) => {
                    let s = self.of(app, user).await;
                    app.get_as(s, path).await
                }
            }
        }
    }

    fn header<'a>(r: &'a reqwest::Response, name: &str) -> Option<&'a str> {
        r.headers().get(name).and_then(|v| v.to_str().ok())
    }

    /// The content type without its parameters, lower case.
    fn media_type(r: &reqwest::Response) -> String {
        header(r, "content-type")
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    /// The sources of one directive of a Content-Security-Policy.
    fn directive<'a>(csp: &'a str, name: &str) -> Option<Vec<&'a str>> {
        csp.split(';').find_map(|d| {
            let mut words = d.split_whitespace();
            words
                .next()
                .filter(|n| n.eq_ignore_ascii_case(name))
                .map(|_| words.collect())
        })
    }

    /// What is wrong with the headers every page and API answer carries: a
    /// CSP allowing nothing from other origins and no framing, no scripts
    /// inline or by eval; no content sniffing; no framing for older
    /// browsers either. Empty when all is well.
    fn header_faults(h: &HeaderMap) -> Vec<String> {
        let mut faults = Vec::new();
        let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
        let csps: Vec<&str> = h
            .get_all("content-security-policy")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        match csps.as_slice() {
            [csp] => {
                if directive(csp, "frame-ancestors") != Some(vec!["'none'"]) {
                    faults.push(format!("no frame-ancestors 'none' in {csp}"));
                }
                if directive(csp, "default-src") != Some(vec!["'self'"]) {
                    faults.push(format!("no default-src 'self' in {csp}"));
                }
                let scripts = directive(csp, "script-src").unwrap_or_else(|| vec!["'self'"]);
                for unsafe_source in [
                    "'unsafe-inline'",
                    "'unsafe-eval'",
                    "*",
                    "data:",
                    "http:",
                    "https:",
                ] {
                    if scripts.contains(&unsafe_source) {
                        faults.push(format!("script-src allows {unsafe_source}: {csp}"));
                    }
                }
            }
            other => faults.push(format!("not one Content-Security-Policy: {other:?}")),
        }
        if get("x-content-type-options") != Some("nosniff") {
            faults.push(format!(
                "X-Content-Type-Options {:?}",
                get("x-content-type-options")
            ));
        }
        if !get("x-frame-options").is_some_and(|v| v.eq_ignore_ascii_case("DENY")) {
            faults.push(format!("X-Frame-Options {:?}", get("x-frame-options")));
        }
        faults
    }

    fn assert_security_headers(what: &str, r: &reqwest::Response) {
        let faults = header_faults(r.headers());
        assert!(faults.is_empty(), "{what}: {faults:#?}");
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    /// The check passes the product's headers and fails each weakening.
    fn the_header_check_bites() {
        let csp = server::routes::CSP;
        let good = [
            ("content-security-policy", csp),
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
        ];
        assert_eq!(header_faults(&headers(&good)), Vec::<String>::new());
        let framed = csp.replace("frame-ancestors 'none'", "frame-ancestors *");
        let anywhere = csp.replace("default-src 'self'", "default-src *");
        let inline = csp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");
        let weakened: [&[(&'static str, &str)]; 7] = [
            &good[1..],
            &[good[0], good[1]],
            &[good[0], good[2]],
            &[good[0], good[1], ("x-frame-options", "SAMEORIGIN")],
            &[("content-security-policy", &framed), good[1], good[2]],
            &[("content-security-policy", &anywhere), good[1], good[2]],
            &[("content-security-policy", &inline), good[1], good[2]],
        ];
        for w in weakened {
            assert!(!header_faults(&headers(w)).is_empty(), "{w:?} passed");
        }
        let no_frame_ancestors = "default-src 'self'; script-src 'self'";
        let h = headers(&[
            ("content-security-policy", no_frame_ancestors),
            good[1],
            good[2],
        ]);
        assert!(!header_faults(&h).is_empty());
    }

    // -----------------------------------------------------------------------
    // 1. Security headers on every page.

    /// A page of the web UI, how it is asked for, and what it answers:
    /// (route as declared in `src/web`, the path asked for, who, status,
    /// media type; "" for none). In paths, `{user}` is the demo officer's
    /// user id, `{item}` a power-list item, `{publication}` a published
    /// decision, `{case}` its case, `{asset}` a stylesheet. Entries whose
    /// route is not one of `src/web` are the other pages people see: the
    /// 404 page, error pages, the login redirect, the API reference.
    const PAGES: &[(&str, &str, Who, u16, &str)] = &[
        ("/", "/", Who::Anyone, 200, "text/html"),
        ("/", "/?lang=en", Who::Anyone, 200, "text/html"),
        ("/org", "/org", Who::As("admin"), 200, "text/html"),
        ("/login", "/login", Who::Anyone, 200, "text/html"),
        ("/account", "/account", Who::As("officer"), 200, "text/html"),
        ("/admin", "/admin", Who::As("admin"), 303, ""),
        (
            "/admin/users",
            "/admin/users",
            Who::As("admin"),
            200,
            "text/html",
        ),
        (
            "/admin/users/{id}",
            "/admin/users/{user}",
            Who::As("admin"),
            200,
            "text/html",
        ),
        (
            "/admin/tokens",
            "/admin/tokens",
            Who::As("admin"),
            200,
            "text/html",
        ),
        (
            "/admin/audit",
            "/admin/audit",
            Who::As("admin"),
            200,
            "text/html",
        ),
        (
            "/admin/power-list",
            "/admin/power-list",
            Who::As("countyadmin"),
            200,
            "text/html",
        ),
        ("/power-list", "/power-list", Who::Anyone, 200, "text/html"),
        (
            "/power-list/compare",
            "/power-list/compare?townships=411423100,411423101",
            Who::Anyone,
            200,
            "text/html",
        ),
        (
            "/power-list/{code}",
            "/power-list/{item}",
            Who::Anyone,
            200,
            "text/html",
        ),
        (
            "/power-list/{code}/history",
            "/power-list/{item}/history",
            Who::Anyone,
            200,
            "text/html",
        ),
        ("/map", "/map", Who::Anyone, 200, "text/html"),
        ("/map", "/map", Who::As("dispatcher"), 200, "text/html"),
        ("/portal", "/portal", Who::Anyone, 200, "text/html"),
        (
            "/portal/decisions",
            "/portal/decisions",
            Who::Anyone,
            200,
            "text/html",
        ),
        (
            "/portal/decisions/{id}",
            "/portal/decisions/{publication}",
            Who::Anyone,
            200,
            "text/html",
        ),
        (
            "/portal/complaint",
            "/portal/complaint",
            Who::Anyone,
            200,
            "text/html",
        ),
        (
            "/help/indicators",
            "/help/indicators",
            Who::Anyone,
            200,
            "text/html",
        ),
        (
            "/command",
            "/command",
            Who::As("dispatcher"),
            200,
            "text/html",
        ),
        ("/tasks", "/tasks", Who::As("officer"), 200, "text/html"),
        ("/stats", "/stats", Who::As("supervisor"), 200, "text/html"),
        (
            "/stats/screen",
            "/stats/screen",
            Who::As("supervisor"),
            200,
            "text/html",
        ),
        (
            "/m/report",
            "/m/report",
            Who::As("gridworker"),
            200,
            "text/html",
        ),
        ("/m/sw.js", "/m/sw.js", Who::Anyone, 200, "text/javascript"),
        (
            "/assets/{*path}",
            "/assets/{asset}",
            Who::Anyone,
            200,
            "text/css",
        ),
        ("/cases", "/cases", Who::As("officer"), 200, "text/html"),
        (
            "/assessment",
            "/assessment",
            Who::As("officer"),
            200,
            "text/html",
        ),
        (
            "/assessment/{id}",
            "/assessment/{run}",
            Who::As("officer"),
            200,
            "text/html",
        ),
        ("", "/assessment", Who::Anyone, 303, ""),
        (
            "",
            "/assessment/{run}",
            Who::As("officer3"),
            403,
            "text/html",
        ),
        (
            "",
            "/assessment/no-such-run",
            Who::As("officer"),
            404,
            "text/html",
        ),
        (
            "/cases/{id}",
            "/cases/{case}",
            Who::As("officer"),
            200,
            "text/html",
        ),
        // not routes of src/web: the 404 page, error pages, redirects
        ("", "/no/such/page", Who::Anyone, 404, "text/html"),
        (
            "",
            "/power-list/NO-SUCH-ITEM",
            Who::Anyone,
            404,
            "text/html",
        ),
        (
            "",
            "/portal/decisions/no-such-decision",
            Who::Anyone,
            404,
            "text/html",
        ),
        ("", "/admin/users", Who::As("officer"), 403, "text/html"),
        ("", "/command", Who::Anyone, 303, ""),
        ("", "/stats", Who::Anyone, 303, ""),
        ("", "/cases", Who::Anyone, 303, ""),
        ("", "/cases/{case}", Who::As("officer3"), 403, "text/html"),
        ("", "/api/docs", Who::Anyone, 200, "text/html"),
    ];

    /// Samples of the API and the other machine answers: (path, who,
    /// status), the path's values as in `PAGES`.
    const APIS: &[(&str, Who, u16)] = &[
        ("/api/v1/me", Who::As("officer"), 200),
        ("/api/v1/me", Who::Anyone, 401),
        ("/api/v1/reports?per_page=5", Who::As("dispatcher"), 200),
        ("/api/v1/cases", Who::As("officer"), 200),
        ("/api/v1/users", Who::As("officer"), 403),
        ("/api/v1/power-items?per_page=5", Who::Anyone, 200),
        ("/api/v1/power-items/{item}/flowchart.svg", Who::Anyone, 200),
        ("/api/v1/public/decisions", Who::Anyone, 200),
        ("/api/v1/public/complaints/YWNOSUCHCODE", Who::Anyone, 404),
        ("/api/v1/overview", Who::Anyone, 200),
        ("/api/v1/no-such-route", Who::Anyone, 404),
        ("/api/openapi.json", Who::Anyone, 200),
        ("/healthz", Who::Anyone, 200),
        ("/metrics", Who::Anyone, 200),
    ];

    /// A path's parameters filled with demo values.
    fn concrete(template: &str, values: &HashMap<&str, String>) -> String {
        let mut path = template.to_string();
        for (name, value) in values {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        assert!(
            !path.contains('{'),
            "no demo value for a parameter of {template}"
        );
        path
    }

    /// Whether `args` (a `.route(...)`'s method routers) calls `get(`.
    fn routes_get(args: &str) -> bool {
        args.match_indices("get(").any(|(i, _)| {
            args[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        })
    }

    /// Every `.route(...)` in `src`: its path (or, when not a string
    /// literal, the expression as `Err`) and whether it answers GET.
    fn routes_in(src: &str) -> Vec<(Result<String, String>, bool)> {
        let mut out = Vec::new();
        let mut rest = src;
        while let Some(at) = rest.find(".route(") {
            let after = &rest[at + ".route(".len()..];
            let mut depth = 1;
            let mut end = after.len();
            for (j, c) in after.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let args = after[..end].trim_start();
            match args.strip_prefix('"').and_then(|s| s.split_once('"')) {
                Some((path, methods)) => out.push((Ok(path.to_string()), routes_get(methods))),
                None => {
                    let expr = args.split(',').next().unwrap_or("").trim().to_string();
                    out.push((Err(expr), routes_get(args)))
                }
            }
            rest = after;
        }
        out
    }

    /// The navigation's areas still "coming" (each gets a route of its own
    /// in `web::routes`, from `pages::AREAS`).
    fn coming_areas(pages_rs: &str) -> Vec<String> {
        let table = pages_rs
            .split_once("pub const AREAS")
            .expect("pages::AREAS")
            .1;
        let table = table.split_once("];").expect("the end of AREAS").0;
        table
            .split("Area {")
            .skip(1)
            .filter(|a| a.contains("coming: true"))
            .map(|a| {
                let href = a.split_once("href: \"").expect("an href").1;
                href.split('"').next().unwrap().to_string()
            })
            .collect()
    }

    /// Every GET path the web UI routes, read from its source files.
    fn web_get_routes() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("src/web")
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        files.sort();
        assert!(files.len() >= 2, "the web UI's sources");
        let mut out = Vec::new();
        for f in &files {
            let src = std::fs::read_to_string(f).unwrap();
            for (path, get) in routes_in(&src) {
                match path {
                    Ok(p) if get => out.push(p),
                    Ok(_) => {}
                    // the one computed route: the areas still coming
                    Err(expr) if expr == "area.href" => {}
                    Err(expr) => panic!(
                        "{}: a route at `{expr}`: list its pages in PAGES and teach \
                         web_get_routes where its paths come from",
                        f.display()
                    ),
                }
            }
        }
        let pages_rs = std::fs::read_to_string(dir.join("pages.rs")).unwrap();
        out.extend(coming_areas(&pages_rs));
        out.sort();
        out.dedup();
        out
    }

    pub async fn every_page_carries_the_security_headers(db: &TestDb) {
        the_header_check_bites();
        // the list covers every page the web UI routes
        let routes = web_get_routes();
        for must in [
            "/",
            "/power-list/{code}",
            "/m/report",
            "/cases",
            "/assets/{*path}",
        ] {
            assert!(
                routes.iter().any(|r| r == must),
                "the scan of src/web finds {must}: {routes:?}"
            );
        }
        let unchecked: Vec<&String> = routes
            .iter()
            .filter(|r| !PAGES.iter().any(|p| p.0 == r.as_str()))
            .collect();
        assert!(
            unchecked.is_empty(),
            "pages of src/web without a security-header check (add them to PAGES): {unchecked:?}"
        );

        let app = spawn_demo(db).await;
        let mut who = Sessions::default();
        let admin = who.of(&app, "admin").await;
        let users = ok(app.get_as(admin, "/api/v1/users?q=officer").await).await;
        let officer_id = users["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == "officer")
            .expect("the demo officer")["id"]
            .as_str()
            .unwrap()
            .to_string();
        let item = ok(app.get("/api/v1/power-items?per_page=1").await).await["items"][0]["code"]
            .as_str()
            .unwrap()
            .to_string();
        let publication = published_decision(db, &app).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let case = ok(app
            .get_as(who.of(&app, "officer").await, "/api/v1/cases?per_page=1")
            .await)
        .await["items"][0]["id"]
            .as_str()
            .expect("the published decision's case")
            .to_string();
        // a run of township A's squads, made by the county supervisor
        let run = ok(app
            .send_as(
                who.of(&app, "supervisor").await,
                reqwest::Method::POST,
                "/api/v1/assessment/runs",
                Some(
                    serde_json::json!({"jurisdiction": "411423100", "subject_kind": "squad",
                    "from": "2026-03-01", "to": "2026-03-31"}),
                ),
            )
            .await)
        .await["id"]
            .as_str()
            .expect("the run's id")
            .to_string();
        let values = HashMap::from([
            ("run", run),
            ("user", officer_id),
            ("item", item),
            ("publication", publication),
            ("case", case),
            ("asset", "app.css".to_string()),
        ]);

        for (_, template, caller, status, media) in PAGES {
            let path = concrete(template, &values);
            let r = who.page(&app, *caller, &path).await;
            let what = format!("GET {path} as {caller:?}");
            assert_eq!(r.status().as_u16(), *status, "{what}");
            if !media.is_empty() {
                assert_eq!(media_type(&r), *media, "{what}");
            }
            assert_security_headers(&what, &r);
        }
        let mut apis: Vec<(String, Who, u16)> = APIS
            .iter()
            .map(|(p, w, s)| (concrete(p, &values), *w, *s))
            .collect();
        // the public Open311 endpoint, when it is there
        if app.get("/open311/v2/services.json").await.status() == 200 {
            for p in [
                "services.json",
                "services.xml",
                "requests.json",
                "nothing.json",
            ] {
                let status = if p == "nothing.json" { 404 } else { 200 };
                apis.push((format!("/open311/v2/{p}"), Who::Anyone, status));
            }
        }
        for (path, caller, status) in apis {
            let r = who.api(&app, caller, &path).await;
            let what = format!("GET {path} as {caller:?}");
            assert_eq!(r.status().as_u16(), status, "{what}");
            assert_security_headers(&what, &r);
        }
        // a refused write answers with them too
        let r = app
            .client
            .post(app.url("/api/v1/login"))
            .json(&json!({"username": "officer", "password": "wrong"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert_security_headers("POST /api/v1/login (wrong password)", &r);
    }

    // -----------------------------------------------------------------------
    // 2. Uploads never come back as something a browser would run.

    /// What a browser would run or render as a document.
    const EXECUTABLE: &[&str] = &[
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "application/javascript",
        "text/javascript",
        "application/ecmascript",
        "text/ecmascript",
        "text/xml",
        "application/xml",
        "text/xsl",
        "application/x-shockwave-flash",
        "text/plain",
        "",
    ];

    /// Inert: shown or played as media, or only ever saved.
    fn inert(media: &str) -> bool {
        let top = media.split('/').next().unwrap_or("");
        !EXECUTABLE.contains(&media)
            && (matches!(top, "audio" | "video")
                || (top == "image" && !media.contains("svg") && !media.contains("xml"))
                || matches!(
                    media,
                    "application/pdf"
                        | "application/octet-stream"
                        | "application/zip"
                        | "application/ofd"
                        | "application/msword"
                        | "application/vnd.ms-excel"
                        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                ))
    }

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1];

    /// Files a browser would run, under harmless names.
    fn scripts() -> Vec<(&'static str, Vec<u8>)> {
        vec![
            (
                "现场.html",
                b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
                    .to_vec(),
            ),
            (
                "photo.jpg",
                b"<html><script>fetch('/api/v1/me').then(r=>r.text()).then(alert)</script>"
                    .to_vec(),
            ),
            (
                "plan.svg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>"
                    .to_vec(),
            ),
            (
                "scan.png",
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
                    .to_vec(),
            ),
            (
                "page.xhtml",
                b"<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></html>"
                    .to_vec(),
            ),
            ("record.js", b"alert(document.cookie);".to_vec()),
            (
                "statement.pdf",
                b"\xEF\xBB\xBF<script>alert(1)</script>%PDF-1.7".to_vec(),
            ),
        ]
    }

    /// Files whose first bytes make them media a browser would not run,
    /// with a script after: accepted as the media, never served as a page.
    fn polyglots() -> Vec<(&'static str, Vec<u8>, &'static str)> {
        let tail: &[u8] = b"<html><script>alert(document.cookie)</script></html>";
        vec![
            ("现场照片.html", [JPEG, tail].concat(), "image/jpeg"),
            (
                "anim.svg",
                [b"GIF89a\x01\x00\x01\x00".as_slice(), tail].concat(),
                "image/gif",
            ),
            (
                "notice.pdf",
                [
                    b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj\n"
                        .as_slice(),
                    tail,
                ]
                .concat(),
                "application/pdf",
            ),
        ]
    }

    async fn upload_evidence(
        app: &TestApp,
        s: &Session,
        case: &str,
        name: &str,
        claimed: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let part = Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str(claimed)
            .unwrap();
        app.client
            .post(app.url(&format!("/api/v1/cases/{case}/evidence")))
            .bearer_auth(&s.token)
            .multipart(Form::new().part("file", part))
            .send()
            .await
            .unwrap()
    }

    async fn report_with_photo(
        app: &TestApp,
        s: &Session,
        (lon, lat): (f64, f64),
        name: &str,
        claimed: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let report =
            json!({"channel": "grid_worker", "description": "占道经营，见照片", "lon": lon, "lat": lat})
                .to_string();
        let part = Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str(claimed)
            .unwrap();
        app.client
            .post(app.url("/api/v1/reports"))
            .bearer_auth(&s.token)
            .multipart(Form::new().text("report", report).part("photo", part))
            .send()
            .await
            .unwrap()
    }

    /// A stored file as it is served: an inert type, not sniffed, and
    /// either saved (attachment) or sandboxed where shown inline.
    fn assert_served_inert(what: &str, r: &reqwest::Response) {
        let media = media_type(r);
        assert!(
            inert(&media),
            "{what}: served as {media:?}, which a browser may run"
        );
        assert_eq!(
            header(r, "x-content-type-options"),
            Some("nosniff"),
            "{what}: X-Content-Type-Options"
        );
        let attachment = header(r, "content-disposition").is_some_and(|d| {
            d.trim_start()
                .to_ascii_lowercase()
                .starts_with("attachment")
        });
        let sandboxed =
            header(r, "content-security-policy").is_some_and(|c| directive(c, "sandbox").is_some());
        assert!(
            attachment || sandboxed,
            "{what}: inline ({:?}) without a sandbox CSP ({:?})",
            header(r, "content-disposition"),
            header(r, "content-security-policy")
        );
        // a download's own CSP still forbids framing
        if let Some(csp) = header(r, "content-security-policy") {
            assert_eq!(
                directive(csp, "frame-ancestors"),
                Some(vec!["'none'"]),
                "{what}: {csp}"
            );
        }
    }

    pub async fn uploads_are_never_served_as_something_executable(db: &TestDb) {
        assert!(inert("image/jpeg") && inert("application/pdf") && inert("audio/mpeg"));
        assert!(!inert("image/svg+xml") && !inert("text/html") && !inert("text/javascript"));
        let app = spawn_demo(db).await;

        // report photos: typed by content; a script under a photo's name is
        // refused, whatever the name and the type the client claims
        let gw = app.session("gridworker").await;
        let point = grid_point(&app, &app.session("dispatcher").await, A, 0)
            .await
            .0;
        for (name, bytes) in scripts() {
            for claimed in ["image/jpeg", "text/html"] {
                let r = report_with_photo(&app, &gw, point, name, claimed, bytes.clone()).await;
                let p = problem(r, 422).await;
                assert_eq!(p["code"], "report.photo_type", "{name} as {claimed}");
            }
        }
        let r = report_with_photo(
            &app,
            &gw,
            point,
            "现场照片.html",
            "text/html",
            polyglots()[0].1.clone(),
        )
        .await;
        let report = ok(r).await;
        let attachments = report["attachments"].as_array().expect("attachments");
        assert_eq!(attachments.len(), 1, "{report}");
        let staff = app.session("dispatcher").await;
        for a in attachments {
            let mime = a["mime"].as_str().unwrap();
            assert_eq!(mime, "image/jpeg", "typed by content, not by name or claim");
            assert!(inert(mime));
            // if a photo is ever served, it is served inert
            for key in ["url", "href", "download"] {
                if let Some(url) = a[key].as_str() {
                    let r = app.get_as(&staff, url).await;
                    assert_eq!(r.status(), 200, "{url}");
                    assert_served_inert(url, &r);
                }
            }
        }
        // the stored file is not reachable by a guessable address
        let sha = attachments[0]["sha256"].as_str().unwrap();
        for path in [
            format!("/attachments/{}/{sha}", &sha[..2]),
            format!("/assets/../attachments/{}/{sha}", &sha[..2]),
            format!("/assets/%2e%2e/attachments/{}/{sha}", &sha[..2]),
        ] {
            let r = app.get_as(&staff, &path).await;
            assert_eq!(r.status(), 404, "{path}");
            let body = r.bytes().await.unwrap();
            assert!(!body.starts_with(JPEG), "{path} served the upload");
        }

        // case evidence: the same, and every accepted file is downloaded
        // as its content's type, as an attachment, sandboxed
        case_kit::held_by_a(&app, case_kit::item(ITEM, "对违反测试条例行为的处罚")).await;
        let officer = app.session("officer").await;
        let case = case_kit::open_case(&app, &officer, ITEM, "上传文件安全检查案").await;
        for (name, bytes) in scripts() {
            for claimed in ["application/pdf", "text/html"] {
                let r = upload_evidence(&app, &officer, &case, name, claimed, bytes.clone()).await;
                let p = problem(r, 422).await;
                assert_eq!(p["code"], "evidence.type", "{name} as {claimed}");
            }
        }
        let mut accepted = Vec::new();
        for (name, bytes, sniffed) in polyglots() {
            let r = upload_evidence(&app, &officer, &case, name, "text/html", bytes.clone()).await;
            let v = ok(r).await;
            let item = &v["items"][0];
            assert_eq!(item["mime"], sniffed, "{name}");
            accepted.push((item["id"].as_str().unwrap().to_string(), name, bytes));
        }
        let list = ok(app
            .get_as(&officer, &format!("/api/v1/cases/{case}/evidence"))
            .await)
        .await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), accepted.len(), "nothing refused was stored");
        for i in items {
            assert!(inert(i["mime"].as_str().unwrap()), "{i}");
        }
        for (id, name, bytes) in &accepted {
            let path = format!("/api/v1/cases/{case}/evidence/{id}");
            let r = app.get_as(&officer, &path).await;
            assert_eq!(r.status(), 200, "{path}");
            assert_served_inert(&format!("{name} at {path}"), &r);
            assert_eq!(r.bytes().await.unwrap().to_vec(), *bytes, "as uploaded");
        }
        // the whole file, as the archive
        let path = format!("/api/v1/cases/{case}/archive");
        let r = app.get_as(&officer, &path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(media_type(&r), "application/zip");
        assert_served_inert(&path, &r);
    }

    // -----------------------------------------------------------------------
    // 3. No personal data in any public answer.

    /// Every ID number (17 digits and a digit or X) and mainland mobile
    /// number (1[3-9] and 9 digits, alone or after 86) in `text`, as whole
    /// runs of digits: a run of digits inside a longer one is not a number
    /// of its own, nor are the decimals of a coordinate (`34.1381234567`).
    fn personal_numbers(text: &str) -> Vec<String> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if !b[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let decimals = start >= 2 && b[start - 1] == b'.' && b[start - 2].is_ascii_digit();
            if decimals {
                continue;
            }
            let run = &text[start..i];
            let x = b.get(i).is_some_and(|c| *c == b'X' || *c == b'x');
            let mobile = |m: &str| {
                m.len() == 11 && m.starts_with('1') && (b'3'..=b'9').contains(&m.as_bytes()[1])
            };
            if run.len() == 18 || (run.len() == 17 && x) {
                out.push(text[start..i + usize::from(run.len() == 17)].to_string());
            } else if mobile(run) || (run.len() == 13 && run.starts_with("86") && mobile(&run[2..]))
            {
                out.push(run.to_string());
            }
        }
        out
    }

    /// The facts of the decision, with the party's ID number, mobile and
    /// home address in them (as officers do write them).
    fn facts() -> String {
        format!(
            "当事人张三丰（身份证号码{}，联系电话{PHONE}，住{HOME}）在建设路占用人行道经营，影响通行",
            id_number()
        )
    }

    async fn step(app: &TestApp, s: &Session, id: &str, body: Value) -> Value {
        ok(app
            .send_as(
                s,
                Method::POST,
                &format!("/api/v1/cases/{id}/actions"),
                Some(body),
            )
            .await)
        .await
    }

    /// A case of township A against a natural person with ID number, phone
    /// and address, decided (1,000 yuan) and published: the publication.
    async fn published_decision(db: &TestDb, app: &TestApp) -> Value {
        case_kit::held_by_a(app, case_kit::item(ITEM, "对违反测试条例行为的处罚")).await;
        let officer = app.session("officer").await;
        let (s1, s2) = (
            case_kit::staff_of(db, "officer").await,
            case_kit::staff_of(db, "officer2").await,
        );
        let id = case_kit::open_case(app, &officer, ITEM, "张三丰占道经营案").await;
        ok(app
            .send_as(
                &officer,
                Method::PUT,
                &format!("/api/v1/cases/{id}/party"),
                Some(
                    json!({"kind": "person", "name": "张三丰", "id_number": id_number(),
                    "phone": PHONE, "address": HOME}),
                ),
            )
            .await)
        .await;
        step(
            app,
            &officer,
            &id,
            json!({"action": "investigate", "kind": "现场检查", "officers": [s1, s2],
                "credentials_shown": true}),
        )
        .await;
        step(
            app,
            &officer,
            &id,
            json!({"action": "serve_notice", "notice": {
                "penalty": {"fine": 100_000}, "discretion": {"tier": 0},
                "facts": facts(), "reasons": "违反《测试条例》第五条", "basis": ["《测试条例》第十条"],
                "statement_rights": true, "hearing_right": false, "statement_days": 3}}),
        )
        .await;
        step(
            app,
            &officer,
            &id,
            json!({"action": "waive", "statement": true, "hearing": false}),
        )
        .await;
        let v = step(
            app,
            &officer,
            &id,
            json!({"action": "decide", "decision": {"kind": "penalise", "letter": {
                "number": format!("宁城关罚决字〔2026〕第{}号", &id[id.len() - 4..]),
                "party_name": "张三丰", "party_address": HOME, "facts": facts(),
                "evidence": ["现场检查笔录"], "penalty": {"fine": 100_000},
                "discretion": {"tier": 0}, "basis": ["《测试条例》第十条"],
                "correction": "立即停止占道经营",
                "performance": "自收到本决定书之日起十五日内到指定银行缴纳罚款",
                "remedies": {"reconsideration_body": "宁陵县人民政府", "reconsideration_days": 60,
                    "court": "宁陵县人民法院", "litigation_months": 6},
                "agency": "宁陵县城关回族镇人民政府", "date": case_kit::today(), "sealed": true}}}),
        )
        .await;
        assert_eq!(v["status"], "decided");
        // the staff's view of the case holds the numbers whole
        let staff = ok(app.get_as(&officer, &format!("/api/v1/cases/{id}")).await).await;
        assert!(
            personal_numbers(&staff.to_string()).contains(&id_number()),
            "the scan finds the party's ID number where staff see it"
        );
        let r = app
            .send_as(
                &app.session("reviewer").await,
                Method::POST,
                &format!("/api/v1/cases/{id}/publication"),
                None,
            )
            .await;
        assert_eq!(r.status(), 201, "published");
        r.json().await.unwrap()
    }

    pub async fn public_responses_carry_no_personal_data(db: &TestDb) {
        // the scan finds what it must, and not what it must not
        assert_eq!(personal_numbers("电话13812345678。"), ["13812345678"]);
        assert_eq!(personal_numbers("tel:+8613812345678"), ["8613812345678"]);
        assert_eq!(
            personal_numbers("证件41142319900307021X，"),
            ["41142319900307021X"]
        );
        assert_eq!(personal_numbers(&id_number()), [id_number()]);
        assert!(
            personal_numbers(
                "138****5678 411423********0213 [115.13812345678,34.1] 12812345678 \
                 138123456789 YW2K7Q13812 1750000000000"
            )
            .is_empty()
        );
        let app = spawn_demo(db).await;
        let dispatcher = app.session("dispatcher").await;
        let (lon, lat) = grid_point(&app, &dispatcher, A, 0).await.0;
        let id = id_number();
        let words = format!("门口有人占道经营，我的电话{PHONE}，身份证号{id}，手机+8613912345678");

        // a public complaint
        let r = app
            .client
            .post(app.url("/api/v1/public/complaints"))
            .json(&json!({"description": words, "lon": lon, "lat": lat}))
            .send()
            .await
            .unwrap();
        let code = ok(r).await["tracking_code"].as_str().unwrap().to_string();
        // a grid worker's report
        let gw = app.session("gridworker").await;
        ok(app
            .send_as(
                &gw,
                Method::POST,
                "/api/v1/reports",
                Some(
                    json!({"channel": "grid_worker", "lon": lon + 0.0005, "lat": lat,
                    "description": format!("沿街商户乱堆放，店主电话{PHONE}，身份证{id}")}),
                ),
            )
            .await)
        .await;
        // a published penalty decision
        let publication = published_decision(db, &app).await;
        let publication = publication["id"].as_str().unwrap().to_string();
        // an Open311 request, when the endpoint is there
        let open311 = app.get("/open311/v2/services.json").await.status() == 200;
        if !open311 {
            eprintln!("no Open311 endpoint: its answers are not scanned");
        }
        let mut open311_paths = Vec::new();
        if open311 {
            let (lat_s, lon_s) = (lat.to_string(), (lon - 0.0005).to_string());
            let r = app
                .client
                .post(app.url("/open311/v2/requests.json"))
                .form(&[
                    ("service_code", "TS"),
                    ("lat", lat_s.as_str()),
                    ("long", lon_s.as_str()),
                    ("description", words.as_str()),
                    ("phone", "13700001111"),
                    ("first_name", "三丰"),
                    ("last_name", "张"),
                ])
                .send()
                .await
                .unwrap();
            let v = ok(r).await;
            let token = v[0]["token"].as_str().expect("a token").to_string();
            let t = ok(app.get(&format!("/open311/v2/tokens/{token}.json")).await).await;
            let sr = t[0]["service_request_id"].as_str().map(str::to_string);
            for p in [
                "discovery.json",
                "services.json",
                "services.xml",
                "requests.json",
                "requests.xml",
                "requests.json?status=open",
            ] {
                open311_paths.push(format!("/open311/v2/{p}"));
            }
            open311_paths.push(format!("/open311/v2/tokens/{token}.json"));
            if let Some(sr) = sr {
                open311_paths.push(format!("/open311/v2/requests/{sr}.json"));
                open311_paths.push(format!("/open311/v2/requests/{sr}.xml"));
            }
        }

        // the numbers are in the system, whole, where staff see them
        let queue = app
            .get_as(&dispatcher, "/api/v1/reports?per_page=100")
            .await
            .text()
            .await
            .unwrap();
        let found = personal_numbers(&queue);
        for n in [PHONE, id.as_str(), "8613912345678"] {
            assert!(
                found.iter().any(|f| f == n),
                "the scan finds {n} in the staff's queue: {found:?}"
            );
        }

        // every public answer, without login, in both languages
        let mut paths: Vec<String> = [
            format!("/api/v1/public/complaints/{code}"),
            format!("/api/v1/public/complaints/{}", code.to_lowercase()),
            "/api/v1/public/decisions".into(),
            format!("/api/v1/public/decisions?township={A}"),
            format!("/api/v1/public/decisions/{publication}"),
            "/api/v1/power-items?per_page=100".into(),
            format!("/api/v1/power-items?township={A}&per_page=100"),
            format!("/api/v1/power-items/{ITEM}"),
            format!("/api/v1/power-items/{ITEM}/versions"),
            format!("/api/v1/power-items/{ITEM}/basis?act_date=2026-03-01"),
            format!("/api/v1/power-items/{ITEM}/flowchart.svg"),
            format!("/api/v1/townships/{A}/power-items/{ITEM}"),
            format!("/api/v1/devolutions/compare?townships={A},{B}"),
            "/api/v1/power-items/export?format=json".into(),
            "/api/v1/power-items/export?format=csv".into(),
            "/api/v1/overview".into(),
            "/api/v1/areas".into(),
            "/api/v1/areas?level=village".into(),
            "/api/v1/jurisdictions".into(),
            "/api/v1/version".into(),
            "/api/openapi.json".into(),
            "/healthz".into(),
            "/readyz".into(),
            "/metrics".into(),
            // pages
            "/".into(),
            "/login".into(),
            "/map".into(),
            "/power-list".into(),
            format!("/power-list?township={A}"),
            format!("/power-list/{ITEM}"),
            format!("/power-list/{ITEM}/history"),
            format!("/power-list/compare?townships={A},{B}"),
            format!("/portal/complaint?code={code}"),
            "/portal".into(),
            "/portal/decisions".into(),
            format!("/portal/decisions?township={A}"),
            format!("/portal/decisions/{publication}"),
            "/help/indicators".into(),
            "/api/docs".into(),
        ]
        .into_iter()
        .collect();
        paths.extend(open311_paths);
        let mut leaks = Vec::new();
        for path in &paths {
            for lang in ["zh-CN", "en"] {
                let r = app
                    .client
                    .get(app.url(path))
                    .header("accept-language", lang)
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                if status != 200 {
                    leaks.push(format!("GET {path} ({lang}): answered {status}, not 200"));
                    continue;
                }
                let text = r.text().await.unwrap();
                let numbers = personal_numbers(&text);
                let mut whole: Vec<String> = [
                    PHONE,
                    id.as_str(),
                    "13912345678",
                    "13700001111",
                    "建设路12号",
                ]
                .iter()
                .filter(|s| text.contains(**s))
                .map(|s| s.to_string())
                .collect();
                whole.extend(numbers);
                whole.sort();
                whole.dedup();
                if !whole.is_empty() {
                    leaks.push(format!("GET {path} ({lang}): {whole:?}"));
                }
            }
        }
        assert!(
            leaks.is_empty(),
            "public answers with personal data (or not answering):\n{}",
            leaks.join("\n")
        );

        // the public answers were not empty: the seeded data is in them
        let track = ok(app.get(&format!("/api/v1/public/complaints/{code}")).await).await;
        assert_eq!(track["status"], "received");
        let decisions = ok(app.get("/api/v1/public/decisions").await).await;
        assert!(decisions["total"].as_u64() >= Some(1), "{decisions}");
        let one = ok(app
            .get(&format!("/api/v1/public/decisions/{publication}"))
            .await)
        .await;
        let facts = one["decision"]["facts"].as_str().unwrap();
        assert!(
            facts.contains("138****5678"),
            "masked, not dropped: {facts}"
        );
        let page = app
            .get(&format!("/portal/decisions/{publication}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("138****5678"), "the portal shows it masked");
        if open311 {
            let list = ok(app.get("/open311/v2/requests.json").await).await;
            assert!(
                list.as_array().unwrap().iter().any(|r| r["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("占道经营"))),
                "the Open311 request is listed: {list}"
            );
        }
    }
}

store::both_databases!(crate::cases =>
    every_page_carries_the_security_headers,
    uploads_are_never_served_as_something_executable,
    public_responses_carry_no_personal_data,
);

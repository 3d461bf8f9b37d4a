//! Calling the Open311 endpoint as a client would, and reading its answers.

use serde_json::Value;

use super::common::TestApp;
use super::schema::{check_json, check_xml};

/// An answer: status, content type and body as sent.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        assert!(
            self.content_type.starts_with("application/json"),
            "{}: {}",
            self.content_type,
            self.body
        );
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    pub fn xml(&self) -> &str {
        assert!(
            self.content_type.starts_with("text/xml"),
            "{}: {}",
            self.content_type,
            self.body
        );
        &self.body
    }

    /// Assert a 200 answer.
    pub fn ok(self) -> Self {
        assert_eq!(self.status, 200, "{}", self.body);
        self
    }
}

async fn read(r: reqwest::RequestBuilder) -> Answer {
    let resp = r.send().await.expect("request");
    Answer {
        status: resp.status().as_u16(),
        content_type: resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        body: resp.text().await.expect("body"),
    }
}

fn url(app: &TestApp, path: &str) -> String {
    app.url(&format!("/open311/v2/{path}"))
}

/// GET a resource under the endpoint (`services.json`…).
pub async fn get(app: &TestApp, path: &str) -> Answer {
    read(app.client.get(url(app, path))).await
}

pub async fn get_en(app: &TestApp, path: &str) -> Answer {
    read(
        app.client
            .get(url(app, path))
            .header("Accept-Language", "en"),
    )
    .await
}

/// POST a form to the endpoint, with extra headers.
pub async fn post(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Answer {
    let mut r = app.client.post(url(app, path)).form(form);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    read(r).await
}

/// POST a body of any content type.
pub async fn post_body(app: &TestApp, path: &str, content_type: &str, body: &str) -> Answer {
    let r = app
        .client
        .post(url(app, path))
        .header("content-type", content_type)
        .body(body.to_string());
    read(r).await
}

/// Assert an error answer with this status in the format of `path`, as
/// the spec's error list with the status as its code; its description.
pub fn error(a: &Answer, status: u16, xml: bool) -> String {
    assert_eq!(a.status, status, "{}", a.body);
    if xml {
        let root = check_xml(a.xml(), "errors.schema.json");
        let e = &root.children[0];
        let field = |n: &str| {
            e.children
                .iter()
                .find(|c| c.name == n)
                .unwrap()
                .text
                .clone()
        };
        assert_eq!(field("code"), status.to_string());
        field("description")
    } else {
        let v = a.json();
        check_json(&v, "errors.schema.json");
        assert_eq!(v[0]["code"], status.to_string());
        v[0]["description"].as_str().unwrap().to_string()
    }
}

/// A child element's text.
pub fn text(n: &super::schema::Node, name: &str) -> String {
    n.children
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no <{name}> in <{}>", n.name))
        .text
        .clone()
}

/// Mobile numbers (1[3-9] and nine digits) and 18-character ID numbers
/// (seventeen digits and a digit or X) anywhere in a text.
pub fn personal_numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        for w in run.as_bytes().windows(11) {
            if w[0] == b'1' && (b'3'..=b'9').contains(&w[1]) {
                found.push(String::from_utf8_lossy(w).into_owned());
            }
        }
        if run.len() >= 18 || (run.len() == 17 && matches!(chars.get(i), Some('X' | 'x'))) {
            found.push(run);
        }
    }
    found
}

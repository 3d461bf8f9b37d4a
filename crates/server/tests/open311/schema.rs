//! A small structural validator for the fixture schemas (the keywords they
//! use: type, required, properties, additionalProperties, items, enum,
//! oneOf, minItems, minLength, maxLength, minimum, maximum, format
//! date-time), and the same schemas applied to the XML form through their
//! `x-xml-root` / `x-xml-item` annotations.

use std::collections::BTreeSet;

use quick_xml::events::Event;
use serde_json::Value;

pub fn load(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/open311/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    if name.ends_with(".json") {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    } else {
        Value::String(text)
    }
}

/// W3C date-time with seconds and an explicit offset (Z or ±hh:mm).
pub fn is_w3_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let rest = &s[i..];
    rest == "Z"
        || (rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes()[3] == b':'
            && rest[1..3]
                .bytes()
                .chain(rest[4..].bytes())
                .all(|c| c.is_ascii_digit()))
}

fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// Every way `v` breaks `schema`, with its JSON path.
pub fn json_errors(v: &Value, schema: &Value, path: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let ts = types(schema);
    let type_ok = ts.is_empty()
        || ts.iter().any(|t| match *t {
            "null" => v.is_null(),
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "number" => v.is_number(),
            "integer" => v.is_i64() || v.is_u64(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => false,
        });
    if !type_ok {
        return vec![format!("{path}: {v} is not of type {ts:?}")];
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !v.is_null()
        && !allowed.contains(v)
    {
        errs.push(format!("{path}: {v} not in {allowed:?}"));
    }
    if let Some(s) = v.as_str() {
        let n = s.chars().count() as u64;
        if schema["minLength"].as_u64().is_some_and(|m| n < m) {
            errs.push(format!("{path}: too short"));
        }
        if schema["maxLength"].as_u64().is_some_and(|m| n > m) {
            errs.push(format!("{path}: too long"));
        }
        if schema["format"] == "date-time" && !is_w3_datetime(s) {
            errs.push(format!("{path}: {s} is not a date-time with an offset"));
        }
    }
    if let Some(x) = v.as_f64()
        && (schema["minimum"].as_f64().is_some_and(|m| x < m)
            || schema["maximum"].as_f64().is_some_and(|m| x > m))
    {
        errs.push(format!("{path}: {x} out of range"));
    }
    if let Some(items) = v.as_array() {
        if schema["minItems"]
            .as_u64()
            .is_some_and(|m| (items.len() as u64) < m)
        {
            errs.push(format!("{path}: too few items"));
        }
        for (i, item) in items.iter().enumerate() {
            errs.extend(json_errors(item, &schema["items"], &format!("{path}[{i}]")));
        }
    }
    if let Some(obj) = v.as_object() {
        for r in schema["required"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap_or_default();
            if !obj.contains_key(r) {
                errs.push(format!("{path}: missing {r}"));
            }
        }
        for (k, val) in obj {
            match schema["properties"].get(k) {
                Some(s) => errs.extend(json_errors(val, s, &format!("{path}.{k}"))),
                None if schema["additionalProperties"] == false => {
                    errs.push(format!("{path}: unexpected {k}"))
                }
                None => {}
            }
        }
    }
    if let Some(alts) = schema["oneOf"].as_array() {
        let passing = alts
            .iter()
            .filter(|s| json_errors(v, s, path).is_empty())
            .count();
        if passing != 1 {
            errs.push(format!("{path}: matches {passing} of oneOf, not exactly 1"));
        }
    }
    errs
}

/// An XML element: its name, text and children (no attributes allowed).
#[derive(Debug)]
pub struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

/// Parse a GeoReport v2 XML document: an XML declaration with UTF-8, no
/// attributes, no namespaces.
pub fn parse_xml(doc: &str) -> Node {
    let mut r = quick_xml::Reader::from_str(doc);
    let mut stack: Vec<Node> = vec![Node {
        name: String::new(),
        text: String::new(),
        children: vec![],
    }];
    let mut declared = false;
    loop {
        match r
            .read_event()
            .unwrap_or_else(|e| panic!("not XML: {e}\n{doc}"))
        {
            Event::Decl(d) => {
                let enc = d.encoding().expect("an encoding").expect("readable");
                assert!(enc.eq_ignore_ascii_case("utf-8"), "encoding {enc}");
                declared = true;
            }
            Event::Start(e) => {
                assert_eq!(e.attributes().count(), 0, "no attributes: {doc}");
                stack.push(Node {
                    name: e.name().0.to_string(),
                    text: String::new(),
                    children: vec![],
                });
            }
            Event::Empty(e) => {
                assert_eq!(e.attributes().count(), 0, "no attributes: {doc}");
                let n = Node {
                    name: e.name().0.to_string(),
                    text: String::new(),
                    children: vec![],
                };
                stack.last_mut().unwrap().children.push(n);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(g) => {
                let c = match g.resolve_char_ref().expect("char ref") {
                    Some(c) => c,
                    None => match &*g {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("unknown entity {other}"),
                    },
                };
                stack.last_mut().unwrap().text.push(c);
            }
            Event::End(_) => {
                let n = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(n);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(declared, "an XML declaration: {doc}");
    let mut top = stack.pop().unwrap();
    assert_eq!(top.children.len(), 1, "one root element");
    let mut root = top.children.pop().unwrap();
    trim(&mut root);
    assert!(
        !root.name.contains(':') && !doc.contains("xmlns"),
        "no namespace"
    );
    root
}

fn trim(n: &mut Node) {
    if !n.children.is_empty() {
        assert!(
            n.text.trim().is_empty(),
            "<{}> mixes text and elements",
            n.name
        );
        n.text.clear();
    }
    n.children.iter_mut().for_each(trim);
}

/// Every way an XML element breaks the schema of its JSON form.
pub fn xml_errors(n: &Node, schema: &Value, path: &str) -> Vec<String> {
    let ts = types(schema);
    let path = format!("{path}/{}", n.name);
    if ts.contains(&"array") {
        let item = schema["x-xml-item"]
            .as_str()
            .expect("x-xml-item on every list");
        let mut errs = Vec::new();
        if schema["minItems"]
            .as_u64()
            .is_some_and(|m| (n.children.len() as u64) < m)
        {
            errs.push(format!("{path}: too few items"));
        }
        for c in &n.children {
            if c.name != item {
                errs.push(format!("{path}: <{}> where <{item}> belongs", c.name));
            }
            errs.extend(xml_errors(c, &schema["items"], &path));
        }
        return errs;
    }
    if ts.contains(&"object") {
        let mut errs = Vec::new();
        let names: Vec<&str> = n.children.iter().map(|c| c.name.as_str()).collect();
        for r in schema["required"].as_array().into_iter().flatten() {
            if !names.contains(&r.as_str().unwrap_or_default()) {
                errs.push(format!("{path}: missing <{r}>"));
            }
        }
        for c in &n.children {
            match schema["properties"].get(&c.name) {
                Some(s) => errs.extend(xml_errors(c, s, &path)),
                None => errs.push(format!("{path}: unexpected <{}>", c.name)),
            }
        }
        if let Some(alts) = schema["oneOf"].as_array() {
            let passing = alts
                .iter()
                .filter(|s| {
                    s["required"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .all(|r| names.contains(&r.as_str().unwrap_or_default()))
                })
                .count();
            if passing != 1 {
                errs.push(format!("{path}: matches {passing} of oneOf"));
            }
        }
        return errs;
    }
    if !n.children.is_empty() {
        return vec![format!("{path}: a value, not elements")];
    }
    let t = n.text.as_str();
    if t.is_empty() {
        let ok = ts.contains(&"null") || (ts.contains(&"string") && schema["minLength"].is_null());
        return if ok {
            vec![]
        } else {
            vec![format!("{path}: empty")]
        };
    }
    // the text as its JSON value, checked by the JSON rules
    let v = if ts.contains(&"boolean") {
        match t {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(t.into()),
        }
    } else if ts.contains(&"integer") {
        t.parse::<i64>()
            .map(Value::from)
            .unwrap_or(Value::String(t.into()))
    } else if ts.contains(&"number") {
        t.parse::<f64>()
            .map(Value::from)
            .unwrap_or(Value::String(t.into()))
    } else {
        Value::String(t.into())
    };
    json_errors(&v, schema, &path)
}

/// Validate a document in both forms against the named schema.
pub fn check_json(v: &Value, schema: &str) {
    let errs = json_errors(v, &load(schema), "$");
    assert!(errs.is_empty(), "{schema}: {errs:#?}\n{v:#}");
}

pub fn check_xml(doc: &str, schema: &str) -> Node {
    let s = load(schema);
    let root = parse_xml(doc);
    assert_eq!(
        Some(root.name.as_str()),
        s["x-xml-root"].as_str(),
        "root element"
    );
    let errs = xml_errors(&root, &s, "");
    assert!(errs.is_empty(), "{schema}: {errs:#?}\n{doc}");
    root
}

/// The element paths of a document (`services/service/service_code`…).
pub fn paths(n: &Node) -> BTreeSet<String> {
    let mut out = BTreeSet::from([n.name.clone()]);
    for c in &n.children {
        for p in paths(c) {
            out.insert(format!("{}/{p}", n.name));
        }
    }
    out
}

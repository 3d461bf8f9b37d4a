//! The XML of GeoReport v2: no namespace, no attributes, every list in a
//! container element (`<services><service>…`), an absent value as an empty
//! element. Written by hand in the spec's element order; the JSON of the
//! same structs is their serde form (the Spark convention drops the
//! containers).

/// An XML document being written.
pub struct Xml(String);

impl Xml {
    /// A whole document: the declaration and the root element.
    pub fn document(root: &str, body: impl FnOnce(&mut Xml)) -> String {
        let mut x = Xml(String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"));
        x.node(root, body);
        x.0.push('\n');
        x.0
    }

    /// An element holding other elements.
    pub fn node(&mut self, name: &str, body: impl FnOnce(&mut Xml)) {
        self.0.push('<');
        self.0.push_str(name);
        self.0.push('>');
        body(self);
        self.0.push_str("</");
        self.0.push_str(name);
        self.0.push('>');
    }

    /// An element holding text; empty when there is none.
    pub fn leaf(&mut self, name: &str, text: Option<&str>) {
        match text {
            Some(t) if !t.is_empty() => {
                self.0.push('<');
                self.0.push_str(name);
                self.0.push('>');
                escape_into(&mut self.0, t);
                self.0.push_str("</");
                self.0.push_str(name);
                self.0.push('>');
            }
            _ => {
                self.0.push('<');
                self.0.push_str(name);
                self.0.push_str("/>");
            }
        }
    }

    pub fn text(&mut self, name: &str, text: &str) {
        self.leaf(name, Some(text));
    }

    pub fn flag(&mut self, name: &str, v: bool) {
        self.leaf(name, Some(if v { "true" } else { "false" }));
    }

    pub fn number(&mut self, name: &str, v: Option<f64>) {
        self.leaf(name, v.map(|v| v.to_string()).as_deref());
    }

    /// A container of elements, each written by `item`.
    pub fn list<T>(&mut self, name: &str, items: &[T], item: impl Fn(&mut Xml, &T)) {
        if items.is_empty() {
            return self.leaf(name, None);
        }
        self.node(name, |x| {
            for i in items {
                item(x, i);
            }
        });
    }
}

/// Text as XML character data: markup escaped, and the characters XML 1.0
/// cannot carry (control characters other than tab and line breaks) left out.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// A document in GeoReport v2 XML.
pub trait ToXml {
    fn to_xml(&self) -> String;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_forbidden_characters_dropped() {
        let doc = Xml::document("errors", |x| {
            x.node("error", |x| {
                x.text("code", "400");
                x.text("description", "a<b & \"c\" 'd'\u{1}\n");
                x.leaf("empty", None);
            })
        });
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<errors><error><code>400</code>\
             <description>a&lt;b &amp; &quot;c&quot; &apos;d&apos;\n</description><empty/></error></errors>\n"
        );
    }
}

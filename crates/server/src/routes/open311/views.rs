//! The documents of GeoReport v2, field for field in the spec's order: the
//! serde form is the JSON, [`ToXml`] the XML.

use axum::http::StatusCode;
use serde::Serialize;

use super::xml::{ToXml, Xml};

#[derive(Serialize)]
pub struct Discovery {
    pub changeset: String,
    pub contact: String,
    pub key_service: String,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Serialize)]
pub struct Endpoint {
    pub specification: &'static str,
    pub url: String,
    pub changeset: String,
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub formats: Vec<&'static str>,
}

impl ToXml for Discovery {
    fn to_xml(&self) -> String {
        Xml::document("discovery", |x| {
            x.text("changeset", &self.changeset);
            x.text("contact", &self.contact);
            x.text("key_service", &self.key_service);
            x.list("endpoints", &self.endpoints, |x, e| {
                x.node("endpoint", |x| {
                    x.text("specification", e.specification);
                    x.text("url", &e.url);
                    x.text("changeset", &e.changeset);
                    x.text("type", e.type_);
                    x.list("formats", &e.formats, |x, f| x.text("format", f));
                })
            });
        })
    }
}

#[derive(Serialize, Clone)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub keywords: String,
    pub group: String,
}

/// `services`: a list.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Services(pub Vec<Service>);

impl ToXml for Services {
    fn to_xml(&self) -> String {
        Xml::document("services", |x| {
            for s in &self.0 {
                x.node("service", |x| {
                    x.text("service_code", &s.service_code);
                    x.text("service_name", &s.service_name);
                    x.text("description", &s.description);
                    x.flag("metadata", s.metadata);
                    x.text("type", s.type_);
                    x.text("keywords", &s.keywords);
                    x.text("group", &s.group);
                })
            }
        })
    }
}

#[derive(Serialize)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

#[derive(Serialize)]
pub struct Attribute {
    pub variable: bool,
    pub code: &'static str,
    pub datatype: &'static str,
    pub required: bool,
    pub datatype_description: Option<String>,
    pub order: u32,
    pub description: String,
    pub values: Vec<AttributeValue>,
}

#[derive(Serialize)]
pub struct AttributeValue {
    pub key: &'static str,
    pub name: &'static str,
}

impl ToXml for ServiceDefinition {
    fn to_xml(&self) -> String {
        Xml::document("service_definition", |x| {
            x.text("service_code", &self.service_code);
            x.list("attributes", &self.attributes, |x, a| {
                x.node("attribute", |x| {
                    x.flag("variable", a.variable);
                    x.text("code", a.code);
                    x.text("datatype", a.datatype);
                    x.flag("required", a.required);
                    x.leaf("datatype_description", a.datatype_description.as_deref());
                    x.text("order", &a.order.to_string());
                    x.text("description", &a.description);
                    x.list("values", &a.values, |x, v| {
                        x.node("value", |x| {
                            x.text("key", v.key);
                            x.text("name", v.name);
                        })
                    });
                })
            });
        })
    }
}

/// A service request as the public sees it.
#[derive(Serialize)]
pub struct Request {
    pub service_request_id: String,
    /// `open` or `closed`
    pub status: &'static str,
    pub status_notes: Option<String>,
    pub service_name: Option<String>,
    pub service_code: String,
    pub description: Option<String>,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: Option<String>,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// `service_requests`: a list of requests.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Requests(pub Vec<Request>);

impl ToXml for Requests {
    fn to_xml(&self) -> String {
        Xml::document("service_requests", |x| {
            for r in &self.0 {
                x.node("request", |x| {
                    x.text("service_request_id", &r.service_request_id);
                    x.text("status", r.status);
                    x.leaf("status_notes", r.status_notes.as_deref());
                    x.leaf("service_name", r.service_name.as_deref());
                    x.text("service_code", &r.service_code);
                    x.leaf("description", r.description.as_deref());
                    x.leaf("agency_responsible", r.agency_responsible.as_deref());
                    x.leaf("service_notice", r.service_notice.as_deref());
                    x.text("requested_datetime", &r.requested_datetime);
                    x.leaf("updated_datetime", r.updated_datetime.as_deref());
                    x.leaf("expected_datetime", r.expected_datetime.as_deref());
                    x.leaf("address", r.address.as_deref());
                    x.leaf("address_id", r.address_id.as_deref());
                    x.leaf("zipcode", r.zipcode.as_deref());
                    x.number("lat", r.lat);
                    x.number("long", r.long);
                    x.leaf("media_url", r.media_url.as_deref());
                })
            }
        })
    }
}

/// The answer to `POST requests`: a token (the services are of type
/// `batch`), never also the service_request_id.
#[derive(Serialize)]
pub struct Created {
    pub token: String,
    pub service_notice: Option<String>,
    pub account_id: Option<String>,
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct CreatedList(pub Vec<Created>);

impl ToXml for CreatedList {
    fn to_xml(&self) -> String {
        Xml::document("service_requests", |x| {
            for c in &self.0 {
                x.node("request", |x| {
                    x.text("token", &c.token);
                    x.leaf("service_notice", c.service_notice.as_deref());
                    x.leaf("account_id", c.account_id.as_deref());
                })
            }
        })
    }
}

/// The answer to `GET tokens/{token}`.
#[derive(Serialize)]
pub struct Token {
    pub service_request_id: String,
    pub token: String,
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Tokens(pub Vec<Token>);

impl ToXml for Tokens {
    fn to_xml(&self) -> String {
        Xml::document("service_requests", |x| {
            for t in &self.0 {
                x.node("request", |x| {
                    x.text("service_request_id", &t.service_request_id);
                    x.text("token", &t.token);
                })
            }
        })
    }
}

#[derive(Serialize)]
pub struct ErrorItem {
    /// The HTTP status, as a string.
    pub code: String,
    pub description: String,
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Errors(pub Vec<ErrorItem>);

impl Errors {
    pub fn one(status: StatusCode, description: &str) -> Errors {
        Errors(vec![ErrorItem {
            code: status.as_u16().to_string(),
            description: description.to_string(),
        }])
    }
}

impl ToXml for Errors {
    fn to_xml(&self) -> String {
        Xml::document("errors", |x| {
            for e in &self.0 {
                x.node("error", |x| {
                    x.text("code", &e.code);
                    x.text("description", &e.description);
                })
            }
        })
    }
}

//! What the public can report: service discovery, the services and their
//! definitions. A service is a penalty item of the power list that a
//! township holds (`CG-CF-001`…), or a complaint category for when the
//! reporter does not know the item: one per field with such items
//! (`TS-CG`, 城市管理类问题…) and a general one (`TS`). A category's
//! report is classified by the command centre from its description.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::Response;
use domain::Lang;
use domain::powerlist::{Field, Item};

use super::views::{
    Attribute, AttributeValue, Discovery, Endpoint, Service, ServiceDefinition, Services,
};
use super::{BASE, Format, no_such, reply, w3};
use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::state::AppState;

/// The code prefix of each field's items (and so of its category).
const FIELDS: [(Field, &str); 11] = [
    (Field::UrbanManagement, "CG"),
    (Field::Ecology, "HJ"),
    (Field::Market, "SJ"),
    (Field::Culture, "WH"),
    (Field::Transport, "JT"),
    (Field::Agriculture, "NY"),
    (Field::NaturalResources, "ZR"),
    (Field::Health, "WS"),
    (Field::Emergency, "YJ"),
    (Field::Water, "SL"),
    (Field::Forestry, "LY"),
];

/// The general complaint category.
pub const GENERAL: &str = "TS";

/// One service and the item a report under it names, if any.
pub struct Entry {
    pub service: Service,
    pub item_code: Option<String>,
}

/// Every service open to the public, in the caller's language.
pub struct Catalogue(pub Vec<Entry>);

impl Catalogue {
    pub async fn load(state: &AppState, lang: Lang) -> Result<Catalogue, ApiError> {
        let mut conn = state.store.acquire().await?;
        let items = store::open311::public_items(&mut conn).await?;
        Ok(Catalogue::of(&items, lang))
    }

    pub fn of(items: &[Item], lang: Lang) -> Catalogue {
        let mut out: Vec<Entry> = items.iter().map(|i| item_entry(i, lang)).collect();
        for (field, prefix) in FIELDS {
            if items.iter().any(|i| i.field == field) {
                out.push(category(format!("{GENERAL}-{prefix}"), Some(field), lang));
            }
        }
        out.push(category(GENERAL.into(), None, lang));
        Catalogue(out)
    }

    pub fn find(&self, code: &str) -> Option<&Entry> {
        self.0.iter().find(|e| e.service.service_code == code)
    }

    pub fn name_of(&self, code: &str) -> Option<String> {
        self.find(code).map(|e| e.service.service_name.clone())
    }
}

fn group(field: Field, lang: Lang) -> String {
    lang.pick(field.zh(), field.en()).to_string()
}

fn item_entry(i: &Item, lang: Lang) -> Entry {
    // the name's own words (not the search synonyms), without filler
    const FILLER: [&str; 5] = ["处罚", "或者", "以及", "按规定", "未经"];
    let keywords: Vec<String> = yiwang_search::query_tokens(&i.name)
        .into_iter()
        .filter(|t| {
            t.chars().count() >= 2 && i.name.contains(t.as_str()) && !FILLER.contains(&t.as_str())
        })
        .take(6)
        .collect();
    Entry {
        service: Service {
            service_code: i.code.clone(),
            service_name: i.name.clone(),
            description: if i.description.trim().is_empty() {
                i.name.clone()
            } else {
                i.description.clone()
            },
            metadata: true,
            type_: "batch",
            keywords: keywords.join(", "),
            group: group(i.field, lang),
        },
        item_code: Some(i.code.clone()),
    }
}

fn category(code: String, field: Option<Field>, lang: Lang) -> Entry {
    let (name, group) = match field {
        Some(f) => (
            lang.pick(&format!("{}类问题", f.zh()), &format!("{} issue", f.en()))
                .to_string(),
            self::group(f, lang),
        ),
        None => (
            lang.pick("其他问题", "Other issue").to_string(),
            lang.pick("综合", "General").to_string(),
        ),
    };
    let keywords = match field {
        Some(f) => format!("{}, {}, 投诉, 举报", f.zh(), f.en()),
        None => "投诉, 举报, 其他".to_string(),
    };
    Entry {
        service: Service {
            service_code: code,
            service_name: name,
            description: lang
                .pick(
                    "不清楚具体属于哪一项违法行为时选择，指挥中心将根据描述归类办理",
                    "Choose this when unsure which offence it is; the command centre classifies it from the description",
                )
                .to_string(),
            metadata: true,
            type_: "batch",
            keywords,
            group,
        },
        item_code: None,
    }
}

/// The attributes every service takes: when it happened, and the
/// coordinate system of lat/long for map apps that give GCJ-02 or BD-09
/// (WGS84, the spec's, by default).
fn attributes(lang: Lang) -> Vec<Attribute> {
    vec![
        Attribute {
            variable: true,
            code: "occurred_at",
            datatype: "datetime",
            required: false,
            datatype_description: Some(
                lang.pick(
                    "ISO 8601，含时区，如 2026-11-28T09:30:00+08:00",
                    "ISO 8601 with an offset, e.g. 2026-11-28T09:30:00+08:00",
                )
                .into(),
            ),
            order: 1,
            description: lang
                .pick(
                    "发生时间；不填为提交时间",
                    "When it happened; default: when submitted",
                )
                .into(),
            values: vec![],
        },
        Attribute {
            variable: true,
            code: "crs",
            datatype: "singlevaluelist",
            required: false,
            datatype_description: None,
            order: 2,
            description: lang
                .pick(
                    "lat/long 的坐标系；不填为 WGS84",
                    "The coordinate system of lat/long; default: WGS84",
                )
                .into(),
            values: vec![
                AttributeValue {
                    key: "wgs84",
                    name: "WGS84",
                },
                AttributeValue {
                    key: "gcj02",
                    name: "GCJ-02",
                },
                AttributeValue {
                    key: "bd09",
                    name: "BD-09",
                },
            ],
        },
    ]
}

/// `GET discovery.{json,xml}`
pub async fn discovery(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let fmt = Format::of(&uri);
    let r = async {
        let mut conn = state.store.acquire().await?;
        let changeset = store::open311::changeset(&mut conn)
            .await?
            .and_then(|c| w3(&c))
            .unwrap_or_else(|| "1970-01-01T08:00:00+08:00".into());
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("localhost");
        let scheme = match headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
            Some(p) if p == "https" || p == "http" => p,
            _ if state.settings.secure_cookies => "https",
            _ => "http",
        };
        Ok(Discovery {
            changeset: changeset.clone(),
            contact: lang.pick("请联系所在乡镇综合行政执法机构，或拨打 12345 政务服务便民热线", "Contact your township's administrative enforcement office, or call the 12345 hotline").into(),
            key_service: lang.pick("合作单位的 api_key 是由管理员签发的集成令牌（权限 submit_report）；无 api_key 也可匿名提交，按来源地址限制频次", "A partner's api_key is an integration token issued by an administrator (permission submit_report); anonymous submissions are accepted too, limited per address").into(),
            endpoints: vec![Endpoint {
                specification: "http://wiki.open311.org/GeoReport_v2",
                url: format!("{scheme}://{host}{BASE}"),
                changeset,
                type_: "production",
                formats: vec!["text/xml", "application/json"],
            }],
        })
    }
    .await;
    reply(fmt, lang, r)
}

/// `GET services.{json,xml}`
pub async fn services(State(state): State<AppState>, ReqLang(lang): ReqLang, uri: Uri) -> Response {
    let r = Catalogue::load(&state, lang)
        .await
        .map(|c| Services(c.0.into_iter().map(|e| e.service).collect()));
    reply(Format::of(&uri), lang, r)
}

/// `GET services/{service_code}.{json,xml}`
pub async fn definition(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path(file): Path<String>,
) -> Response {
    let Some((code, fmt)) = Format::split(&file) else {
        return super::failure(Format::Xml, lang, no_such("资源", "Resource"));
    };
    let r = async {
        let c = Catalogue::load(&state, lang).await?;
        let e = c.find(code).ok_or_else(|| no_such("服务", "Service"))?;
        Ok(ServiceDefinition {
            service_code: e.service.service_code.clone(),
            attributes: attributes(lang),
        })
    }
    .await;
    reply(fmt, lang, r)
}

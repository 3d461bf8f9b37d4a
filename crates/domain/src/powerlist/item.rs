//! An item of the list and its validation.

use serde::{Deserialize, Serialize};

use super::{LegalBasis, Step};
use crate::Error;

/// 事项类型
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemKind {
    #[serde(rename = "行政处罚")]
    Penalty,
    #[serde(rename = "行政强制")]
    Coercion,
    #[serde(rename = "行政检查")]
    Inspection,
    #[serde(rename = "其他")]
    Other,
}

impl ItemKind {
    pub const ALL: [ItemKind; 4] = [
        ItemKind::Penalty,
        ItemKind::Coercion,
        ItemKind::Inspection,
        ItemKind::Other,
    ];

    pub fn zh(self) -> &'static str {
        match self {
            ItemKind::Penalty => "行政处罚",
            ItemKind::Coercion => "行政强制",
            ItemKind::Inspection => "行政检查",
            ItemKind::Other => "其他",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ItemKind::Penalty => "Administrative penalty",
            ItemKind::Coercion => "Administrative coercion",
            ItemKind::Inspection => "Administrative inspection",
            ItemKind::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Option<ItemKind> {
        let s = s.trim();
        ItemKind::ALL
            .into_iter()
            .find(|k| k.zh() == s || k.en().eq_ignore_ascii_case(s))
    }
}

/// 执法领域
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    #[serde(rename = "城市管理")]
    UrbanManagement,
    #[serde(rename = "生态环境")]
    Ecology,
    #[serde(rename = "市场监管")]
    Market,
    #[serde(rename = "文化市场")]
    Culture,
    #[serde(rename = "交通运输")]
    Transport,
    #[serde(rename = "农业农村")]
    Agriculture,
    #[serde(rename = "自然资源")]
    NaturalResources,
    #[serde(rename = "卫生健康")]
    Health,
    #[serde(rename = "应急管理")]
    Emergency,
    #[serde(rename = "水利")]
    Water,
    #[serde(rename = "林业")]
    Forestry,
    #[serde(rename = "其他")]
    Other,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::UrbanManagement,
        Field::Ecology,
        Field::Market,
        Field::Culture,
        Field::Transport,
        Field::Agriculture,
        Field::NaturalResources,
        Field::Health,
        Field::Emergency,
        Field::Water,
        Field::Forestry,
        Field::Other,
    ];

    pub fn zh(self) -> &'static str {
        match self {
            Field::UrbanManagement => "城市管理",
            Field::Ecology => "生态环境",
            Field::Market => "市场监管",
            Field::Culture => "文化市场",
            Field::Transport => "交通运输",
            Field::Agriculture => "农业农村",
            Field::NaturalResources => "自然资源",
            Field::Health => "卫生健康",
            Field::Emergency => "应急管理",
            Field::Water => "水利",
            Field::Forestry => "林业",
            Field::Other => "其他",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Field::UrbanManagement => "Urban management",
            Field::Ecology => "Ecology and environment",
            Field::Market => "Market supervision",
            Field::Culture => "Culture market",
            Field::Transport => "Transport",
            Field::Agriculture => "Agriculture",
            Field::NaturalResources => "Natural resources",
            Field::Health => "Health",
            Field::Emergency => "Emergency management",
            Field::Water => "Water",
            Field::Forestry => "Forestry",
            Field::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        let s = s.trim();
        Field::ALL
            .into_iter()
            .find(|f| f.zh() == s || f.en().eq_ignore_ascii_case(s))
    }
}

/// One tier of the discretion benchmark (裁量基准): circumstances → fine range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscretionTier {
    pub circumstance: String,
    pub fine_min_yuan: i64,
    pub fine_max_yuan: i64,
    pub suggested: String,
}

/// An item of the list, as one version holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub code: String,
    pub name: String,
    pub kind: ItemKind,
    pub field: Field,
    #[serde(default)]
    pub description: String,
    pub legal_basis: Vec<LegalBasis>,
    #[serde(default)]
    pub discretion: Vec<DiscretionTier>,
    pub lead_department: String,
    #[serde(default)]
    pub cooperating_departments: Vec<String>,
    #[serde(default)]
    pub supervision: String,
    #[serde(default)]
    pub responsibilities: Vec<String>,
    #[serde(default)]
    pub accountability: Vec<String>,
    /// Covered by a first-offence no-penalty list (APL Art. 33).
    #[serde(default)]
    pub first_offence_no_penalty: bool,
    /// The standard procedure; empty means the kind's standard steps.
    #[serde(default)]
    pub steps: Vec<Step>,
}

fn bad(code: &'static str, field: &str, zh: String, en: String) -> Error {
    Error::invalid(code, field.to_string(), zh, en)
}

/// Check an item; every problem is named by its field.
pub fn validate_item(item: &Item) -> Result<(), Error> {
    let code_ok = !item.code.is_empty()
        && item.code.len() <= 40
        && item
            .code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !code_ok {
        return Err(bad(
            "powerlist.code",
            "code",
            format!("事项编码无效：{}", item.code),
            format!("invalid item code: {}", item.code),
        ));
    }
    if item.name.trim().is_empty() {
        return Err(bad(
            "powerlist.name",
            "name",
            "事项名称不能为空".into(),
            "the item name is required".into(),
        ));
    }
    if item.legal_basis.is_empty() {
        return Err(bad(
            "powerlist.basis",
            "legal_basis",
            "至少需要一条法律依据".into(),
            "at least one legal basis is required".into(),
        ));
    }
    for (i, b) in item.legal_basis.iter().enumerate() {
        b.validate().map_err(|e| {
            let inner = e.field.clone().unwrap_or_default();
            e.with_field(format!("legal_basis[{i}].{inner}"))
        })?;
    }
    for (i, t) in item.discretion.iter().enumerate() {
        if t.fine_min_yuan < 0 || t.fine_max_yuan < t.fine_min_yuan {
            return Err(bad(
                "powerlist.discretion",
                &format!("discretion[{i}]"),
                format!(
                    "裁量基准第 {} 档罚款区间无效：{}–{}",
                    i + 1,
                    t.fine_min_yuan,
                    t.fine_max_yuan
                ),
                format!(
                    "discretion tier {} has an invalid fine range: {}–{}",
                    i + 1,
                    t.fine_min_yuan,
                    t.fine_max_yuan
                ),
            ));
        }
    }
    if item.lead_department.trim().is_empty() {
        return Err(bad(
            "powerlist.lead",
            "lead_department",
            "主体责任部门不能为空".into(),
            "the lead department is required".into(),
        ));
    }
    for (i, s) in item.steps.iter().enumerate() {
        if s.name.trim().is_empty() {
            return Err(bad(
                "powerlist.step",
                &format!("steps[{i}].name"),
                "步骤名称不能为空".into(),
                "a step needs a name".into(),
            ));
        }
    }
    Ok(())
}

impl Item {
    /// The steps to follow: the item's own, or the kind's standard ones.
    pub fn procedure(&self) -> Vec<Step> {
        if self.steps.is_empty() {
            super::standard_steps(self.kind)
        } else {
            self.steps.clone()
        }
    }

    /// Text indexed for search: name, description, bases.
    pub fn search_text(&self) -> String {
        let mut t = format!(
            "{} {} {} {}",
            self.name,
            self.description,
            self.field.zh(),
            self.kind.zh()
        );
        for b in &self.legal_basis {
            t.push(' ');
            t.push_str(&b.law);
            t.push(' ');
            t.push_str(&b.text);
        }
        t
    }
}

//! The columns of the published layout, with the header names accepted for each.

/// (key, Chinese header written on export, other headers accepted on import)
pub const COLUMNS: &[(&str, &str, &[&str])] = &[
    ("seq", "序号", &["编号"]),
    ("code", "事项编码", &["编码", "事项代码", "权力编码"]),
    ("name", "事项名称", &["权力事项名称", "职权名称", "名称"]),
    ("kind", "事项类型", &["权力类型", "职权类型", "类别"]),
    ("field", "执法领域", &["领域", "所属领域"]),
    ("description", "事项描述", &["说明", "备注"]),
    ("law", "法律依据名称", &["依据名称", "法律法规名称"]),
    ("level", "依据层级", &["法律层级"]),
    ("article", "条款", &["条款号", "依据条款"]),
    ("text", "条文内容", &["实施依据", "法律依据", "设定依据"]),
    ("effective", "生效日期", &["施行日期"]),
    ("repealed", "废止日期", &["失效日期"]),
    ("max_fine", "最高罚款（元）", &["罚款上限"]),
    ("discretion", "裁量基准", &["裁量标准"]),
    ("lead", "主体责任部门", &["责任主体", "实施主体"]),
    ("cooperating", "配合责任部门", &["配合部门"]),
    ("supervision", "监督方式", &["监督途径"]),
    ("responsibilities", "责任事项", &[]),
    ("accountability", "追责情形", &["问责情形"]),
    ("first_offence", "首违不罚", &["首违不罚清单"]),
];

/// The column key a header names, if any.
pub fn key_for(header: &str) -> Option<&'static str> {
    let h: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    COLUMNS
        .iter()
        .find(|(_, main, alts)| *main == h || alts.contains(&h.as_str()))
        .map(|(k, _, _)| *k)
}

pub const REQUIRED: &[&str] = &[
    "code",
    "name",
    "kind",
    "field",
    "law",
    "article",
    "effective",
    "lead",
];

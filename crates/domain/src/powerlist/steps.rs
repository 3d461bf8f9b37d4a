//! Standard procedures broken into simple steps (颗粒化分解), each with the
//! role that takes it, its time limit and the provision behind it.

use serde::{Deserialize, Serialize};

use super::ItemKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    /// Who takes the step.
    pub role: String,
    /// Days allowed, where a rule sets a limit.
    #[serde(default)]
    pub time_limit_days: Option<u32>,
    /// The provision behind the step or its limit.
    #[serde(default)]
    pub basis: String,
}

fn step(name: &str, name_en: &str, role: &str, days: Option<u32>, basis: &str) -> Step {
    Step {
        name: name.into(),
        name_en: name_en.into(),
        role: role.into(),
        time_limit_days: days,
        basis: basis.into(),
    }
}

/// The standard steps of each kind of item.
pub fn standard_steps(kind: ItemKind) -> Vec<Step> {
    match kind {
        ItemKind::Penalty => vec![
            step(
                "立案",
                "Filing",
                "执法队员提出，大队长批准",
                None,
                "行政处罚法第五十四条",
            ),
            step(
                "调查取证",
                "Investigation",
                "两名以上持证执法人员",
                None,
                "行政处罚法第四十二条、第五十五条",
            ),
            step(
                "法制审核",
                "Legal review",
                "法制审核员",
                None,
                "行政处罚法第五十八条",
            ),
            step(
                "事先告知",
                "Prior notice",
                "承办执法人员",
                None,
                "行政处罚法第四十四条",
            ),
            step(
                "陈述申辩／听证",
                "Statement, defence or hearing",
                "当事人；听证主持人",
                Some(5),
                "行政处罚法第四十五条、第六十四条（听证申请五日内）",
            ),
            step(
                "作出决定",
                "Decision",
                "大队负责人（重大案件集体讨论）",
                Some(90),
                "行政处罚法第五十七条、第六十条（立案之日起九十日内）",
            ),
            step(
                "送达",
                "Service",
                "承办执法人员",
                Some(7),
                "行政处罚法第六十一条（七日内依民事诉讼法送达）",
            ),
            step(
                "执行",
                "Performance",
                "当事人；执法大队督促",
                Some(15),
                "行政处罚法第六十六条（十五日内缴纳罚款）",
            ),
            step(
                "结案归档",
                "Closure and archive",
                "承办执法人员",
                None,
                "行政处罚法第四十七条",
            ),
        ],
        ItemKind::Coercion => vec![
            step(
                "报批",
                "Approval",
                "执法队员报大队负责人批准",
                None,
                "行政强制法第十八条",
            ),
            step(
                "通知当事人到场",
                "Notify the party",
                "两名以上持证执法人员",
                None,
                "行政强制法第十八条",
            ),
            step(
                "实施查封、扣押",
                "Seal or seize",
                "两名以上持证执法人员",
                None,
                "行政强制法第十八条、第二十四条（现场笔录、清单）",
            ),
            step(
                "作出处理决定",
                "Decision on the seized items",
                "大队负责人",
                Some(30),
                "行政强制法第二十五条（三十日内）",
            ),
            step(
                "解除或依法处理",
                "Release or dispose",
                "承办执法人员",
                None,
                "行政强制法第二十七条、第二十八条",
            ),
            step(
                "归档",
                "Archive",
                "承办执法人员",
                None,
                "行政强制法第十八条",
            ),
        ],
        ItemKind::Inspection => vec![
            step(
                "制定检查计划",
                "Inspection plan",
                "中队长",
                None,
                "国办发〔2018〕118号",
            ),
            step(
                "出示证件，实施检查",
                "Show credentials and inspect",
                "两名以上持证执法人员",
                None,
                "行政处罚法第四十二条、第五十五条",
            ),
            step(
                "制作检查记录",
                "Inspection record",
                "执法人员与被检查人签字",
                None,
                "行政处罚法第四十七条",
            ),
            step(
                "处理",
                "Follow-up",
                "责令整改；发现违法的立案查处",
                None,
                "行政处罚法第二十八条、第五十四条",
            ),
            step(
                "归档",
                "Archive",
                "承办执法人员",
                None,
                "行政处罚法第四十七条",
            ),
        ],
        ItemKind::Other => vec![
            step("受理", "Accept", "执法队员", None, ""),
            step("审查", "Review", "中队长", None, ""),
            step("决定", "Decide", "大队负责人", None, ""),
            step("归档", "Archive", "承办执法人员", None, ""),
        ],
    }
}

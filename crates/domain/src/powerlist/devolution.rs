//! Devolution (APL Art. 24) and duty access (职责准入).

use serde::{Deserialize, Serialize};

use crate::{Error, ErrorKind};

/// APL Art. 24: a township acts only under an item devolved to it by a
/// published decision. `held` is whether the township holds `item_code`.
pub fn require_held(held: bool, item_code: &str, township: &str) -> Result<(), Error> {
    if held {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Forbidden,
            "powerlist.not_devolved",
            format!(
                "{township}未承接事项 {item_code}，不得以该事项执法（《行政处罚法》第二十四条）"
            ),
            format!(
                "{township} does not hold item {item_code} and may not act under it (APL Art. 24)"
            ),
        )
        .with_field("item_code"))
    }
}

/// The outcome of a county department's request that a township take on a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DutyDecision {
    /// The township holds the item: the task is within its duties.
    Accepted { item_code: String },
    /// The item is on the list but not devolved to this township: a devolution decision is needed first.
    NeedsApproval {
        item_code: String,
        reason_zh: String,
        reason_en: String,
    },
    /// Not on the list at all: refused.
    Refused {
        reason_zh: String,
        reason_en: String,
    },
}

/// 职责准入: check a requested task against the list. `on_list` is whether
/// the named item exists; `held` whether the township holds it.
pub fn duty_access(item_code: Option<&str>, on_list: bool, held: bool) -> DutyDecision {
    match item_code {
        Some(code) if on_list && held => DutyDecision::Accepted {
            item_code: code.into(),
        },
        Some(code) if on_list => DutyDecision::NeedsApproval {
            item_code: code.into(),
            reason_zh: format!(
                "事项 {code} 在权责清单内，但尚未依法赋权给本乡镇；须经县政府决定并公布后方可承接（《行政处罚法》第二十四条）"
            ),
            reason_en: format!(
                "item {code} is on the list but not devolved to this township; a published county decision is needed first (APL Art. 24)"
            ),
        },
        Some(code) => DutyDecision::Refused {
            reason_zh: format!("事项 {code} 不在权责清单内，依职责准入制度不予承接"),
            reason_en: format!(
                "item {code} is not on the power list; the request is refused under duty access"
            ),
        },
        None => DutyDecision::Refused {
            reason_zh: "未对应权责清单中的任何事项，依职责准入制度不予承接".into(),
            reason_en: "the task matches no item of the power list; refused under duty access"
                .into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apl_art24_an_item_not_held_is_refused() {
        assert!(require_held(true, "CG-CF-001", "张弓镇").is_ok());
        let e = require_held(false, "CG-CF-001", "张弓镇").unwrap_err();
        assert_eq!(e.code, "powerlist.not_devolved");
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(e.zh.contains("第二十四条"));
    }

    #[test]
    fn duty_access_accepts_routes_or_refuses() {
        assert!(matches!(
            duty_access(Some("A"), true, true),
            DutyDecision::Accepted { .. }
        ));
        assert!(matches!(
            duty_access(Some("A"), true, false),
            DutyDecision::NeedsApproval { .. }
        ));
        assert!(matches!(
            duty_access(Some("A"), false, false),
            DutyDecision::Refused { .. }
        ));
        assert!(matches!(
            duty_access(None, false, false),
            DutyDecision::Refused { .. }
        ));
    }
}

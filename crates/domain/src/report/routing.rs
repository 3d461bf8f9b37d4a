//! The suggested dispatch (路由建议) under bundled enforcement (捆绑式执法):
//! the squad of the grid's district handles every kind of matter there
//! (组管片区), the grid's own officer first (员管网格), and officers keep a
//! specialty (分类别负责) used when the grid's officer is not on duty.
//!
//! The dispatcher may depart from the suggestion, giving a reason (see
//! [`super::Action::Dispatch`]).

use serde::Serialize;

use super::Urgency;
use crate::powerlist::Field;

/// An officer currently on duty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDuty {
    pub staff_id: String,
    pub squad: String,
    pub specialty: Option<Field>,
}

/// The suggestion, with the reason in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// `None`: the grid has no squad and nobody could be borrowed; the
    /// dispatcher chooses by hand.
    pub squad: Option<String>,
    /// `None`: dispatch to the squad; its leader assigns an officer.
    pub officer: Option<String>,
    pub reason_zh: String,
    pub reason_en: String,
}

/// Suggest a squad and officer for a report in a grid.
///
/// 1. The grid's squad takes every field in its district.
/// 2. The officer is the grid's officer, if on duty;
/// 3. else an on-duty officer of that squad whose specialty is the report's
///    field;
/// 4. else any on-duty officer of the squad;
/// 5. else, for an emergency only, any on-duty officer of the brigade (one
///    with the matching specialty first), whose squad is then suggested;
/// 6. else the squad alone (its leader assigns), or nothing when the grid
///    has no squad.
///
/// Ties are broken by the smallest `staff_id`, so the result does not
/// depend on the order of `on_duty`.
pub fn route(
    grid_squad: Option<&str>,
    grid_officer: Option<&str>,
    field: Option<Field>,
    urgency: Urgency,
    on_duty: &[OnDuty],
) -> Route {
    let squad = grid_squad.map(str::trim).filter(|s| !s.is_empty());
    let grid_officer = grid_officer.map(str::trim).filter(|s| !s.is_empty());
    let mut duty: Vec<&OnDuty> = on_duty.iter().collect();
    duty.sort_by(|a, b| (&a.staff_id, &a.squad).cmp(&(&b.staff_id, &b.squad)));
    let specialist = |o: &OnDuty| field.is_some() && o.specialty == field;
    let (field_zh, field_en) = field.map_or(("", ""), |f| (f.zh(), f.en()));

    if let Some(squad) = squad {
        if let Some(officer) = grid_officer
            && duty.iter().any(|o| o.staff_id == officer)
        {
            return Route {
                squad: Some(squad.into()),
                officer: Some(officer.into()),
                reason_zh: format!(
                    "网格所属{squad}负责片区内全部事项（捆绑式执法），由网格责任队员 {officer} 处置"
                ),
                reason_en: format!(
                    "squad {squad} covers every matter in the grid's district (bundled enforcement); the grid's officer {officer} is on duty"
                ),
            };
        }
        let (absent_zh, absent_en) = match grid_officer {
            Some(o) => (
                format!("网格责任队员 {o} 不在岗"),
                format!("the grid's officer {o} is not on duty"),
            ),
            None => (
                "网格未指定责任队员".to_string(),
                "the grid has no officer of its own".to_string(),
            ),
        };
        let members: Vec<&OnDuty> = duty.iter().copied().filter(|o| o.squad == squad).collect();
        if let Some(o) = members.iter().find(|o| specialist(o)) {
            return Route {
                squad: Some(squad.into()),
                officer: Some(o.staff_id.clone()),
                reason_zh: format!(
                    "网格所属{squad}捆绑执法；{absent_zh}，由本中队擅长「{field_zh}」的在岗队员 {} 处置",
                    o.staff_id
                ),
                reason_en: format!(
                    "squad {squad} covers the grid's district; {absent_en}, so the squad's on-duty {field_en} specialist {} takes it",
                    o.staff_id
                ),
            };
        }
        if let Some(o) = members.first() {
            return Route {
                squad: Some(squad.into()),
                officer: Some(o.staff_id.clone()),
                reason_zh: format!(
                    "网格所属{squad}捆绑执法；{absent_zh}，本中队无对口专长的在岗队员，由在岗队员 {} 处置",
                    o.staff_id
                ),
                reason_en: format!(
                    "squad {squad} covers the grid's district; {absent_en} and no on-duty specialist matches, so on-duty officer {} takes it",
                    o.staff_id
                ),
            };
        }
        if urgency == Urgency::Emergency
            && let Some(o) = borrow(&duty, specialist)
        {
            return Route {
                squad: Some(o.squad.clone()),
                officer: Some(o.staff_id.clone()),
                reason_zh: format!(
                    "特急事项：网格所属{squad}当前无在岗队员，跨中队调派{}在岗队员 {}",
                    o.squad, o.staff_id
                ),
                reason_en: format!(
                    "emergency: squad {squad} of the grid's district has nobody on duty, so on-duty officer {} of squad {} is borrowed",
                    o.staff_id, o.squad
                ),
            };
        }
        return Route {
            squad: Some(squad.into()),
            officer: None,
            reason_zh: format!(
                "网格所属{squad}捆绑执法；本中队当前无在岗队员，派至中队，由中队长安排"
            ),
            reason_en: format!(
                "squad {squad} covers the grid's district; nobody in it is on duty, so the task goes to the squad for its leader to assign"
            ),
        };
    }

    if urgency == Urgency::Emergency
        && let Some(o) = borrow(&duty, specialist)
    {
        return Route {
            squad: Some(o.squad.clone()),
            officer: Some(o.staff_id.clone()),
            reason_zh: format!(
                "特急事项：网格未划定责任中队，调派{}在岗队员 {}",
                o.squad, o.staff_id
            ),
            reason_en: format!(
                "emergency: the grid has no squad, so on-duty officer {} of squad {} is sent",
                o.staff_id, o.squad
            ),
        };
    }
    Route {
        squad: None,
        officer: None,
        reason_zh: "网格未划定责任中队，请值班员人工派遣".into(),
        reason_en: "the grid has no squad; the dispatcher must choose by hand".into(),
    }
}

/// An officer from anywhere in the brigade: a specialist first, else the
/// first by staff id.
fn borrow<'a>(duty: &[&'a OnDuty], specialist: impl Fn(&OnDuty) -> bool) -> Option<&'a OnDuty> {
    duty.iter()
        .find(|o| specialist(o))
        .or_else(|| duty.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(id: &str, squad: &str, specialty: Option<Field>) -> OnDuty {
        OnDuty {
            staff_id: id.into(),
            squad: squad.into(),
            specialty,
        }
    }

    fn roster() -> Vec<OnDuty> {
        vec![
            on("s1-09", "一中队", None),
            on("s1-05", "一中队", Some(Field::Ecology)),
            on("s1-07", "一中队", Some(Field::Market)),
            on("s1-03", "一中队", Some(Field::Market)),
            on("s2-01", "二中队", Some(Field::Transport)),
            on("s2-02", "二中队", None),
        ]
    }

    #[test]
    fn the_grids_officer_on_duty_takes_every_field() {
        let r = route(
            Some("一中队"),
            Some("s1-09"),
            Some(Field::Market),
            Urgency::Normal,
            &roster(),
        );
        assert_eq!(r.squad.as_deref(), Some("一中队"));
        assert_eq!(r.officer.as_deref(), Some("s1-09"));
        assert!(r.reason_zh.contains("网格责任队员 s1-09"));
        assert!(r.reason_en.contains("bundled"));
    }

    #[test]
    fn else_a_specialist_of_the_squad() {
        let r = route(
            Some("一中队"),
            Some("s1-99"),
            Some(Field::Market),
            Urgency::Normal,
            &roster(),
        );
        // Two market specialists: the smallest staff id.
        assert_eq!(r.officer.as_deref(), Some("s1-03"));
        assert!(r.reason_zh.contains("s1-99 不在岗") && r.reason_zh.contains("市场监管"));
        assert!(r.reason_en.contains("Market supervision specialist"));
    }

    #[test]
    fn else_any_officer_of_the_squad() {
        for field in [Some(Field::Forestry), None] {
            let r = route(Some("一中队"), None, field, Urgency::Urgent, &roster());
            assert_eq!(r.squad.as_deref(), Some("一中队"));
            assert_eq!(r.officer.as_deref(), Some("s1-03"));
            assert!(r.reason_zh.contains("网格未指定责任队员"));
        }
        // Not another squad's specialist, outside an emergency.
        let r = route(
            Some("二中队"),
            None,
            Some(Field::Ecology),
            Urgency::Normal,
            &roster(),
        );
        assert_eq!(r.officer.as_deref(), Some("s2-01"));
    }

    #[test]
    fn else_in_an_emergency_anyone_on_duty() {
        let roster = roster();
        let r = route(
            Some("三中队"),
            Some("s3-01"),
            Some(Field::Transport),
            Urgency::Emergency,
            &roster,
        );
        assert_eq!(r.officer.as_deref(), Some("s2-01"));
        assert_eq!(r.squad.as_deref(), Some("二中队"));
        assert!(r.reason_zh.contains("特急") && r.reason_zh.contains("三中队"));
        let r = route(Some("三中队"), None, None, Urgency::Emergency, &roster);
        assert_eq!(r.officer.as_deref(), Some("s1-03"));
        assert_eq!(r.squad.as_deref(), Some("一中队"));
        // A grid without a squad, in an emergency.
        let r = route(
            None,
            None,
            Some(Field::Ecology),
            Urgency::Emergency,
            &roster,
        );
        assert_eq!(r.officer.as_deref(), Some("s1-05"));
        assert_eq!(r.squad.as_deref(), Some("一中队"));
    }

    #[test]
    fn else_the_squad_alone_or_by_hand() {
        for urgency in [Urgency::Normal, Urgency::Urgent] {
            let r = route(Some("三中队"), Some("s3-01"), None, urgency, &roster());
            assert_eq!(r.squad.as_deref(), Some("三中队"));
            assert_eq!(r.officer, None);
            assert!(r.reason_zh.contains("中队长安排"));
            let r = route(None, Some("s1-09"), None, urgency, &roster());
            assert_eq!((r.squad, r.officer), (None, None));
            assert!(r.reason_en.contains("by hand"));
        }
        // Nobody on duty at all, even in an emergency.
        let r = route(Some("一中队"), None, None, Urgency::Emergency, &[]);
        assert_eq!(r.squad.as_deref(), Some("一中队"));
        assert_eq!(r.officer, None);
        let r = route(Some("  "), None, None, Urgency::Emergency, &[]);
        assert_eq!(r.squad, None);
    }

    #[test]
    fn deterministic_whatever_the_roster_order() {
        let mut roster = roster();
        let want = route(
            Some("一中队"),
            None,
            Some(Field::Market),
            Urgency::Normal,
            &roster,
        );
        roster.reverse();
        assert_eq!(
            route(
                Some("一中队"),
                None,
                Some(Field::Market),
                Urgency::Normal,
                &roster
            ),
            want
        );
        roster.swap(0, 3);
        assert_eq!(
            route(
                Some("一中队"),
                None,
                Some(Field::Market),
                Urgency::Normal,
                &roster
            ),
            want
        );
    }
}

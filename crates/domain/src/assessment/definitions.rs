//! The written definition of every indicator, in Chinese and English. The
//! help page (`/help/indicators`) and the API print this text; each
//! definition says what its function in [`super::indicators`] computes.

use serde::Serialize;

use super::SubjectKind;
use super::indicators::Indicator;
use crate::Lang;

/// What a value measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A number of reports, notices or cases.
    Count,
    /// A share from 0 to 1.
    Rate,
    /// Hours.
    Hours,
}

/// Which way is better: what rewards and penalties compare against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Definition {
    pub indicator: Indicator,
    /// The stable name (JSON key, rule key).
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub unit: Unit,
    pub better: Better,
    pub zh: &'static str,
    pub en: &'static str,
}

impl Definition {
    pub fn name(&self, lang: Lang) -> &'static str {
        lang.pick(self.name_zh, self.name_en)
    }

    pub fn text(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }
}

impl Indicator {
    pub fn definition(self) -> &'static Definition {
        DEFINITIONS
            .iter()
            .find(|d| d.indicator == self)
            .expect("every indicator is defined")
    }
}

const fn def(
    indicator: Indicator,
    code: &'static str,
    (name_zh, name_en): (&'static str, &'static str),
    unit: Unit,
    better: Better,
    (zh, en): (&'static str, &'static str),
) -> Definition {
    Definition {
        indicator,
        code,
        name_zh,
        name_en,
        unit,
        better,
        zh,
        en,
    }
}

use Better::{Higher, Lower};
use Indicator as I;
use Unit::{Count, Hours, Rate};

/// Every indicator's definition, in the order of [`Indicator::ALL`].
pub const DEFINITIONS: [Definition; 14] = [
    def(
        I::Received,
        "received",
        ("受理数", "Reports received"),
        Count,
        Higher,
        (
            "统计期间内受理、并归属该对象的报件数（含移交、合并、不予受理的报件）。",
            "Reports received in the period that count for the subject (including those handed over, merged or rejected).",
        ),
    ),
    def(
        I::Handled,
        "handled",
        ("处置数", "Reports handled"),
        Count,
        Higher,
        (
            "上述报件中处置结果已通过核查的件数（状态为已核查、已结案或已评价）。",
            "Of those, the reports whose result passed verification (verified, closed or evaluated).",
        ),
    ),
    def(
        I::OnTimeRate,
        "on_time_rate",
        ("按期处置率", "On-time handling rate"),
        Rate,
        Higher,
        (
            "已处置报件中从未超期的件数 ÷ 已处置件数。超期指督办记录过超期标记，或当前环节已过时限（挂起期间除外）。",
            "Handled reports that were never overdue ÷ handled reports. Overdue means the supervision flagged a step overdue, or the step running now is past its deadline (not while paused).",
        ),
    ),
    def(
        I::ClosureRate,
        "closure_rate",
        ("结案率", "Closure rate"),
        Rate,
        Higher,
        (
            "已结案（含已评价）件数 ÷ 应办件数；应办件数不含移交其他平台、合并和不予受理的报件。",
            "Closed (or evaluated) reports ÷ reports to be dealt with, which excludes those handed over to another platform, merged or rejected.",
        ),
    ),
    def(
        I::ReworkRate,
        "rework_rate",
        ("返工率", "Rework rate"),
        Rate,
        Lower,
        (
            "至少一次核查不通过被退回返工的件数 ÷ 至少核查过一次的件数。",
            "Reports sent back for rework at least once ÷ reports verified at least once.",
        ),
    ),
    def(
        I::Overdue,
        "overdue",
        ("超期件数", "Overdue reports"),
        Count,
        Lower,
        (
            "统计期间受理的报件中超期的件数（定义同按期处置率）。",
            "Reports received in the period that were overdue (as defined for the on-time rate).",
        ),
    ),
    def(
        I::MeanHandlingHours,
        "mean_handling_hours",
        ("平均处置时长", "Mean handling time"),
        Hours,
        Lower,
        (
            "已处置报件从受理到最后一次处置反馈的时长（小时，按自然时间计）的平均值。",
            "Mean of the hours from receipt to the last report-back over handled reports (wall-clock hours).",
        ),
    ),
    def(
        I::P90HandlingHours,
        "p90_handling_hours",
        ("处置时长（90%分位）", "Handling time, 90th percentile"),
        Hours,
        Lower,
        (
            "同上时长的 90% 分位数（最近秩法：由短到长排列，取第 ⌈0.9×n⌉ 个）。",
            "The 90th percentile of the same hours (nearest rank: sorted shortest first, the ⌈0.9×n⌉-th).",
        ),
    ),
    def(
        I::Notices,
        "notices",
        ("督办数", "Supervision notices"),
        Count,
        Lower,
        (
            "对统计期间受理的报件发出的督办单数，含乡镇督办、县级督办和人工督办（预警、超期标记和报告领导不计）。",
            "Supervision notices issued on reports received in the period: township, county and manual notices (warnings, overdue flags and reports to the leader are not counted).",
        ),
    ),
    def(
        I::CasesFiled,
        "cases_filed",
        ("立案数", "Cases filed"),
        Count,
        Higher,
        (
            "立案日期在统计期间内、并归属该对象的行政处罚案件数。",
            "Penalty cases filed on a day of the period that count for the subject.",
        ),
    ),
    def(
        I::CasesDecided,
        "cases_decided",
        ("作出决定数", "Cases decided"),
        Count,
        Higher,
        (
            "决定日期在统计期间内的案件数，含作出处罚决定和不予处罚决定（普通程序与简易程序）。",
            "Cases decided on a day of the period: a penalty or no penalty, ordinary or summary procedure.",
        ),
    ),
    def(
        I::ValidReports,
        "valid_reports",
        ("有效上报数", "Valid reports"),
        Count,
        Higher,
        (
            "本人（单位为所属网格员）在统计期间通过网格渠道上报、被受理派遣或移交相应平台的件数；不予受理和重复合并的不计。",
            "Reports submitted in the period through the grid channel by the person (for a unit, by its grid workers) that were dispatched or handed to their platform; rejected and merged duplicates do not count.",
        ),
    ),
    def(
        I::ReportAccuracy,
        "report_accuracy",
        ("上报准确率", "Reporting accuracy"),
        Rate,
        Higher,
        (
            "有效上报数 ÷ 已作出受理判断的上报数（尚未处理的上报不计入）。",
            "Valid reports ÷ submitted reports already decided on (those still waiting are not counted).",
        ),
    ),
    def(
        I::Satisfaction,
        "satisfaction",
        ("回访满意度", "Call-back satisfaction"),
        Rate,
        Higher,
        (
            "回访评价为 4 分或 5 分（满分 5 分）的件数 ÷ 已评价件数。",
            "Evaluations scoring 4 or 5 (of 5) ÷ evaluations.",
        ),
    ),
];

/// What every definition assumes.
pub const CONVENTIONS: [(&str, &str); 4] = [
    (
        "统计期间按北京时间的自然日计，起止日期均包含在内；报件类指标统计期间内受理的报件（以受理时间归期），案件类指标按立案日期或决定日期归期。",
        "A period is whole days in China time, both ends included. Report indicators count the reports received in the period (by time of receipt); case indicators go by the day of filing or of decision.",
    ),
    (
        "比率为 0 至 1 之间的小数；分母为零时不计算（显示为空），不参与计分。",
        "Rates are shares from 0 to 1; with a zero denominator there is no value (shown empty), and it scores nothing.",
    ),
    (
        "指标计算至当前时刻：此后的处置会改变指标数值，但已冻结的考核结果不变。",
        "Indicators are computed up to now: later work changes them, but a frozen assessment does not change.",
    ),
    ("数值保留四位小数。", "Values are rounded to four decimals."),
];

/// How reports and cases are attributed to each kind of subject.
pub fn attribution(kind: SubjectKind) -> (&'static str, &'static str) {
    match kind {
        SubjectKind::Officer => (
            "报件：本人为处置人（接收任务者），未接收前为被派遣的队员；案件：本人为办案人员或立案人。",
            "Reports: they are the handler (who accepted the task), or before acceptance the officer it was dispatched to. Cases: they are among its officers or filed it.",
        ),
        SubjectKind::Squad => (
            "报件：派遣给本中队，未派遣前为受理时负责该网格片区的中队；案件：办案人员属于本中队。",
            "Reports: dispatched to the squad, or before dispatch the squad answering for the grid on arrival. Cases: one of its officers belongs to the squad.",
        ),
        SubjectKind::Brigade => (
            "本大队所在乡镇受理的全部报件和立案的全部案件。",
            "Every report received and every case filed in the brigade's township.",
        ),
        SubjectKind::Township => (
            "本乡镇（街道）受理的全部报件和立案的全部案件。",
            "Every report received and every case filed in the township.",
        ),
        SubjectKind::GridWorker => (
            "报件：受理时由本人负责的网格内的报件；有效上报数与上报准确率统计本人上报的件数；网格员不办理案件。",
            "Reports: those in grids the grid worker answered for on arrival; valid reports and accuracy count their own submissions. Grid workers file no cases.",
        ),
        SubjectKind::Department => (
            "事项属于本部门业务领域（如市场监管）的报件和案件。",
            "Reports and cases whose power-list item lies in the department's field (such as market supervision).",
        ),
    }
}

//! The pages of the web shell.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Html;
use domain::Lang;
use domain::org::{Level, Post};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::lang::ReqLang;
use crate::state::AppState;

/// One entry of the main navigation.
pub struct Area {
    pub href: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// Not built yet: the page says what will be there.
    pub coming: bool,
    pub about_zh: &'static str,
    pub about_en: &'static str,
}

pub const AREAS: &[Area] = &[
    Area {
        href: "/",
        zh: "总览",
        en: "Overview",
        coming: false,
        about_zh: "",
        about_en: "",
    },
    Area {
        href: "/command",
        zh: "指挥中心",
        en: "Command centre",
        coming: false,
        about_zh: "所有来源的事件（网格员上报、雪亮工程视频告警、群众投诉、12345 热线、部门移交）进入同一队列，定位到网格、对照权责清单分类、派遣、督办、核查结案与评价；24 小时值班表与实时地图。",
        about_en: "Every report (grid workers, video alerts, citizen complaints, 12345 hotline, department referrals) lands in one queue: located in its grid, classified against the power list, dispatched, supervised against deadlines, verified, closed and evaluated; 24-hour duty roster and live map.",
    },
    Area {
        href: "/power-list",
        zh: "权责清单",
        en: "Power list",
        coming: false,
        about_zh: "乡镇承接的每一项执法事项：名称、法律依据、流程图、监督方式、责任事项与追责情形；各乡镇赋权对比，公开查询。",
        about_en: "Every enforcement item a township holds: name, legal basis, flowchart, supervision, responsibilities and accountability; devolution per township side by side, published to the public.",
    },
    Area {
        href: "/map",
        zh: "网格地图",
        en: "Grid map",
        coming: false,
        about_zh: "乡镇、村（社区）与网格的边界，中队片区与队员、网格员的责任分工。",
        about_en: "Townships, villages and grids with the squads, officers and grid workers responsible for each.",
    },
    Area {
        href: "/cases",
        zh: "执法案件",
        en: "Cases",
        coming: false,
        about_zh: "依《行政处罚法》办理的简易程序与普通程序案件：立案、调查取证、告知、听证、法制审核、决定、送达、执行与归档；行刑衔接移送。",
        about_en: "Summary and ordinary penalty procedures under the Administrative Penalty Law: filing, investigation, notice, hearing, legal review, decision, service, enforcement and archive; transfer of suspected crimes.",
    },
    Area {
        href: "/stats",
        zh: "统计考核",
        en: "Statistics",
        coming: false,
        about_zh: "按期处置率、结案率、返工率、超期件数等指标，考核评分与排名，指挥大屏。",
        about_en: "On-time handling, closure and rework rates, overdue counts; assessment scores and rankings; the command display.",
    },
    Area {
        href: "/org",
        zh: "组织人员",
        en: "Organisation",
        coming: false,
        about_zh: "",
        about_en: "",
    },
    Area {
        href: "/portal",
        zh: "政务公开",
        en: "Public portal",
        coming: false,
        about_zh: "面向公众：各乡镇权责清单、行政处罚决定公示（脱敏）、投诉受理与进度查询。",
        about_en: "For the public: power lists per township, published penalty decisions (masked), complaints and status lookup.",
    },
    Area {
        href: "/admin",
        zh: "系统管理",
        en: "Administration",
        coming: true,
        about_zh: "用户、角色与辖区权限，集成令牌，审计日志。",
        about_en: "Users, roles and jurisdiction permissions, integration tokens, the audit record.",
    },
];

/// A link of the navigation for the roles whose work it is.
pub struct Link {
    pub href: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// What every page shares: language, active navigation entry, title.
pub struct Chrome {
    pub lang: Lang,
    pub active: &'static str,
    pub title: String,
    /// The logged-in user's name, if any.
    pub user: Option<String>,
    /// The session's CSRF token, for the forms on the page.
    pub csrf: String,
    /// Pages of the logged-in user's own work (my tasks, field report).
    pub links: Vec<Link>,
}

impl Chrome {
    pub fn new(lang: Lang, active: &'static str, title: &str) -> Self {
        Self {
            lang,
            active,
            title: title.to_string(),
            user: None,
            csrf: String::new(),
            links: Vec::new(),
        }
    }

    /// The page as seen by a logged-in caller.
    pub fn for_caller(mut self, caller: &crate::auth::Caller) -> Self {
        self.user = Some(caller.principal.name.clone());
        self.csrf = caller.csrf_token.clone().unwrap_or_default();
        self.links = links_for(caller);
        self
    }

    /// Pick the text in the page's language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(zh, en)
    }

    pub fn html_lang(&self) -> &'static str {
        self.lang.code()
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    pub fn areas(&self) -> &'static [Area] {
        AREAS
    }
}

/// The pages of one's own work, by role: tasks for those who are
/// dispatched work, the field report for those who patrol.
fn links_for(caller: &crate::auth::Caller) -> Vec<Link> {
    use domain::access::Role;
    let holds = |roles: &[Role]| {
        caller
            .principal
            .grants
            .iter()
            .any(|g| roles.contains(&g.role))
    };
    let mut links = Vec::new();
    if holds(&[Role::Officer, Role::SquadLeader, Role::BrigadeLeader]) {
        links.push(Link {
            href: "/tasks",
            zh: "我的任务",
            en: "My tasks",
        });
    }
    if holds(&[Role::GridWorker, Role::Officer, Role::SquadLeader]) {
        links.push(Link {
            href: "/m/report",
            zh: "现场上报",
            en: "Field report",
        });
    }
    links
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    overview: store::org::Overview,
    county: Option<store::org::Jurisdiction>,
    townships: Vec<store::org::TownshipStats>,
}

pub async fn home(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
) -> ApiResult<Html<String>> {
    let mut conn = state.store.acquire().await?;
    let overview = store::org::overview(&mut conn).await?;
    let county = store::org::list_jurisdictions(&mut conn, &[Level::County])
        .await?
        .into_iter()
        .next();
    let townships = store::org::township_stats(&mut conn).await?;
    render(HomePage {
        c: Chrome::new(lang, "/", lang.pick("总览", "Overview")),
        overview,
        county,
        townships,
    })
}

pub struct Member {
    pub name: String,
    pub post: String,
    pub specialty: String,
    pub credential: String,
    pub valid: bool,
}

pub struct UnitView {
    pub name: String,
    pub kind: String,
    pub members: Vec<Member>,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    c: Chrome,
    townships: Vec<store::org::Jurisdiction>,
    selected: Option<store::org::Jurisdiction>,
    villages: Vec<store::org::Jurisdiction>,
    units: Vec<UnitView>,
    /// Unit codes and names, for the forms.
    unit_codes: Vec<(String, String)>,
    /// The caller may change the organisation here.
    can_manage: bool,
    posts: Vec<(&'static str, &'static str)>,
    flash_ok: Option<String>,
    flash_error: Option<String>,
}

#[derive(Deserialize)]
pub struct OrgQuery {
    township: Option<String>,
    ok: Option<String>,
    error: Option<String>,
}

pub async fn organisation(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<crate::auth::Caller, ApiError>,
    Query(q): Query<OrgQuery>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let caller = match super::forms::require(caller, &uri) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match organisation_page(state, lang, caller, q).await {
        Ok(html) => html.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn organisation_page(
    state: AppState,
    lang: Lang,
    caller: crate::auth::Caller,
    q: OrgQuery,
) -> ApiResult<Html<String>> {
    let scope = caller.scope(domain::access::Permission::ViewOrganisation)?;
    let mut conn = state.store.acquire().await?;
    let townships: Vec<_> =
        store::org::list_jurisdictions(&mut conn, &[Level::Township, Level::Street])
            .await?
            .into_iter()
            .filter(|t| scope.covers(&t.path))
            .collect();
    let selected = match q.township {
        Some(code) => Some(
            townships
                .iter()
                .find(|t| t.code == code)
                .cloned()
                .ok_or_else(|| ApiError(domain::access::out_of_scope()))?,
        ),
        None => townships.first().cloned(),
    };
    let today = today();
    let mut units = Vec::new();
    let mut unit_codes = Vec::new();
    let mut villages = Vec::new();
    if let Some(t) = &selected {
        villages = store::org::children(&mut conn, &t.id).await?;
        for u in store::org::units_in(&mut conn, &t.id).await? {
            unit_codes.push((u.code.clone(), u.name.clone()));
            let mut members = Vec::new();
            for s in store::org::staff_of_unit(&mut conn, &u.id).await? {
                let creds = store::org::credentials_of(&mut conn, &s.id).await?;
                let current = creds.iter().find(|c| c.is_valid_on(today));
                members.push(Member {
                    name: s.name,
                    post: s.post.label(lang).to_string(),
                    specialty: s.specialty.unwrap_or_default(),
                    credential: current
                        .or(creds.last())
                        .map(|c| format!("{}（至 {}）", c.number, c.valid_until))
                        .unwrap_or_default(),
                    valid: current.is_some() || s.post == Post::GridWorker,
                });
            }
            units.push(UnitView {
                name: if lang == Lang::En { u.name_en } else { u.name },
                kind: u.kind.label(lang).to_string(),
                members,
            });
        }
    }
    let can_manage = match (
        &selected,
        caller.scope(domain::access::Permission::ManageOrganisation),
    ) {
        (Some(t), Ok(s)) => s.covers(&t.path),
        _ => false,
    };
    render(OrgPage {
        c: Chrome::new(lang, "/org", lang.pick("组织人员", "Organisation")).for_caller(&caller),
        townships,
        selected,
        villages,
        units,
        unit_codes,
        can_manage,
        posts: Post::ALL
            .iter()
            .map(|p| (p.as_str(), p.label(lang)))
            .collect(),
        flash_ok: q.ok,
        flash_error: q.error,
    })
}

#[derive(Template)]
#[template(path = "coming.html")]
struct ComingPage {
    c: Chrome,
    about: String,
}

pub async fn coming_soon(uri: Uri, ReqLang(lang): ReqLang) -> ApiResult<Html<String>> {
    let area = AREAS
        .iter()
        .find(|a| a.href == uri.path())
        .ok_or_else(|| ApiError(domain::Error::not_found("页面", "Page")))?;
    render(ComingPage {
        c: Chrome::new(lang, area.href, lang.pick(area.zh, area.en)),
        about: lang.pick(area.about_zh, area.about_en).to_string(),
    })
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub c: Chrome,
    pub status: u16,
    pub message: String,
    pub code: String,
    pub request_id: String,
}

/// Today, China time.
pub fn today() -> chrono::NaiveDate {
    domain::time::china_date(chrono::Utc::now())
}

/// The day of a stored instant, China time (as stored if it is not one).
pub fn day_of(stored: &str) -> String {
    domain::time::from_storage(stored)
        .map(|t| domain::time::china_date(t).to_string())
        .unwrap_or_else(|| stored.chars().take(10).collect())
}

fn render(t: impl Template) -> ApiResult<Html<String>> {
    t.render().map(Html).map_err(|e| {
        tracing::error!(error = %e, "template failed");
        ApiError(domain::Error::internal())
    })
}

/// Render a page, or the error page if the template fails.
pub fn render_page(t: impl Template) -> axum::response::Response {
    use axum::response::IntoResponse;
    match render(t) {
        Ok(html) => html.into_response(),
        Err(e) => e.into_response(),
    }
}

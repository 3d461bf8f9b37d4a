//! Writing the demo county into an empty database, in one transaction.

use chrono::NaiveDate;
use domain::access::Role;
use domain::org::{Credential, Level, Post, UnitKind};
use store::Store;
use store::identity;
use store::org::{self, AssignmentKind, NewGrid, NewJurisdiction, NewStaff, NewUnit};
use yiwang_geo::LonLat;
use yiwang_geo::polygon::{area_m2, bbox, contains, halton, voronoi_cell};

use crate::DemoError;
use crate::data::{self, wgs};
use crate::names::Rng;

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub townships: usize,
    pub villages: usize,
    pub units: usize,
    pub staff: usize,
    pub grids: usize,
    pub users: usize,
    pub power_items: usize,
    /// 24-hour duty roster entries (see [`duty_roster`]).
    pub duty_entries: usize,
    /// Cameras of the video network (see [`cameras`]).
    pub cameras: usize,
}

/// The enforcement fields an officer may specialise in (five fields plus urban management).
const FIELDS: &[&str] = &[
    "生态环境",
    "市场监管",
    "文化市场",
    "交通运输",
    "农业农村",
    "城市管理",
    "自然资源",
];

const SQUAD_NAMES: &[(&str, &str)] = &[
    ("第一中队", "Squad 1"),
    ("第二中队", "Squad 2"),
    ("第三中队", "Squad 3"),
    ("第四中队", "Squad 4"),
];

/// County departments and partner agencies: (code suffix, name, English, kind, field).
const COUNTY_UNITS: &[(&str, &str, &str, UnitKind, &str)] = &[
    (
        "ZH",
        "宁陵县综合行政执法指挥中心",
        "County enforcement command centre",
        UnitKind::CommandCentre,
        "",
    ),
    (
        "SJ",
        "宁陵县市场监督管理局",
        "County Market Supervision Bureau",
        UnitKind::Department,
        "市场监管",
    ),
    (
        "JT",
        "宁陵县交通运输局",
        "County Transport Bureau",
        UnitKind::Department,
        "交通运输",
    ),
    (
        "HB",
        "商丘市生态环境局宁陵分局",
        "Ningling Branch, Shangqiu Ecology and Environment Bureau",
        UnitKind::Department,
        "生态环境",
    ),
    (
        "ZR",
        "宁陵县自然资源局",
        "County Natural Resources Bureau",
        UnitKind::Department,
        "自然资源",
    ),
    (
        "NY",
        "宁陵县农业农村局",
        "County Agriculture and Rural Affairs Bureau",
        UnitKind::Department,
        "农业农村",
    ),
    (
        "WL",
        "宁陵县文化广电和旅游局",
        "County Culture, Radio, TV and Tourism Bureau",
        UnitKind::Department,
        "文化市场",
    ),
    (
        "CG",
        "宁陵县城市管理局",
        "County Urban Management Bureau",
        UnitKind::Department,
        "城市管理",
    ),
    (
        "GA",
        "宁陵县公安局",
        "County Public Security Bureau",
        UnitKind::Agency,
        "公安",
    ),
    (
        "JC",
        "宁陵县人民检察院",
        "County People's Procuratorate",
        UnitKind::Agency,
        "检察",
    ),
    (
        "FY",
        "宁陵县人民法院",
        "County People's Court",
        UnitKind::Agency,
        "法院",
    ),
];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

/// A GeoJSON Polygon from a ring (closed, 6 decimals ≈ 0.1 m).
fn polygon_json(ring: &[LonLat]) -> String {
    let mut pts: Vec<String> = ring
        .iter()
        .map(|p| format!("[{:.6},{:.6}]", p.lon, p.lat))
        .collect();
    if let Some(first) = pts.first().cloned() {
        pts.push(first);
    }
    format!(
        "{{\"type\":\"Polygon\",\"coordinates\":[[{}]]}}",
        pts.join(",")
    )
}

/// Spread `n` village sites inside a township cell (Halton points, deterministic).
fn village_sites(cell: &[LonLat], n: usize, seat: LonLat) -> Vec<LonLat> {
    let (x0, y0, x1, y1) = bbox(cell);
    let mut out = Vec::with_capacity(n);
    let mut i = 1;
    while out.len() < n && i < 100_000 {
        let p = LonLat::new(x0 + halton(i, 2) * (x1 - x0), y0 + halton(i, 3) * (y1 - y0));
        // keep villages apart from the seat so the town's own grid is not a sliver
        let far_enough = (p.lon - seat.lon).abs() + (p.lat - seat.lat).abs() > 0.004;
        if contains(cell, p) && far_enough {
            out.push(p);
        }
        i += 1;
    }
    out
}

/// Seed the demo county into an empty, migrated database.
/// `audit_key` is the deployment's audit key: the seeding is recorded.
pub async fn seed(store: &Store, audit_key: &[u8]) -> Result<SeedReport, DemoError> {
    let county_data = data::county()?;
    let outline = data::outline()?;
    let mut tx = store.begin_write().await?;
    if org::overview(&mut tx).await?.townships > 0 {
        return Err(DemoError::NotEmpty);
    }
    let mut report = SeedReport::default();
    let city = org::insert_jurisdiction(
        &mut tx,
        NewJurisdiction {
            code: &county_data.city.code,
            name: &county_data.city.name,
            name_en: &county_data.city.name_en,
            level: Level::City,
            parent: None,
            seat: None,
        },
    )
    .await?;
    let cseat = wgs(county_data.county.seat);
    let county = org::insert_jurisdiction(
        &mut tx,
        NewJurisdiction {
            code: &county_data.county.code,
            name: &county_data.county.name,
            name_en: &county_data.county.name_en,
            level: Level::County,
            parent: Some(&city),
            seat: Some((cseat.lon, cseat.lat)),
        },
    )
    .await?;
    store::grids::set_area(
        &mut tx,
        &county.id,
        &polygon_json(&outline),
        area_m2(&outline).round(),
    )
    .await?;
    for (suffix, name, name_en, kind, field) in COUNTY_UNITS {
        org::insert_unit(
            &mut tx,
            NewUnit {
                code: &format!("{}-{suffix}", county.code),
                name,
                name_en,
                kind: *kind,
                jurisdiction_id: &county.id,
                parent_id: None,
                field: (!field.is_empty()).then_some(*field),
            },
        )
        .await?;
        report.units += 1;
    }

    let seats: Vec<LonLat> = county_data.townships.iter().map(|t| wgs(t.seat)).collect();
    let mut credential_seq = 0u32;
    for (ti, t) in county_data.townships.iter().enumerate() {
        let mut rng = Rng::new(&t.code);
        let level = if t.kind == "street" {
            Level::Street
        } else {
            Level::Township
        };
        let town = org::insert_jurisdiction(
            &mut tx,
            NewJurisdiction {
                code: &t.code,
                name: &t.name,
                name_en: &t.name_en,
                level,
                parent: Some(&county),
                seat: Some((seats[ti].lon, seats[ti].lat)),
            },
        )
        .await?;
        report.townships += 1;
        let cell = voronoi_cell(&outline, &seats, ti);
        store::grids::set_area(
            &mut tx,
            &town.id,
            &polygon_json(&cell),
            area_m2(&cell).round(),
        )
        .await?;

        // The brigade, its command centre and 3–4 squads.
        let brigade = org::insert_unit(
            &mut tx,
            NewUnit {
                code: &format!("{}-DD", t.code),
                name: &format!("{}综合行政执法大队", t.name),
                name_en: &format!("{} Comprehensive Enforcement Brigade", t.name_en),
                kind: UnitKind::Brigade,
                jurisdiction_id: &town.id,
                parent_id: None,
                field: None,
            },
        )
        .await?;
        org::insert_unit(
            &mut tx,
            NewUnit {
                code: &format!("{}-ZH", t.code),
                name: &format!("{}综合行政执法指挥中心", t.name),
                name_en: &format!("{} Command Centre", t.name_en),
                kind: UnitKind::CommandCentre,
                jurisdiction_id: &town.id,
                parent_id: Some(&brigade.id),
                field: None,
            },
        )
        .await?;
        report.units += 2;
        let squads_n = if t.villages.len() >= 25 { 4 } else { 3 };
        let mut new_officer = async |tx: &mut store::Conn,
                                     rng: &mut Rng,
                                     post: Post,
                                     unit_id: &str,
                                     expired: bool|
               -> Result<String, DemoError> {
            let name = rng.person();
            let phone = rng.phone();
            let specialty = rng.pick(FIELDS);
            let id = org::insert_staff(
                tx,
                NewStaff {
                    name: &name,
                    post,
                    unit_id: Some(unit_id),
                    jurisdiction_id: &town.id,
                    phone: Some(&phone),
                    specialty: Some(specialty),
                },
            )
            .await?;
            credential_seq += 1;
            let cred = Credential {
                number: format!("{}{:05}", county_data.county.code, credential_seq),
                issuer: "宁陵县人民政府".into(),
                fields: vec!["综合行政执法".into(), specialty.into()],
                valid_from: d(2024, 1, 1),
                valid_until: if expired {
                    d(2025, 12, 31)
                } else {
                    d(2029, 12, 31)
                },
            };
            org::insert_credential(tx, &id, &cred).await?;
            Ok(id)
        };
        new_officer(&mut tx, &mut rng, Post::BrigadeLeader, &brigade.id, false).await?;
        report.staff += 1;
        let mut squads = Vec::new();
        for (si, (sname, sname_en)) in SQUAD_NAMES.iter().take(squads_n).enumerate() {
            let squad = org::insert_unit(
                &mut tx,
                NewUnit {
                    code: &format!("{}-ZD{}", t.code, si + 1),
                    name: &format!("{}{}", t.name, sname),
                    name_en: &format!("{} {}", t.name_en, sname_en),
                    kind: UnitKind::Squad,
                    jurisdiction_id: &town.id,
                    parent_id: Some(&brigade.id),
                    field: None,
                },
            )
            .await?;
            report.units += 1;
            new_officer(&mut tx, &mut rng, Post::SquadLeader, &squad.id, false).await?;
            let mut officers = Vec::new();
            // 5–6 officers a squad: a brigade of 20–30.
            for k in 0..(5 + (si % 2)) {
                // one credential in each brigade has lapsed: it counts for nothing (APL Art. 42)
                let expired = si == 0 && k == 4;
                officers
                    .push(new_officer(&mut tx, &mut rng, Post::Officer, &squad.id, expired).await?);
            }
            report.staff += 1 + officers.len();
            squads.push((squad, officers));
        }

        // Villages, each a comprehensive grid with its grid worker.
        let seat = seats[ti];
        let sites = village_sites(&cell, t.villages.len(), seat);
        if sites.len() < t.villages.len() {
            return Err(DemoError::Data(format!(
                "no room for the villages of {}",
                t.name
            )));
        }
        let per_squad = t.villages.len().div_ceil(squads_n);
        for (vi, v) in t.villages.iter().enumerate() {
            let level = if v.kind == "community" {
                Level::Community
            } else {
                Level::Village
            };
            let village = org::insert_jurisdiction(
                &mut tx,
                NewJurisdiction {
                    code: &v.code,
                    name: &v.name,
                    name_en: &v.name_en,
                    level,
                    parent: Some(&town),
                    seat: Some((sites[vi].lon, sites[vi].lat)),
                },
            )
            .await?;
            report.villages += 1;
            let shape = voronoi_cell(&cell, &sites, vi);
            store::grids::set_area(
                &mut tx,
                &village.id,
                &polygon_json(&shape),
                area_m2(&shape).round(),
            )
            .await?;
            let grid_id = org::insert_grid(
                &mut tx,
                NewGrid {
                    code: &format!("{}-01", v.code),
                    name: &format!("{}网格", v.name),
                    township_id: &town.id,
                    village_id: Some(&village.id),
                    geometry_geojson: &polygon_json(&shape),
                    area_m2: area_m2(&shape).round(),
                },
            )
            .await?;
            report.grids += 1;
            let worker = org::insert_staff(
                &mut tx,
                NewStaff {
                    name: &rng.person(),
                    post: Post::GridWorker,
                    unit_id: None,
                    jurisdiction_id: &town.id,
                    phone: Some(&rng.phone()),
                    specialty: None,
                },
            )
            .await?;
            report.staff += 1;
            let (squad, officers) = &squads[(vi / per_squad).min(squads.len() - 1)];
            let since = d(2024, 1, 1);
            org::assign(
                &mut tx,
                AssignmentKind::SquadDistrict,
                &grid_id,
                Some(&squad.id),
                None,
                since,
            )
            .await?;
            let officer = &officers[vi % officers.len()];
            org::assign(
                &mut tx,
                AssignmentKind::OfficerGrid,
                &grid_id,
                None,
                Some(officer),
                since,
            )
            .await?;
            org::assign(
                &mut tx,
                AssignmentKind::GridWorkerGrid,
                &grid_id,
                None,
                Some(&worker),
                since,
            )
            .await?;
        }
    }
    let (users, field_staff) = demo_accounts(&mut tx, &county_data).await?;
    report.users = users;
    report.power_items = power_list(&mut tx, store.backend(), &county_data).await?;
    report.duty_entries =
        duty_roster(&mut tx, &county_data, chrono::Utc::now(), &field_staff).await?;
    report.cameras = cameras(&mut tx, &county_data).await?;
    let summary = serde_json::json!({
        "townships": report.townships, "villages": report.villages, "units": report.units,
        "staff": report.staff, "grids": report.grids, "users": report.users,
    });
    store::audit::append(
        &mut tx,
        audit_key,
        &store::audit::Actor::system("demo"),
        store::audit::Change {
            action: "demo.seed",
            object_type: "jurisdiction",
            object_id: &county.code,
            jurisdiction: &county.path,
            before: None,
            after: Some(&summary),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(report)
}

/// The demo's password for every account (listed in the README).
pub const DEMO_PASSWORD: &str = "demo12345";

/// Demo log-ins: (username, display name, role, jurisdiction index) where the
/// index is 0 for the first township, 1 for the second, and `None` for the county.
const ACCOUNTS: &[(&str, &str, Role, Option<usize>)] = &[
    ("admin", "系统管理员（城关）", Role::SystemAdmin, Some(0)),
    ("dispatcher", "值班员（城关）", Role::Dispatcher, Some(0)),
    ("squadleader", "中队长（城关）", Role::SquadLeader, Some(0)),
    ("officer", "执法队员（城关）", Role::Officer, Some(0)),
    ("officer2", "执法队员二（城关）", Role::Officer, Some(0)),
    ("gridworker", "网格员（城关）", Role::GridWorker, Some(0)),
    (
        "reviewer",
        "法制审核员（城关）",
        Role::LegalReviewer,
        Some(0),
    ),
    ("police", "公安联络员（城关）", Role::AgencyLiaison, Some(0)),
    ("market", "市场监管局联络员", Role::AgencyLiaison, None),
    ("admin2", "系统管理员（张弓）", Role::SystemAdmin, Some(1)),
    ("officer3", "执法队员（张弓）", Role::Officer, Some(1)),
    ("supervisor", "县级督查", Role::CountySupervisor, None),
    ("countyadmin", "县级系统管理员", Role::SystemAdmin, None),
];

/// The demo accounts, and the people of the brigade the field accounts
/// (officer, squad leader) log in as.
async fn demo_accounts(
    tx: &mut store::Conn,
    data: &data::County,
) -> Result<(usize, Vec<String>), DemoError> {
    let mut n = 0;
    let mut field_staff = Vec::new();
    for (i, (username, display, role, township)) in ACCOUNTS.iter().enumerate() {
        let code = match township {
            Some(t) => &data.townships[*t].code,
            None => &data.county.code,
        };
        let j = org::jurisdiction_by_code(tx, code).await?;
        // A fixed salt per account keeps the seed deterministic; these are demo passwords.
        let salt = [i as u8 + 1; 16];
        let hash = domain::password::hash(DEMO_PASSWORD, &salt);
        // Field accounts are people of the brigade: the officer of the first
        // grids, its squad leader and grid worker, so reports route to them.
        let staff = match (role, township) {
            (Role::Officer | Role::SquadLeader | Role::GridWorker, Some(_)) => {
                let kind = match role {
                    Role::GridWorker => AssignmentKind::GridWorkerGrid,
                    Role::SquadLeader => AssignmentKind::SquadDistrict,
                    _ => AssignmentKind::OfficerGrid,
                };
                let held = store::grids::holders(tx, &j.id, kind).await?;
                let nth = usize::from(*username == "officer2");
                match role {
                    Role::SquadLeader => match held.first() {
                        Some(unit) => store::grids::squad_leader(tx, unit).await?,
                        None => None,
                    },
                    _ => held.get(nth).cloned(),
                }
            }
            _ => None,
        };
        let user = identity::create_user(tx, username, display, &hash, staff.as_deref()).await?;
        identity::add_role(tx, &user.id, *role, &j.id).await?;
        if *role == Role::AgencyLiaison {
            // `police` speaks for the county police (行刑衔接); `market` for
            // the market supervision bureau (assistance, joint investigations)
            let unit = if *username == "market" { "SJ" } else { "GA" };
            let unit =
                store::cooperation::body_by_code(tx, &format!("{}-{unit}", data.county.code))
                    .await?;
            store::transfers::set_liaison(tx, &user.id, &unit.id, &user.id).await?;
        }
        if let (Some(s), Role::Officer | Role::SquadLeader) = (&staff, role) {
            field_staff.push(s.clone());
        }
        n += 1;
    }
    Ok((n, field_staff))
}

/// The published decision the demo devolves under (illustrative number).
pub const DEMO_DECISION: &str = "宁政〔2022〕8号（示例）";

/// The list, and its devolution: every township holds most items; the town
/// seat (城关, urban) leaves out forestry and half of agriculture, the rural
/// townships a third of urban management — so lists differ side by side.
async fn power_list(
    tx: &mut store::Conn,
    backend: store::Backend,
    data: &data::County,
) -> Result<usize, DemoError> {
    let items = powerlist::demo_list().map_err(DemoError::Data)?;
    let mut ids = Vec::with_capacity(items.len());
    for item in &items {
        let (id, _) =
            store::powerlist::save(tx, backend, item, "system:demo", "示例清单初始导入").await?;
        ids.push(id);
    }
    for (ti, t) in data.townships.iter().enumerate() {
        let town = org::jurisdiction_by_code(tx, &t.code).await?;
        for (ii, (item, id)) in items.iter().zip(&ids).enumerate() {
            let code = item.code.as_str();
            let skip = if ti == 0 {
                code.starts_with("LY-") || (code.starts_with("NY-") && ii % 2 == 0)
            } else {
                code.starts_with("CG-") && ii % 3 == 0
            };
            if !skip {
                store::powerlist::devolve(
                    tx,
                    &town.id,
                    id,
                    DEMO_DECISION,
                    "2022-06-30",
                    &item.lead_department,
                )
                .await?;
            }
        }
    }
    Ok(items.len())
}

/// Days of duty rostered from today on (China time); the day before is
/// rostered too, so that its night shift covers the early morning.
const DUTY_DAYS: u64 = 14;

/// A 24-hour roster for every township from yesterday to 14 days ahead:
/// each shift of the plan (day and night) has a leader on duty, taken in
/// turn from the brigade leader and the squad leaders, and two officers of
/// every squad, taken in turn so that nobody works two shifts in a row; one
/// of them, from a different squad each shift, is the dispatcher. The dates
/// follow the day of seeding, so somebody is on duty whenever the demo runs.
///
/// The people the demo's field accounts log in as are on every shift, so
/// that whoever tries the demo as them can take the steps at any hour.
async fn duty_roster(
    tx: &mut store::Conn,
    data: &data::County,
    now: chrono::DateTime<chrono::Utc>,
    always: &[String],
) -> Result<usize, DemoError> {
    use domain::duty::{DutyRole, RosterEntry};
    let plan = store::duty::shifts(tx).await?;
    let today = domain::time::china_date(now);
    let first = today.pred_opt().unwrap_or(today);
    let mut total = 0;
    for t in &data.townships {
        let town = org::jurisdiction_by_code(tx, &t.code).await?;
        let mut leaders: Vec<(String, String)> = Vec::new();
        let mut squads: Vec<(String, Vec<String>)> = Vec::new();
        // (staff, unit, leads) of the always-on people in this township
        let mut around_the_clock: Vec<(String, String, bool)> = Vec::new();
        for unit in org::units_in(tx, &town.id).await? {
            let staff = org::staff_of_unit(tx, &unit.id).await?;
            for s in &staff {
                if always.contains(&s.id) {
                    let leads = matches!(s.post, Post::BrigadeLeader | Post::SquadLeader);
                    around_the_clock.push((s.id.clone(), unit.id.clone(), leads));
                }
                if matches!(s.post, Post::BrigadeLeader | Post::SquadLeader) {
                    leaders.push((s.id.clone(), unit.id.clone()));
                }
            }
            if unit.kind == UnitKind::Squad {
                let officers: Vec<String> = staff
                    .iter()
                    .filter(|s| s.post == Post::Officer)
                    .map(|s| s.id.clone())
                    .collect();
                if !officers.is_empty() {
                    squads.push((unit.id.clone(), officers));
                }
            }
        }
        if leaders.is_empty() {
            continue;
        }
        let mut entries = Vec::new();
        let mut k = 0usize;
        for day in 0..=DUTY_DAYS {
            let date = first + chrono::Days::new(day);
            for shift in &plan {
                let mut taken = std::collections::HashSet::new();
                let mut put = |staff_id: &str, unit_id: &str, role: DutyRole| {
                    if !taken.insert(staff_id.to_string()) {
                        return;
                    }
                    let e = RosterEntry {
                        staff_id: staff_id.to_string(),
                        unit_id: Some(unit_id.to_string()),
                        date,
                        shift: shift.code.clone(),
                        role,
                    };
                    entries.push((e, shift.interval(date)));
                };
                let (leader, leader_unit) = &leaders[k % leaders.len()];
                put(leader, leader_unit, DutyRole::Leader);
                for (si, (squad, officers)) in squads.iter().enumerate() {
                    for j in 0..officers.len().min(2) {
                        let officer = &officers[(2 * k + j) % officers.len()];
                        let role = if j == 0 && si == k % squads.len() {
                            DutyRole::Dispatcher
                        } else {
                            DutyRole::Officer
                        };
                        put(officer, squad, role);
                    }
                }
                for (staff, unit, leads) in &around_the_clock {
                    let role = if *leads {
                        DutyRole::Leader
                    } else {
                        DutyRole::Officer
                    };
                    put(staff, unit, role);
                }
                k += 1;
            }
        }
        store::duty::insert_entries(tx, &town.id, &entries, "system:demo").await?;
        total += entries.len();
    }
    Ok(total)
}

/// Three cameras of the video network per township, each at the seat of a
/// village (the centre of its grid): the first, middle and last village.
/// The first two passed legal and technical review with their places
/// published; the third is pending review, so its alerts are marked as not
/// usable as evidence (APL Art. 41).
async fn cameras(tx: &mut store::Conn, data: &data::County) -> Result<usize, DemoError> {
    use domain::access::{Permission, Scope};
    use domain::camera::Status;
    let grids = Scope::system(Permission::ViewOrganisation);
    let mut n = 0;
    for t in &data.townships {
        let town = org::jurisdiction_by_code(tx, &t.code).await?;
        let last = t.villages.len().saturating_sub(1);
        let mut picks = vec![0, t.villages.len() / 2, last];
        picks.dedup();
        for (k, vi) in picks.into_iter().enumerate() {
            let Some(v) = t.villages.get(vi) else {
                continue;
            };
            let village = org::jurisdiction_by_code(tx, &v.code).await?;
            let (Some(lon), Some(lat)) = (village.lon, village.lat) else {
                continue;
            };
            let grid = store::grids::grid_in(tx, &grids, &format!("{}-01", v.code)).await?;
            let code = format!("{}-SP{:02}", t.code, k + 1);
            let id = store::cameras::insert(
                tx,
                &store::cameras::NewCamera {
                    code: &code,
                    name: &format!("{}主路口摄像头", v.name),
                    township_id: &town.id,
                    grid_id: &grid.id,
                    lon,
                    lat,
                    crs_in: "wgs84",
                    lon_in: lon,
                    lat_in: lat,
                    location: &format!("{}{}主路口", t.name, v.name),
                    installed_at: Some("2025-06-01"),
                    registered_by: "system:demo",
                },
            )
            .await?;
            if k < 2 {
                store::cameras::review(
                    tx,
                    &id,
                    Status::Reviewed,
                    true,
                    "法制和技术审核通过，设置地点已向社会公布",
                    "system:demo",
                )
                .await?;
            }
            n += 1;
        }
    }
    Ok(n)
}

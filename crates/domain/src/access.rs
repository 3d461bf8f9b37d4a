//! Who may do what, where.
//!
//! A user holds roles, each within a jurisdiction; a role grants
//! permissions, and a permission held in a jurisdiction applies to that
//! jurisdiction's whole subtree and nothing else. The only way to obtain a
//! [`Scope`] — the value every scoped query needs — is
//! [`Principal::scope`], which fails with 403 when the permission is held
//! nowhere. Store functions that read or change a jurisdiction's data take a
//! `&Scope`, so a handler that forgot the check does not compile.

use serde::{Deserialize, Serialize};

use crate::Error;

/// A login role (not a post in the organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SystemAdmin,
    /// 值班员: the command centre's dispatcher.
    Dispatcher,
    BrigadeLeader,
    SquadLeader,
    Officer,
    GridWorker,
    /// 法制审核员
    LegalReviewer,
    CountySupervisor,
    DepartmentLiaison,
    /// Police, procuratorate or court liaison.
    AgencyLiaison,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::SystemAdmin,
        Role::Dispatcher,
        Role::BrigadeLeader,
        Role::SquadLeader,
        Role::Officer,
        Role::GridWorker,
        Role::LegalReviewer,
        Role::CountySupervisor,
        Role::DepartmentLiaison,
        Role::AgencyLiaison,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::Dispatcher => "dispatcher",
            Role::BrigadeLeader => "brigade_leader",
            Role::SquadLeader => "squad_leader",
            Role::Officer => "officer",
            Role::GridWorker => "grid_worker",
            Role::LegalReviewer => "legal_reviewer",
            Role::CountySupervisor => "county_supervisor",
            Role::DepartmentLiaison => "department_liaison",
            Role::AgencyLiaison => "agency_liaison",
        }
    }

    pub fn parse(s: &str) -> Result<Role, Error> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "access.role",
                    "role",
                    format!("未知角色：{s}"),
                    format!("unknown role: {s}"),
                )
            })
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        let (zh, en) = match self {
            Role::SystemAdmin => ("系统管理员", "System administrator"),
            Role::Dispatcher => ("值班员", "Dispatcher"),
            Role::BrigadeLeader => ("大队长", "Brigade leader"),
            Role::SquadLeader => ("中队长", "Squad leader"),
            Role::Officer => ("执法队员", "Officer"),
            Role::GridWorker => ("网格员", "Grid worker"),
            Role::LegalReviewer => ("法制审核员", "Legal reviewer"),
            Role::CountySupervisor => ("县级督查", "County supervisor"),
            Role::DepartmentLiaison => ("部门联络员", "Department liaison"),
            Role::AgencyLiaison => ("协作机关联络员", "Partner-agency liaison"),
        };
        lang.pick(zh, en)
    }

    /// What the role may do within its jurisdiction's subtree.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::SystemAdmin => &[
                ViewOrganisation,
                ManageOrganisation,
                ViewPersonalData,
                ManageUsers,
                ManageIntegrations,
                ViewAudit,
                ManagePowerList,
                SubmitDutyRequest,
                // so that it can issue intake tokens to cameras and hotlines
                SubmitReport,
                ManageCameras,
            ],
            Role::Dispatcher => &[
                ViewOrganisation,
                ViewPersonalData,
                ViewCases,
                SubmitReport,
                ViewReports,
                HandleReports,
                ManageDuty,
            ],
            Role::BrigadeLeader => &[
                ViewOrganisation,
                ViewPersonalData,
                ViewAudit,
                FileCase,
                ViewCases,
                SubmitReport,
                ViewReports,
                HandleReports,
                ManageDuty,
                ManageCameras,
                PublishDecisions,
                Assess,
            ],
            Role::SquadLeader => &[
                ViewOrganisation,
                ViewPersonalData,
                FileCase,
                ViewCases,
                SubmitReport,
                ViewReports,
                HandleReports,
                // the township's roster (simple: not only the own squad's)
                ManageDuty,
            ],
            Role::Officer => &[
                ViewOrganisation,
                FileCase,
                ViewCases,
                SubmitReport,
                ViewReports,
                HandleReports,
            ],
            Role::GridWorker => &[ViewOrganisation, SubmitReport, ViewReports, HandleReports],
            Role::LegalReviewer => &[ViewOrganisation, ViewCases, PublishDecisions],
            Role::CountySupervisor => &[
                ViewOrganisation,
                ViewPersonalData,
                ViewAudit,
                Assess,
                ViewCases,
                ViewReports,
                HandleReports,
            ],
            Role::DepartmentLiaison => &[ViewOrganisation, SubmitDutyRequest, SubmitReport],
            // what was transferred to its own agency, nothing else
            // (`case::transfer::partner_may_see`)
            Role::AgencyLiaison => &[ViewOrganisation, ReceiveTransfers],
        }
    }
}

/// An action that needs a decision. Every route names one (or is public).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Units, posts and credential validity of the organisation.
    ViewOrganisation,
    /// Create and change jurisdictions, units, staff and credentials.
    ManageOrganisation,
    /// A natural person's personal data (phone numbers…); every read is audited.
    ViewPersonalData,
    /// Users, their roles, password resets.
    ManageUsers,
    /// Integration tokens for cameras, hotlines and partner agencies.
    ManageIntegrations,
    /// The audit record.
    ViewAudit,
    /// Edit the county's power list and devolve items (held at county level).
    ManagePowerList,
    /// Ask a township to take on a task (duty access).
    SubmitDutyRequest,
    /// Open a penalty case (立案) and record its procedural steps.
    FileCase,
    /// Read penalty cases.
    ViewCases,
    /// Send a report into the one net (grid workers, staff, integrations).
    SubmitReport,
    /// Read the reports of a jurisdiction (the command centre's queue).
    ViewReports,
    /// Take a step of the closed loop (dispatch, accept, handle, verify,
    /// close); who may take which step is decided by `report::transition`.
    HandleReports,
    /// The 24-hour duty roster and handover notes (值班排班、交接班).
    ManageDuty,
    /// Register cameras of the video network and record their review
    /// (APL Art. 41); listing them needs `ViewReports`.
    ManageCameras,
    /// A partner agency's (police, procuratorate, court) view of the cases
    /// transferred to it, and its answers (Decree 310); which transfers is
    /// decided by the agency, not the jurisdiction.
    ReceiveTransfers,
    /// Publish a decided case's penalty decision, masked, and withdraw a
    /// publication (国办发〔2018〕118号, APL Art. 48).
    PublishDecisions,
    /// Set the scoring rules, run and freeze assessments, decide appeals
    /// (考核); reading indicators needs `ViewReports`.
    Assess,
}

impl Permission {
    pub const ALL: [Permission; 18] = [
        Permission::ViewOrganisation,
        Permission::ManageOrganisation,
        Permission::ViewPersonalData,
        Permission::ManageUsers,
        Permission::ManageIntegrations,
        Permission::ViewAudit,
        Permission::ManagePowerList,
        Permission::SubmitDutyRequest,
        Permission::FileCase,
        Permission::ViewCases,
        Permission::SubmitReport,
        Permission::ViewReports,
        Permission::HandleReports,
        Permission::ManageDuty,
        Permission::ManageCameras,
        Permission::ReceiveTransfers,
        Permission::PublishDecisions,
        Permission::Assess,
    ];

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ViewOrganisation => "view_organisation",
            Permission::ManageOrganisation => "manage_organisation",
            Permission::ViewPersonalData => "view_personal_data",
            Permission::ManageUsers => "manage_users",
            Permission::ManageIntegrations => "manage_integrations",
            Permission::ViewAudit => "view_audit",
            Permission::ManagePowerList => "manage_power_list",
            Permission::SubmitDutyRequest => "submit_duty_request",
            Permission::FileCase => "file_case",
            Permission::ViewCases => "view_cases",
            Permission::SubmitReport => "submit_report",
            Permission::ViewReports => "view_reports",
            Permission::HandleReports => "handle_reports",
            Permission::ManageDuty => "manage_duty",
            Permission::ManageCameras => "manage_cameras",
            Permission::ReceiveTransfers => "receive_transfers",
            Permission::PublishDecisions => "publish_decisions",
            Permission::Assess => "assess",
        }
    }
}

/// A role held in a jurisdiction, identified by its tree path
/// (`/4114/411423/411423101/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub jurisdiction_path: String,
}

/// The authenticated caller: a user with grants, or an integration token
/// with an explicit permission list in one jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Option<String>,
    pub name: String,
    pub grants: Vec<Grant>,
    /// Set for integration tokens: their permissions replace the roles'.
    pub token_permissions: Option<(Vec<Permission>, String)>,
}

/// Jurisdiction subtrees in which a permission holds. Only
/// [`Principal::scope`] (or the explicitly named system constructor for
/// command-line tasks) makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    permission: Permission,
    roots: Vec<String>,
}

impl Principal {
    /// Where this caller holds `p`: the subtrees, with nested ones folded
    /// into their ancestors. 403 when nowhere.
    pub fn scope(&self, p: Permission) -> Result<Scope, Error> {
        let mut roots: Vec<String> = match &self.token_permissions {
            Some((perms, path)) => {
                if perms.contains(&p) {
                    vec![path.clone()]
                } else {
                    vec![]
                }
            }
            None => self
                .grants
                .iter()
                .filter(|g| g.role.permissions().contains(&p))
                .map(|g| g.jurisdiction_path.clone())
                .collect(),
        };
        roots.sort();
        roots.dedup();
        let folded: Vec<String> = roots
            .iter()
            .filter(|r| !roots.iter().any(|o| o != *r && r.starts_with(o.as_str())))
            .cloned()
            .collect();
        if folded.is_empty() {
            return Err(forbidden(p));
        }
        Ok(Scope {
            permission: p,
            roots: folded,
        })
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
}

pub fn forbidden(p: Permission) -> Error {
    Error::new(
        crate::ErrorKind::Forbidden,
        "access.forbidden",
        format!("无权执行此操作（需要权限 {}）", p.as_str()),
        format!("you may not do this (needs permission {})", p.as_str()),
    )
}

/// Refusal for an object outside the caller's jurisdiction.
pub fn out_of_scope() -> Error {
    Error::new(
        crate::ErrorKind::Forbidden,
        "access.out_of_jurisdiction",
        "该对象不在您的辖区内",
        "this object is outside your jurisdiction",
    )
}

impl Scope {
    /// For command-line and start-up tasks that act for the system itself
    /// (migrations, demo seeding, `yiwang user create`), never for a request.
    pub fn system(permission: Permission) -> Scope {
        Scope {
            permission,
            roots: vec!["/".into()],
        }
    }

    pub fn permission(&self) -> Permission {
        self.permission
    }

    /// The subtree roots (jurisdiction paths) this scope covers.
    pub fn roots(&self) -> &[String] {
        &self.roots
    }

    /// Whether the scope reaches a whole county (or more): paths of depth
    /// two or less (`/411400/411423/`). County-wide things — the power list,
    /// devolution decisions — need this.
    pub fn covers_a_county(&self) -> bool {
        self.roots.iter().any(|r| r.matches('/').count() <= 3)
    }

    /// Whether a jurisdiction path lies inside the scope.
    pub fn covers(&self, path: &str) -> bool {
        self.roots.iter().any(|r| path.starts_with(r.as_str()))
    }

    /// 403 unless the path lies inside the scope.
    pub fn check(&self, path: &str) -> Result<(), Error> {
        if self.covers(path) {
            Ok(())
        } else {
            Err(out_of_scope())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(grants: &[(Role, &str)]) -> Principal {
        Principal {
            user_id: Some("u".into()),
            name: "u".into(),
            grants: grants
                .iter()
                .map(|(r, p)| Grant {
                    role: *r,
                    jurisdiction_path: p.to_string(),
                })
                .collect(),
            token_permissions: None,
        }
    }

    const A: &str = "/4114/411423/411423101/";
    const B: &str = "/4114/411423/411423102/";

    #[test]
    fn a_permission_covers_the_subtree_only() {
        let admin_a = user(&[(Role::SystemAdmin, A)]);
        let s = admin_a.scope(Permission::ManageUsers).unwrap();
        assert!(s.covers(A));
        assert!(s.covers("/4114/411423/411423101/411423101201/"));
        assert!(!s.covers(B));
        assert!(!s.covers("/4114/411423/"));
        assert_eq!(s.check(B).unwrap_err().code, "access.out_of_jurisdiction");
    }

    #[test]
    fn a_role_without_the_permission_is_refused_everywhere() {
        let officer = user(&[(Role::Officer, A)]);
        let e = officer.scope(Permission::ManageUsers).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Forbidden);
        assert!(officer.scope(Permission::ViewOrganisation).is_ok());
    }

    #[test]
    fn nested_grants_fold_into_the_ancestor() {
        let p = user(&[
            (Role::CountySupervisor, "/4114/411423/"),
            (Role::BrigadeLeader, A),
        ]);
        let s = p.scope(Permission::ViewAudit).unwrap();
        assert_eq!(s.roots(), ["/4114/411423/".to_string()]);
    }

    #[test]
    fn tokens_use_their_own_permissions() {
        let t = Principal {
            user_id: None,
            name: "camera platform".into(),
            grants: vec![],
            token_permissions: Some((vec![Permission::ViewOrganisation], A.into())),
        };
        assert!(t.scope(Permission::ViewOrganisation).unwrap().covers(A));
        assert!(t.scope(Permission::ManageUsers).is_err());
    }

    #[test]
    fn county_level_scopes_are_told_apart() {
        let county = user(&[(Role::SystemAdmin, "/4114/411423/")]);
        assert!(
            county
                .scope(Permission::ManagePowerList)
                .unwrap()
                .covers_a_county()
        );
        let town = user(&[(Role::SystemAdmin, A)]);
        assert!(
            !town
                .scope(Permission::ManagePowerList)
                .unwrap()
                .covers_a_county()
        );
        assert!(Scope::system(Permission::ManagePowerList).covers_a_county());
    }

    #[test]
    fn every_role_round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
    }
}

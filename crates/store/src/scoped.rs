//! Turning a [`domain::access::Scope`] into SQL. Every query over a
//! jurisdiction's data is filtered through here; the scope itself can only
//! come from an authorised principal.

use domain::access::Scope;

/// `(col LIKE $n || '%' OR …)` for the scope's subtree roots, numbering
/// parameters from `first`. Bind [`Scope::roots`] in order after it.
pub fn condition(scope: &Scope, column: &str, first: usize) -> String {
    let parts: Vec<String> = (0..scope.roots().len())
        .map(|i| format!("{column} LIKE ${} || '%'", first + i))
        .collect();
    format!("({})", parts.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::access::Permission;

    #[test]
    fn one_clause_per_root() {
        let s = Scope::system(Permission::ViewAudit);
        assert_eq!(condition(&s, "j.path", 3), "(j.path LIKE $3 || '%')");
    }
}

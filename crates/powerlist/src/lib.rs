//! The power list as tables: the column layout of published township
//! enforcement lists (Chinese headers, matched by name), import with a dry
//! run that names every bad row, and export to XLSX, CSV and JSON. Heavy
//! spreadsheet crates live here so the rest of the workspace rebuilds fast.

mod columns;
mod export;
mod import;
pub mod workbook;

pub use export::{Format, export};
pub use import::{ImportReport, RowError, read_file, read_rows, read_table};

/// The demo county's list (see data/README.md for its sources).
pub fn demo_list() -> Result<Vec<domain::powerlist::Item>, String> {
    #[derive(serde::Deserialize)]
    struct File {
        items: Vec<domain::powerlist::Item>,
    }
    let f: File = serde_json::from_str(include_str!("../data/items.json"))
        .map_err(|e| format!("items.json: {e}"))?;
    Ok(f.items)
}

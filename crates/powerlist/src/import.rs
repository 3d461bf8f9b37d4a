//! Reading a list from XLSX or CSV: columns matched by header name, one row
//! per (item, legal basis); rows of the same item code are merged. Every bad
//! row is reported with its row number (as the spreadsheet shows it, the
//! header being row 1) and the reason; nothing is imported while any remains.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use domain::powerlist::{DiscretionTier, Field, Item, ItemKind, LegalBasis, validate_item};

use crate::columns::{REQUIRED, key_for};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// Spreadsheet row number (the header is row 1).
    pub row: usize,
    pub code: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    pub items: Vec<Item>,
    pub errors: Vec<RowError>,
}

impl ImportReport {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Read an .xlsx or .csv file. `progress(done, total)` is called as rows are read.
pub fn read_file(
    path: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (headers, rows) = match ext.as_str() {
        "csv" => read_csv(path)?,
        "xlsx" | "xlsm" => read_xlsx(path)?,
        other => {
            return Err(format!(
                "{}: unsupported file type .{other} (use .xlsx or .csv)",
                path.display()
            ));
        }
    };
    Ok(read_rows(&headers, rows, progress))
}

fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    csv_table(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_xlsx(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    xlsx_table(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// A table from an uploaded file's bytes: the header row and the data rows
/// as text cells. `ext` is `csv` or `xlsx`. Spreadsheet dates with a time
/// of day read as `YYYY-MM-DD HH:MM:SS`.
pub fn read_table(ext: &str, bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    match ext.to_ascii_lowercase().as_str() {
        "csv" => csv_table(bytes),
        "xlsx" | "xlsm" => xlsx_table(bytes),
        other => Err(format!(
            "unsupported file type .{other} (use .xlsx or .csv)"
        )),
    }
}

fn csv_table(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok((headers, rows))
}

/// The largest area of a sheet an import reads (rows × columns from the
/// first to the last cell with a value): far more than any power list or
/// hotline batch, and small enough that a few hundred bytes naming a far
/// cell (`XFD1048576`) cannot make the reader claim hundreds of gigabytes.
const MAX_CELLS: u64 = 2_000_000;
/// Excel's own limits on a sheet.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u32 = 16_384;

fn xlsx_table(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    // The file is untrusted input to a third-party parser: should the
    // parser panic on it, the file is unreadable, and the import says so.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| xlsx_cells(bytes)))
        .unwrap_or_else(|_| Err("the workbook could not be read".to_string()))
}

/// The first sheet as text cells, read cell by cell, from its first row and
/// column with a value (as a spreadsheet's used range), refused beyond
/// [`MAX_CELLS`].
fn xlsx_cells(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    use calamine::{DataRef, Reader, Xlsx, XlsxError};
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(|e| e.to_string())?;
    let sheet = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| "no worksheet".to_string())?;
    let mut reader = match wb.worksheet_cells_reader(&sheet) {
        Ok(r) => r,
        // a chart sheet or the like first: no cells
        Err(XlsxError::NotAWorksheet(_)) => return Ok((vec![], vec![])),
        Err(e) => return Err(e.to_string()),
    };
    let text = |d: &DataRef| -> String {
        match d {
            DataRef::Empty => String::new(),
            DataRef::String(s) => s.clone(),
            DataRef::SharedString(s) => s.to_string(),
            DataRef::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
            DataRef::Float(f) => f.to_string(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Bool(b) => {
                if *b {
                    "是".into()
                } else {
                    "否".into()
                }
            }
            DataRef::DateTime(dt) => excel_date(dt.as_f64()),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::Error(e) => format!("#{e:?}"),
        }
    };
    // by position: a cell written twice keeps its last value, and no more
    // cells are held than the area allows
    let mut cells: HashMap<(u32, u32), String> = HashMap::new();
    let (mut top, mut bottom, mut left, mut right) = (u32::MAX, 0, u32::MAX, 0);
    while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(format!(
                "a cell lies beyond the sheet's limits (row {}, column {})",
                u64::from(row) + 1,
                u64::from(col) + 1
            ));
        }
        (top, bottom) = (top.min(row), bottom.max(row));
        (left, right) = (left.min(col), right.max(col));
        let (rows, cols) = (u64::from(bottom - top) + 1, u64::from(right - left) + 1);
        if rows * cols > MAX_CELLS {
            return Err(format!(
                "the sheet spans {rows} rows × {cols} columns; at most {MAX_CELLS} cells are read"
            ));
        }
        cells.insert((row, col), text(cell.get_value()));
    }
    if cells.is_empty() {
        return Ok((vec![], vec![]));
    }
    let width = (right - left) as usize + 1;
    let mut table = vec![vec![String::new(); width]; (bottom - top) as usize + 1];
    for ((row, col), value) in cells {
        table[(row - top) as usize][(col - left) as usize] = value;
    }
    let mut rows = table.into_iter();
    let headers = rows.next().unwrap_or_default();
    Ok((headers, rows.collect()))
}

/// An Excel date serial (days since 1899-12-30) as YYYY-MM-DD.
fn excel_date(serial: f64) -> String {
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|base| base.checked_add_days(chrono::Days::new(serial.floor().max(0.0) as u64)))
        .map(|d| {
            let secs = ((serial - serial.floor()) * 86_400.0).round() as u32;
            match chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs.min(86_399), 0) {
                Some(t) if secs > 0 => format!("{d} {}", t.format("%H:%M:%S")),
                _ => d.to_string(),
            }
        })
        .unwrap_or_default()
}

fn date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y年%m月%d日"))
        .ok()
}

fn list(s: &str) -> Vec<String> {
    s.split(['\n', '；'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn discretion(s: &str) -> Result<Vec<DiscretionTier>, String> {
    let mut out = Vec::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
        if parts.len() != 4 {
            return Err(format!("裁量基准每行应为“情形｜最低｜最高｜建议”：{line}"));
        }
        let min: i64 = parts[1]
            .parse()
            .map_err(|_| format!("裁量基准最低罚款不是整数：{}", parts[1]))?;
        let max: i64 = parts[2]
            .parse()
            .map_err(|_| format!("裁量基准最高罚款不是整数：{}", parts[2]))?;
        out.push(DiscretionTier {
            circumstance: parts[0].into(),
            fine_min_yuan: min,
            fine_max_yuan: max,
            suggested: parts[3].into(),
        });
    }
    Ok(out)
}

/// Turn rows into items, collecting every bad row.
pub fn read_rows(
    headers: &[String],
    rows: Vec<Vec<String>>,
    progress: &mut dyn FnMut(usize, usize),
) -> ImportReport {
    let mut report = ImportReport {
        rows: rows.len(),
        ..Default::default()
    };
    let keys: Vec<Option<&str>> = headers.iter().map(|h| key_for(h)).collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|k| !keys.contains(&Some(**k)))
        .copied()
        .collect();
    if !missing.is_empty() {
        report.errors.push(RowError {
            row: 1,
            code: None,
            reason: format!("缺少必需的列：{}", missing.join("、")),
        });
        return report;
    }
    let mut order: Vec<String> = Vec::new();
    let mut items: HashMap<String, (usize, Item)> = HashMap::new();
    let total = rows.len();
    for (i, row) in rows.into_iter().enumerate() {
        let n = i + 2;
        if i % 50 == 0 || i + 1 == total {
            progress(i + 1, total);
        }
        let get = |k: &str| -> String {
            keys.iter()
                .position(|x| *x == Some(k))
                .and_then(|p| row.get(p))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let code = get("code");
        let fail = |reason: String| RowError {
            row: n,
            code: (!code.is_empty()).then(|| code.clone()),
            reason,
        };
        let mut errs = Vec::new();
        for k in REQUIRED {
            if get(k).is_empty() {
                let header = crate::columns::COLUMNS
                    .iter()
                    .find(|(key, _, _)| key == k)
                    .map(|c| c.1)
                    .unwrap_or(k);
                errs.push(format!("“{header}”为空"));
            }
        }
        let kind = ItemKind::parse(&get("kind"));
        if kind.is_none() && !get("kind").is_empty() {
            errs.push(format!("未知事项类型：{}", get("kind")));
        }
        let field = Field::parse(&get("field"));
        if field.is_none() && !get("field").is_empty() {
            errs.push(format!("未知执法领域：{}", get("field")));
        }
        let effective = date(&get("effective"));
        if effective.is_none() && !get("effective").is_empty() {
            errs.push(format!("生效日期无法识别：{}", get("effective")));
        }
        let repealed = match get("repealed").as_str() {
            "" => None,
            s => match date(s) {
                Some(d) => Some(d),
                None => {
                    errs.push(format!("废止日期无法识别：{s}"));
                    None
                }
            },
        };
        let max_fine = match get("max_fine").as_str() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(v) if v >= 0 => Some(v),
                _ => {
                    errs.push(format!("最高罚款不是非负整数：{s}"));
                    None
                }
            },
        };
        let tiers = discretion(&get("discretion")).unwrap_or_else(|e| {
            errs.push(e);
            vec![]
        });
        let first_offence = match get("first_offence").as_str() {
            "" | "否" | "false" | "FALSE" | "0" => false,
            "是" | "true" | "TRUE" | "1" => true,
            s => {
                errs.push(format!("首违不罚应为“是”或“否”：{s}"));
                false
            }
        };
        if !errs.is_empty() {
            report.errors.push(fail(errs.join("；")));
            continue;
        }
        let (Some(kind), Some(field), Some(effective)) = (kind, field, effective) else {
            continue;
        };
        let basis = LegalBasis {
            law: get("law"),
            level: get("level"),
            article: get("article"),
            text: get("text"),
            effective,
            repealed,
            max_fine_yuan: max_fine,
        };
        match items.get_mut(&code) {
            Some((_, item)) => {
                if item.name != get("name") || item.kind != kind || item.field != field {
                    report.errors.push(fail(format!(
                        "与同编码的前一行名称、类型或领域不一致（{}）",
                        item.name
                    )));
                } else if item.legal_basis.iter().any(|b| {
                    b.law == basis.law
                        && b.article == basis.article
                        && b.effective == basis.effective
                }) {
                    report.errors.push(fail("重复的法律依据行".into()));
                } else {
                    item.legal_basis.push(basis);
                }
            }
            None => {
                let item = Item {
                    code: code.clone(),
                    name: get("name"),
                    kind,
                    field,
                    description: get("description"),
                    legal_basis: vec![basis],
                    discretion: tiers,
                    lead_department: get("lead"),
                    cooperating_departments: list(&get("cooperating")),
                    supervision: get("supervision"),
                    responsibilities: list(&get("responsibilities")),
                    accountability: list(&get("accountability")),
                    first_offence_no_penalty: first_offence,
                    steps: vec![],
                };
                if let Some((first_row, other)) =
                    items.values().find(|(_, it)| it.name == item.name)
                {
                    report.errors.push(fail(format!(
                        "事项名称与第 {first_row} 行（{}）重复",
                        other.code
                    )));
                    continue;
                }
                order.push(code.clone());
                items.insert(code.clone(), (n, item));
            }
        }
    }
    for code in order {
        if let Some((row, item)) = items.remove(&code) {
            match validate_item(&item) {
                Ok(()) => report.items.push(item),
                Err(e) => report.errors.push(RowError {
                    row,
                    code: Some(code),
                    reason: e.zh,
                }),
            }
        }
    }
    report.errors.sort_by_key(|e| e.row);
    report
}

#[cfg(test)]
mod tests {
    use super::read_table;
    use rust_xlsxwriter::Workbook;

    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, c, v) in cells {
            ws.write_string(*r, *c, *v).unwrap();
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_sheet_is_read_from_its_first_cell_with_a_value() {
        let file = workbook(&[(1, 1, "a"), (1, 2, "b"), (3, 2, "c")]);
        let (headers, rows) = read_table("xlsx", &file).unwrap();
        assert_eq!(headers, ["a", "b"]);
        assert_eq!(rows, [vec!["", ""], vec!["", "c"]]);
        assert_eq!(
            read_table("xlsx", &workbook(&[])).unwrap(),
            (vec![], vec![])
        );
    }

    #[test]
    fn a_far_cell_is_refused_not_allocated() {
        // A1 and XFD1048576: 17 billion cells if the area were filled in
        let file = workbook(&[(0, 0, "a"), (1_048_575, 16_383, "z")]);
        let e = read_table("xlsx", &file).unwrap_err();
        assert!(e.contains("1048576 rows × 16384 columns"), "{e}");
    }
}

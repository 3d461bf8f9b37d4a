//! Writing a list: XLSX and CSV in the published layout (one row per item
//! and legal basis), or JSON.

use domain::powerlist::Item;

use crate::columns::COLUMNS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "xlsx" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

fn rows(items: &[Item]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        for b in &item.legal_basis {
            let value = |key: &str| -> String {
                match key {
                    "seq" => (i + 1).to_string(),
                    "code" => item.code.clone(),
                    "name" => item.name.clone(),
                    "kind" => item.kind.zh().into(),
                    "field" => item.field.zh().into(),
                    "description" => item.description.clone(),
                    "law" => b.law.clone(),
                    "level" => b.level.clone(),
                    "article" => b.article.clone(),
                    "text" => b.text.clone(),
                    "effective" => b.effective.to_string(),
                    "repealed" => b.repealed.map(|d| d.to_string()).unwrap_or_default(),
                    "max_fine" => b.max_fine_yuan.map(|v| v.to_string()).unwrap_or_default(),
                    "discretion" => item
                        .discretion
                        .iter()
                        .map(|t| {
                            format!(
                                "{}｜{}｜{}｜{}",
                                t.circumstance, t.fine_min_yuan, t.fine_max_yuan, t.suggested
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                    "lead" => item.lead_department.clone(),
                    "cooperating" => item.cooperating_departments.join("\n"),
                    "supervision" => item.supervision.clone(),
                    "responsibilities" => item.responsibilities.join("\n"),
                    "accountability" => item.accountability.join("\n"),
                    "first_offence" => {
                        if item.first_offence_no_penalty {
                            "是".into()
                        } else {
                            "否".into()
                        }
                    }
                    _ => String::new(),
                }
            };
            out.push(COLUMNS.iter().map(|(k, _, _)| value(k)).collect());
        }
    }
    out
}

/// The list in the given format.
pub fn export(items: &[Item], format: Format) -> Result<Vec<u8>, String> {
    let headers: Vec<&str> = COLUMNS.iter().map(|c| c.1).collect();
    match format {
        Format::Json => serde_json::to_vec_pretty(&serde_json::json!({ "items": items }))
            .map_err(|e| e.to_string()),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&headers).map_err(|e| e.to_string())?;
            for r in rows(items) {
                w.write_record(&r).map_err(|e| e.to_string())?;
            }
            let mut bytes = "\u{feff}".as_bytes().to_vec(); // BOM: Excel opens UTF-8 CSV correctly
            bytes.extend(w.into_inner().map_err(|e| e.to_string())?);
            Ok(bytes)
        }
        Format::Xlsx => {
            use rust_xlsxwriter::{Format as Fmt, Workbook};
            let mut wb = Workbook::new();
            let sheet = wb.add_worksheet();
            sheet.set_name("权责清单").map_err(|e| e.to_string())?;
            let bold = Fmt::new().set_bold();
            for (c, h) in headers.iter().enumerate() {
                sheet
                    .write_string_with_format(0, c as u16, *h, &bold)
                    .map_err(|e| e.to_string())?;
            }
            for (r, row) in rows(items).iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    sheet
                        .write_string((r + 1) as u32, c as u16, v)
                        .map_err(|e| e.to_string())?;
                }
            }
            wb.save_to_buffer().map_err(|e| e.to_string())
        }
    }
}

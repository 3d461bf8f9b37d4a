//! Any table as an XLSX workbook: one sheet per table, a bold header row,
//! numbers as numbers. The dashboard exports its tables with it.

/// A cell: text, or a whole number.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
}

/// One sheet: its name (at most 31 characters, as Excel allows), the
/// header row and the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The workbook's bytes.
pub fn write(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for s in sheets {
        let sheet = wb.add_worksheet();
        let name: String = s.name.chars().take(31).collect();
        sheet.set_name(name).map_err(e)?;
        for (c, h) in s.header.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, h, &bold)
                .map_err(e)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = (r + 1) as u32;
            for (c, v) in row.iter().enumerate() {
                match v {
                    Cell::Text(t) => sheet.write_string(r, c as u16, t).map_err(e)?,
                    Cell::Int(n) => sheet.write_number(r, c as u16, *n as f64).map_err(e)?,
                };
            }
        }
    }
    wb.save_to_buffer().map_err(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn every_sheet_reads_back_with_its_header_and_numbers() {
        let sheets = vec![
            Sheet {
                name: "按渠道".into(),
                header: vec!["渠道".into(), "受理".into()],
                rows: vec![vec![Cell::Text("网格员".into()), Cell::Int(12)]],
            },
            Sheet {
                name: "a name longer than thirty-one characters".into(),
                header: vec!["x".into()],
                rows: vec![],
            },
        ];
        let bytes = write(&sheets).unwrap();
        let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(
            wb.sheet_names(),
            vec![
                "按渠道".to_string(),
                "a name longer than thirty-one c".to_string()
            ]
        );
        let range = wb.worksheet_range("按渠道").unwrap();
        assert_eq!(range.get((0, 1)), Some(&Data::String("受理".into())));
        assert_eq!(range.get((1, 0)), Some(&Data::String("网格员".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::Float(12.0)));
    }
}

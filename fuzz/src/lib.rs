//! What the targets share: a workbook built around fuzzed XML, so that the
//! spreadsheet reader's XML parsing is reached (a mutated ZIP archive
//! mostly fails its checksums before any XML is read).

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// An .xlsx archive (entries stored, not compressed) with one worksheet
/// whose XML is `sheet`, shared strings `strings`, and a style sheet in
/// which style 1 is a date.
pub fn workbook(sheet: &[u8], strings: &[u8]) -> Vec<u8> {
    let ct = "application/vnd.openxmlformats-officedocument.spreadsheetml";
    let parts: [(&str, Vec<u8>); 7] = [
        (
            "[Content_Types].xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/></Types>"#
            )
            .into_bytes(),
        ),
        (
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            )
            .into_bytes(),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            )
            .into_bytes(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/></Relationships>"#
            )
            .into_bytes(),
        ),
        (
            "xl/styles.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"#
            )
            .into_bytes(),
        ),
        ("xl/worksheets/sheet1.xml", sheet.to_vec()),
        ("xl/sharedStrings.xml", strings.to_vec()),
    ];
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, bytes) in parts {
        zip.start_file(name, opts).expect("a stored entry");
        zip.write_all(&bytes).expect("written to memory");
    }
    zip.finish().expect("the archive").into_inner()
}

/// The fuzzed bytes as a workbook: an archive as it is when it starts like
/// one (`PK`), otherwise a worksheet's XML and, after the first NUL byte,
/// the shared strings' XML, put in a [`workbook`].
pub fn xlsx_from(data: &[u8]) -> Vec<u8> {
    if data.starts_with(b"PK") {
        return data.to_vec();
    }
    let (sheet, strings) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    workbook(sheet, strings)
}

/// The worksheet and shared strings of a small workbook in the layout
/// [`xlsx_from`] reads: the headers as shared strings, then the rows, each
/// cell inline text, or a number when written `=123.5`, or a date (style 1)
/// when written `date:46354.5` (an Excel day number).
pub fn sample_sheet(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let at = |c: usize, r: usize| {
        let mut name = String::new();
        let mut n = c + 1;
        while n > 0 {
            name.insert(0, char::from(b'A' + ((n - 1) % 26) as u8));
            n = (n - 1) / 26;
        }
        format!("{name}{r}")
    };
    let mut sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData><row r="1">"#
    );
    for i in 0..headers.len() {
        sheet.push_str(&format!(r#"<c r="{}" t="s"><v>{i}</v></c>"#, at(i, 1)));
    }
    sheet.push_str("</row>");
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 2));
        for (i, v) in row.iter().enumerate() {
            let a = at(i, r + 2);
            let cell = if let Some(n) = v.strip_prefix('=').filter(|n| n.parse::<f64>().is_ok()) {
                format!(r#"<c r="{a}"><v>{n}</v></c>"#)
            } else if let Some(d) = v.strip_prefix("date:") {
                format!(r#"<c r="{a}" s="1"><v>{d}</v></c>"#)
            } else {
                format!(r#"<c r="{a}" t="inlineStr"><is><t>{}</t></is></c>"#, esc(v))
            };
            sheet.push_str(&cell);
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let mut strings = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{n}" uniqueCount="{n}">"#,
        n = headers.len()
    );
    for h in headers {
        strings.push_str(&format!("<si><t>{}</t></si>", esc(h)));
    }
    strings.push_str("</sst>");
    let mut out = sheet.into_bytes();
    out.push(0);
    out.extend_from_slice(strings.as_bytes());
    out
}

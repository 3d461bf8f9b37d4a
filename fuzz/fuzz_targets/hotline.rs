//! A 12345 hotline batch (`POST /api/v1/reports/import`): the file read as
//! the route reads it (an XLSX by its ZIP signature, CSV otherwise), then
//! every record checked. Records and bad rows come back, never a panic.
//! Input starting with `<` is a worksheet's XML (and, after a NUL byte, the
//! shared strings) put into a workbook, so spreadsheets are fuzzed deeper
//! than their ZIP checksums.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yiwang_geo::{Crs, LonLat};

fuzz_target!(|data: &[u8]| {
    let built;
    let (format, file) = if data.starts_with(b"PK\x03\x04") {
        ("xlsx", data)
    } else if data.starts_with(b"<") {
        built = yiwang_fuzz::xlsx_from(data);
        ("xlsx", &built[..])
    } else {
        ("csv", data)
    };
    let Ok((headers, rows)) = powerlist::read_table(format, file) else {
        return;
    };
    let (records, errors) = domain::report::hotline::parse(&headers, &rows);
    for r in &records {
        assert!(!r.ticket.is_empty(), "a record without its ticket");
        let crs = Crs::parse(&r.crs).unwrap_or(Crs::Gcj02);
        let _ = crs.to_wgs84(LonLat::new(r.lon, r.lat));
    }
    for e in &errors {
        assert!(e.row >= 1, "a bad row without its number");
    }
});
